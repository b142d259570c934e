"""The list of sections beside the settings: a click scrolls to one, and scrolling marks the
one in view. The sections stay in one scrolling page, so nothing is hidden on another tab
and every field keeps one place (the desktop tests click them where they are)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem, QScrollArea

MARGIN = 8  # px above a section scrolled to


class SectionIndex(QListWidget):
    def __init__(self, scroll: QScrollArea) -> None:
        super().__init__()
        self.page = scroll
        self.sections: list[QGroupBox] = []
        self.setObjectName("section_index")
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.viewport().setAutoFillBackground(False)  # the window's own background
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedWidth(170)
        self.setSpacing(2)
        self.itemClicked.connect(self.jump)
        self.itemActivated.connect(self.jump)  # Enter, for keyboard use
        scroll.verticalScrollBar().valueChanged.connect(self.follow)

    def add(self, section: QGroupBox) -> None:
        """Listed in the order of the page (sections are added top to bottom)."""
        item = QListWidgetItem(section.title())
        item.setData(Qt.ItemDataRole.UserRole, len(self.sections))
        self.sections.append(section)
        self.addItem(item)
        if self.count() == 1:
            self.setCurrentRow(0)  # the page opens at its top

    def jump(self, item: QListWidgetItem) -> None:
        section = self.sections[int(item.data(Qt.ItemDataRole.UserRole))]
        bar = self.page.verticalScrollBar()
        bar.setValue(min(bar.maximum(), max(0, section.y() - MARGIN)))
        self.setCurrentItem(item)

    def follow(self, value: int) -> None:
        """Mark the topmost section in view (the last one at the bottom of the page, which
        can never reach the top)."""
        if not self.sections:
            return
        bar = self.page.verticalScrollBar()
        top = value + 2 * MARGIN
        index = next((i for i, s in enumerate(self.sections) if s.isVisible()
                      and s.y() + s.height() > top), len(self.sections) - 1)
        if value >= bar.maximum() > 0:
            index = len(self.sections) - 1
        self.blockSignals(True)
        self.setCurrentRow(index)
        self.blockSignals(False)
