"""The times of the entry dialog: start, stop and duration, kept consistent.

A stopped (or past) entry's three fields are all editable: a new start keeps the stop, a new
stop keeps the start, and a new duration keeps the start and moves the stop; the other fields
follow. A running entry's duration ticks. A new timer may have started a few minutes ago.
Times are edited in local time and handed back as aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDateTime, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ..core.durations import format_clock, utcnow
from ..core.models import TimeEntry
from ..core.when import MAX_AHEAD

TIME_FORMAT = "yyyy-MM-dd HH:mm:ss"
LONG_ENTRY = timedelta(hours=24)
PAST_START = time(9, 0)  # where a past entry starts on its day, until the user says
PAST_LENGTH = timedelta(hours=1)
MAX_AGO_MINUTES = 24 * 60
_UNITS = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")


def to_qdatetime(value: datetime) -> QDateTime:
    """An aware datetime as a local-time QDateTime (whole seconds)."""
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def parse_duration(text: str) -> int | None:
    """Seconds in `1:30`, `1:30:00`, `90m`, `1h30m`, `1.5h` or `90` (minutes); None if not."""
    text = text.strip().lower().replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"\d+", text):
        return int(text) * 60
    if match := re.fullmatch(r"(\d+):([0-5]\d)(?::([0-5]\d))?", text):
        return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)
    match = _UNITS.fullmatch(text)
    if match is None or not any(match.groups()):
        return None
    return int(float(match[1] or 0) * 3600) + int(match[2] or 0) * 60 + int(match[3] or 0)


class EntryTimes(QObject):
    """The time fields of one dialog; `mode` is "new", "edit" or "past"."""

    changed = Signal()

    def __init__(self, mode: str, entry: TimeEntry | None = None, day: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode, self.entry = mode, entry
        self.running = mode == "new" or (entry is not None and entry.stop is None)
        self._syncing = False
        self.start_edit = QDateTimeEdit()
        self.stop_edit = QDateTimeEdit()
        for edit in (self.start_edit, self.stop_edit):
            edit.setDisplayFormat(TIME_FORMAT)
            edit.setCalendarPopup(True)
        self.start_edit.setToolTip("When the entry started (local time)")
        self.stop_edit.setToolTip("When the entry ended (local time)")
        self.running_label = QLabel("Running")
        self.running_label.setToolTip("Stop the timer from the tray to set its end")
        self.duration = QLineEdit()
        self.duration.setToolTip("1:30, 1:30:00, 90m or 1h30m; the stop moves, the start stays")
        self.duration.setMaximumWidth(120)
        self.ago = QSpinBox()
        self.ago.setRange(0, MAX_AGO_MINUTES)
        self.ago.setSuffix(" minutes ago")
        self.ago.setSpecialValueText("now")
        self.ago.setToolTip("A late start: the timer starts this many minutes before now")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        self._duration_error = False
        self._load(day)
        self.start_edit.dateTimeChanged.connect(self._start_changed)
        self.stop_edit.dateTimeChanged.connect(self._stop_changed)
        self.duration.textEdited.connect(self._duration_edited)
        self.ago.valueChanged.connect(lambda *_: self.changed.emit())
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._show_duration)
        if self.mode == "edit" and self.running:
            self.duration.setReadOnly(True)
            self.ticker.start()  # the duration of a running timer goes on

    def _load(self, day: date | None) -> None:
        entry = self.entry
        if self.mode == "past":
            start = datetime.combine(day or date.today(), PAST_START).astimezone()
            self.start_edit.setDateTime(to_qdatetime(start))
            self.stop_edit.setDateTime(to_qdatetime(start + PAST_LENGTH))
        elif entry is not None:
            self.start_edit.setDateTime(to_qdatetime(entry.start))
            if entry.stop is not None:
                self.stop_edit.setDateTime(to_qdatetime(entry.stop))
        self.stop_edit.setVisible(not self.running)
        self.stop_edit.setEnabled(not self.running)
        self.running_label.setVisible(self.running and self.mode == "edit")
        self._show_duration()

    def add_rows(self, form: QFormLayout) -> None:
        if self.mode == "new":
            label = QLabel("Sta&rted:")
            label.setBuddy(self.ago)
            form.addRow(label, self.ago)
        else:
            label = QLabel("S&tart:")
            label.setBuddy(self.start_edit)
            form.addRow(label, self.start_edit)
            stop_row = QHBoxLayout()
            stop_row.setContentsMargins(0, 0, 0, 0)
            stop_row.addWidget(self.stop_edit, 1)
            stop_row.addWidget(self.running_label, 1)
            stop_label = QLabel("St&op:")
            stop_label.setBuddy(self.stop_edit)
            form.addRow(stop_label, stop_row)
            duration_label = QLabel("D&uration:")
            duration_label.setBuddy(self.duration)
            form.addRow(duration_label, self.duration)
        form.addRow("", self.message)

    # -- keeping the three consistent ---------------------------------------------------------
    def times(self) -> tuple[datetime, datetime | None]:
        if self.mode == "new":
            return utcnow().replace(microsecond=0) - timedelta(minutes=self.ago.value()), None
        start = from_qdatetime(self.start_edit.dateTime())
        return start, None if self.running else from_qdatetime(self.stop_edit.dateTime())

    def _start_changed(self) -> None:
        if not self._syncing:
            self._show_duration()  # the stop stays
            self.changed.emit()

    def _stop_changed(self) -> None:
        if not self._syncing:
            self._show_duration()  # the start stays
            self.changed.emit()

    def _duration_edited(self, text: str) -> None:
        seconds = parse_duration(text)
        self._duration_error = seconds is None
        if seconds is not None and not self.running:
            start, _ = self.times()
            self._syncing = True
            try:
                self.stop_edit.setDateTime(to_qdatetime(start + timedelta(seconds=seconds)))
            finally:
                self._syncing = False
        self.changed.emit()

    def _show_duration(self) -> None:
        if self.mode == "new":
            return
        start, stop = self.times()
        seconds = int(((stop or utcnow()) - start).total_seconds())
        self.duration.setText(format_clock(seconds) if seconds >= 0 else "—")
        self._duration_error = False

    # -- checking -------------------------------------------------------------------------------
    def problems(self) -> tuple[list[str], list[str]]:
        """(errors, warnings) about the times, in words."""
        if self.mode == "new":
            return [], []
        now = utcnow()
        start, stop = self.times()
        errors: list[str] = []
        warnings: list[str] = []
        if self._duration_error:
            errors.append("Write the duration as 1:30, 1:30:00, 90m or 1h30m.")
        if start > now + MAX_AHEAD:
            errors.append("The start is more than a day in the future.")
        if stop is not None and stop > now + MAX_AHEAD:
            errors.append("The stop is more than a day in the future.")
        if stop is not None and stop < start:
            errors.append("The stop is before the start.")
        elif stop is None and start > now + timedelta(minutes=1) and start <= now + MAX_AHEAD:
            errors.append("A running timer cannot start in the future.")
        length = (stop or now) - start
        if not errors and length > LONG_ENTRY:
            hours = int(length.total_seconds() // 3600)
            what = "This timer has been running" if stop is None else "This entry lasts"
            warnings.append(f"{what} {hours} hours — more than a day. Check the times "
                            "before saving.")
        return errors, warnings
