"""Quick start: a small keyboard-driven popup near the cursor. Type to filter recent entries
and projects; Enter starts the highlighted one, or a new timer with what you typed."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from ..core.models import EntryDraft
from ..core.text import fit_to_send
from ..sync.snapshot import Snapshot
from .project_picker import swatch_icon
from .text import shown

ROLE = Qt.ItemDataRole.UserRole


class QuickStart(QDialog):
    start_requested = Signal(object)  # EntryDraft

    def __init__(self, snapshot: Snapshot, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Quick start")
        self.snapshot = snapshot
        self.search = QLineEdit(placeholderText="What are you working on?")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(420, 360)
        self._items = self._candidates()
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(self._start)
        self._filter("")

    def _candidates(self) -> list[tuple[str, str, EntryDraft, str | None]]:
        """(label, search text, draft, colour) for recent entries, then every project."""
        snap = self.snapshot
        projects = snap.project_by_id
        out = []
        for draft in snap.recent():
            project = projects.get(draft.project_id or "")
            label = shown(draft.description or "(no description)")
            if project:
                label += f" · {shown(project.label)}"
            out.append((label, label.casefold(), draft, project.color if project else None))
        for project in snap.projects:
            if project.active:
                draft = EntryDraft(project_id=project.id, billable=project.billable)
                out.append((f"▶ {shown(project.label)}", project.label.casefold(), draft,
                            project.color))
        return out

    def _filter(self, text: str) -> None:
        self.list.clear()
        needle = text.strip().casefold()
        typed = fit_to_send(text)  # a line break pasted in is a space, controls are dropped
        if needle and typed:
            item = QListWidgetItem(f"Start “{shown(typed)}”")
            item.setData(ROLE, EntryDraft(description=typed))
            self.list.addItem(item)
        for label, haystack, draft, colour in self._items:
            if needle and not all(word in haystack for word in needle.split()):
                continue
            item = QListWidgetItem(label)
            item.setData(ROLE, draft)
            if colour:
                item.setIcon(swatch_icon(colour))
            self.list.addItem(item)
        self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        # Up/Down/Page keys move the list while typing stays in the search field.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key_event = cast(QKeyEvent, event)
            key = key_event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self.list.keyPressEvent(key_event)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.list.currentItem() is not None:
                    self._start(self.list.currentItem())
                return True
        return super().eventFilter(watched, event)

    def _start(self, item: QListWidgetItem) -> None:
        self.start_requested.emit(item.data(ROLE))
        self.accept()

    def popup_at_cursor(self) -> None:
        pos = QCursor.pos()
        screen = QGuiApplication.screenAt(pos) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x = min(max(area.left(), pos.x() - self.width() // 2), area.right() - self.width())
        y = min(max(area.top(), pos.y()), area.bottom() - self.height())
        self.move(x, y)
        self.show()
        self.activateWindow()
        self.search.setFocus()
