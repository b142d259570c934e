"""The timesheet's small questions: a time to split an entry at, a time to stop the running
timer at, and "delete this entry?"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...core.durations import format_clock, utcnow
from ...core.models import TimeEntry
from ..text import elided
from .e2e import report_box

ERROR_COLOR = "#d1242f"


def to_q(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def from_q(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()


class TimeQuestion(QDialog):
    """Ask for one moment; `check(at)` says why it will not do (None: it will)."""

    def __init__(self, title: str, text: str, initial: datetime,
                 check: Callable[[datetime], str | None], ok: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.check = check
        self.edit = QDateTimeEdit(to_q(initial))
        self.edit.setDisplayFormat("ddd d MMM yyyy  HH:mm:ss")
        self.edit.setCalendarPopup(True)
        self.edit.dateTimeChanged.connect(self._validate)
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setBuddy(self.edit)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(label)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)
        self.edit.setFocus()
        self._validate()

    def value(self) -> datetime:
        return from_q(self.edit.dateTime())

    def _validate(self) -> None:
        problem = self.check(self.value())
        self.ok_button.setEnabled(problem is None)
        self.message.setText(problem or "")
        self.message.setStyleSheet(f"color: {ERROR_COLOR};" if problem else "")
        self.message.setVisible(bool(problem))


def split_question(entry: TimeEntry, check: Callable[[datetime], str | None],
                   parent: QWidget | None = None) -> TimeQuestion:
    end = entry.stop or utcnow()
    middle = entry.start + (end - entry.start) / 2
    middle = middle.replace(second=0, microsecond=0)
    if not entry.start < middle < end:
        middle = entry.start + (end - entry.start) / 2
    start, stop = entry.start.astimezone(), end.astimezone()
    text = (f"Split “{elided(entry.description or '(no description)', 50)}” "
            f"({start:%H:%M} – {stop:%H:%M}) into two entries at:")
    return TimeQuestion("Split entry", text, middle, check, "Split", parent)


def stop_question(entry: TimeEntry, check: Callable[[datetime], str | None],
                  parent: QWidget | None = None) -> TimeQuestion:
    now = utcnow().replace(microsecond=0)
    elapsed = format_clock(entry.seconds(now))
    text = (f"“{elided(entry.description or '(no description)', 50)}” has run for "
            f"{elapsed}, since {entry.start.astimezone():%H:%M}. Stop it at:")
    initial = max(entry.start, now - timedelta(minutes=0))
    return TimeQuestion("Stop timer at", text, initial, check, "Stop", parent)


def confirm_delete(entry: TimeEntry, parent: QWidget | None) -> bool:
    """Yes when the user confirms (Delete is the default: Undo is offered afterwards)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setTextFormat(Qt.TextFormat.PlainText)
    what = "Discard the running timer" if entry.running else "Delete the entry"
    box.setWindowTitle("Discard timer" if entry.running else "Delete entry")
    box.setText(f"{what} “{elided(entry.description or '(no description)', 60)}” "
                f"({format_clock(entry.seconds())})?")
    box.setInformativeText("You can undo it for a few seconds (Ctrl+Z).")
    Button = QMessageBox.StandardButton
    box.setStandardButtons(Button.Yes | Button.Cancel)
    box.button(Button.Yes).setText("Discard" if entry.running else "Delete")
    box.setDefaultButton(Button.Yes)
    report_box(box)
    return bool(box.exec() == Button.Yes)
