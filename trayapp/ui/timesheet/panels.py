"""The parts around the timesheet's list: the running timer on top (ticking, with Stop, Stop
at… and Discard), the totals beside it (per project, and per day for a week) and the Undo bar
a deletion leaves for a few seconds."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...control.sheet import DAY, Row, Sheet
from ...core.durations import format_clock, format_short
from ..icons import swatch_icon
from ..text import elided, menu_text, tooltip_text

RUNNING_DOT = "#d1242f"
NEUTRAL = "#9ca3af"


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # descriptions and names are never markup
    return label


def muted(label: QLabel) -> QLabel:
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class RunningCard(QFrame):
    """The running entry: description, project, the time so far, and how to end it."""

    stop_clicked = Signal()
    stop_at_clicked = Signal()
    discard_clicked = Signal()
    edit_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runningCard")
        self.setStyleSheet("#runningCard { border: 1px solid palette(mid); border-radius: 8px;"
                           " background: palette(base); }")
        self.dot = QLabel()
        self.dot.setPixmap(swatch_icon(RUNNING_DOT, 12).pixmap(12, 12))
        self.description = plain_label()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        font.setBold(True)
        self.description.setFont(font)
        self.project = plain_label()
        self.elapsed = plain_label()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        big.setStyleHint(QFont.StyleHint.Monospace)
        self.elapsed.setFont(big)
        self.elapsed.setStyleSheet(f"color: {RUNNING_DOT};")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 10, 10)
        row.setSpacing(10)
        row.addWidget(self.dot)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.description)
        text.addWidget(self.project)
        row.addLayout(text, 1)
        row.addWidget(self.elapsed)
        for name, label, tip, signal in (
                ("edit", "Edit…", "Change the running entry", self.edit_clicked),
                ("stop_at", "Stop at…", "Stop the timer at a time you choose (Ctrl+Shift+S)",
                 self.stop_at_clicked),
                ("discard", "Discard…", "Delete the running entry", self.discard_clicked),
                ("stop", "Stop", "Stop the timer now (Ctrl+S)", self.stop_clicked)):
            button = QPushButton(label)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.clicked.connect(signal)
            self.buttons[name] = button
            row.addWidget(button)

    def show_row(self, row: Row | None, project_label: str | None, color: str | None) -> None:
        self.setVisible(row is not None)
        if row is None:
            return
        self.description.setText(elided(row.description or "(no description)", 80))
        self.description.setToolTip(tooltip_text(row.description))
        start = row.entry.start.astimezone()
        where = f"{elided(project_label, 60)} · " if project_label else "No project · "
        self.project.setText(f"{where}since {start:%H:%M}")
        self.project.setStyleSheet(f"color: {QColor(color).darker(115).name()};" if color
                                   else "color: palette(placeholder-text);")

    def tick(self, seconds: int) -> None:
        self.elapsed.setText(format_clock(seconds))


class TotalsPanel(QFrame):
    """The total of what is shown, then per project, then (a week) per day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totals")
        self.setFixedWidth(250)
        self.setStyleSheet("#totals { border-left: 1px solid palette(mid); }")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 12, 12, 12)
        self.layout_.setSpacing(6)
        self.total = plain_label()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.total.setFont(big)
        self.caption = muted(plain_label())
        self.billable = muted(plain_label())
        self.layout_.addWidget(self.caption)
        self.layout_.addWidget(self.total)
        self.layout_.addWidget(self.billable)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.viewport().setAutoFillBackground(False)
        self.body = QWidget()
        self.area.setWidget(self.body)
        self.layout_.addWidget(self.area, 1)
        self._key: object = None

    def show_sheet(self, sheet: Sheet) -> None:
        self.caption.setText("Total this day" if sheet.period.kind == DAY
                             else "Total this week")
        self.total.setText(format_short(sheet.seconds))
        self.billable.setText(f"Billable {format_short(sheet.billable_seconds)}"
                              if sheet.billable_seconds else "Nothing billable")
        key = (tuple((t.name, t.seconds // 60) for t in sheet.projects),
               tuple(sheet.day_seconds()) if sheet.period.kind != DAY else ())
        if key == self._key:
            return  # the same minutes: nothing to redraw (called every second while running)
        self._key = key
        self.body = QWidget()
        self.body.setAutoFillBackground(False)
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 10, 8, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        line = 0
        if sheet.projects:
            grid.addWidget(self._heading("By project"), line, 0, 1, 3)
            line += 1
        top = max((t.seconds for t in sheet.projects), default=1) or 1
        for total in sheet.projects:
            dot = QLabel()
            dot.setPixmap(swatch_icon(total.color or NEUTRAL, 10).pixmap(10, 10))
            name = plain_label(elided(total.name, 24))
            name.setToolTip(tooltip_text(total.name))
            name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            grid.addWidget(dot, line, 0)
            grid.addWidget(name, line, 1)
            grid.addWidget(self._amount(total.seconds), line, 2)
            grid.addWidget(self._bar(total.seconds, top, total.color or NEUTRAL), line + 1, 1,
                           1, 2)
            line += 2
        if sheet.period.kind != DAY:
            days = sheet.day_seconds()
            most = max((s for _d, s in days), default=1) or 1
            grid.addWidget(self._heading("By day"), line, 0, 1, 3)
            line += 1
            for day, seconds in days:
                grid.addWidget(plain_label(self._day_name(day)), line, 1)
                grid.addWidget(self._amount(seconds), line, 2)
                grid.addWidget(self._bar(seconds, most, "#6b7280"), line + 1, 1, 1, 2)
                line += 2
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(line, 1)
        self.area.setWidget(self.body)  # the previous one is deleted

    @staticmethod
    def _day_name(day: date) -> str:
        return f"{day:%a} {day.day} {day:%b}"

    def _heading(self, text: str) -> QLabel:
        label = plain_label(text.upper())
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setBold(True)
        label.setFont(font)
        label.setStyleSheet("color: palette(placeholder-text); padding-top: 8px;")
        return label

    @staticmethod
    def _amount(seconds: int) -> QLabel:
        label = plain_label(format_short(seconds))
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    @staticmethod
    def _bar(seconds: int, most: int, color: str) -> QProgressBar:
        bar = QProgressBar()
        bar.setRange(0, 1000)
        bar.setValue(int(1000 * seconds / most) if most else 0)
        bar.setTextVisible(False)
        bar.setFixedHeight(4)
        bar.setStyleSheet("QProgressBar { border: none; background: palette(midlight);"
                          " border-radius: 2px; }"
                          f"QProgressBar::chunk {{ background: {color}; border-radius: 2px; }}")
        return bar


class UndoBar(QFrame):
    """'Deleted “X”.  [Undo]' for a few seconds after a deletion."""

    undo_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setStyleSheet("#undoBar { background: #1f2937; border-radius: 6px; }"
                           "#undoBar QLabel { color: #f9fafb; }")
        self.text = plain_label()
        self.button = QPushButton("Undo")
        self.button.setToolTip("Bring the entry back (Ctrl+Z)")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.undo_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 8, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.hide()

    def say(self, descriptions: list[str]) -> None:
        if not descriptions:
            self.hide()
            return
        if len(descriptions) == 1:
            name = menu_text(descriptions[0] or "(no description)", 50).replace("&&", "&")
            self.text.setText(f"Deleted “{name}”.")
        else:
            self.text.setText(f"Deleted {len(descriptions)} entries.")
        self.show()
