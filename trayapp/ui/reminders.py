"""Reminders in the app: the Settings section, and `ReminderController`, which follows the
tray (what runs), wakes once when the next reminder is due (one single-shot timer, never a
poll) and shows it as a notification with buttons. The rules are control/reminders.py's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
)

from ..config import REMIND_HOURS_MAX, REMIND_MINUTES_MAX, Config
from ..control.actions import Request
from ..control.reminders import SNOOZE_MINUTES, WEEKDAYS, Kind, Reminder, Reminders, Rules
from ..core.durations import utcnow
from ..core.models import Service, TimeEntry
from .notify import Button, Notifications
from .settings.common import muted
from .text import elided

if TYPE_CHECKING:
    from ..sync.snapshot import Snapshot
    from .settings import SettingsWindow
    from .tray import Tray

log = logging.getLogger(__name__)

REMINDER = "reminder"
LONGEST_WAIT_MS = 6 * 3600 * 1000  # wake at least this often to plan again (clock changes)


class Host(Protocol):
    config: Config
    tray: Tray
    snapshots: dict[Service, Snapshot]

    @property
    def service(self) -> Service: ...

    def dispatch(self, request: Request, reply: Any = None) -> None: ...


def rules_of(config: Config) -> Rules:
    return Rules.parse(config.remind_minutes, config.remind_days, config.remind_from,
                       config.remind_until, config.remind_hours)


class ReminderSection(QGroupBox):
    """Settings: when to remind, and the "Timer running" notification."""

    changed = Signal()

    def __init__(self, config: Config, buttons: bool = True) -> None:
        super().__init__("Reminders")
        self.config = config
        self.minutes = QSpinBox()
        self.minutes.setRange(0, REMIND_MINUTES_MAX)
        self.minutes.setSuffix(" min")
        self.minutes.setSpecialValueText("Never")
        self.minutes.setSingleStep(5)
        self.minutes.setValue(config.remind_minutes)
        self.minutes.setToolTip("0 turns the reminder off")
        label = QLabel("Remind me when &no timer runs for:")
        label.setBuddy(self.minutes)
        first = QHBoxLayout()
        first.addWidget(label)
        first.addWidget(self.minutes)
        first.addStretch(1)

        self.days: list[QCheckBox] = []
        days = QHBoxLayout()
        days.addWidget(QLabel("On:"))
        for number, name in enumerate(WEEKDAYS):
            box = QCheckBox(name)
            box.setChecked(number in config.remind_days)
            box.toggled.connect(self._chosen)
            self.days.append(box)
            days.addWidget(box)
        days.addStretch(1)

        self.start = QTimeEdit(QTime.fromString(config.remind_from, "HH:mm"))
        self.end = QTimeEdit(QTime.fromString(config.remind_until, "HH:mm"))
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
            edit.timeChanged.connect(self._chosen)
        between = QLabel("&Between")
        between.setBuddy(self.start)
        window = QHBoxLayout()
        window.addWidget(between)
        window.addWidget(self.start)
        window.addWidget(QLabel("and"))
        window.addWidget(self.end)
        window.addStretch(1)
        self.window_problem = muted("The end of the time must come after its start.")

        self.hours = QSpinBox()
        self.hours.setRange(0, REMIND_HOURS_MAX)
        self.hours.setSuffix(" h")
        self.hours.setSpecialValueText("Never")
        self.hours.setValue(config.remind_hours)
        self.hours.setToolTip("0 turns the question off")
        long_label = QLabel("Ask whether I'm still working after a timer runs &for:")
        long_label.setBuddy(self.hours)
        long_row = QHBoxLayout()
        long_row.addWidget(long_label)
        long_row.addWidget(self.hours)
        long_row.addStretch(1)

        self.started = QCheckBox("Notify when a timer &starts outside trayapp (a shortcut, "
                                 "the command line, another device)")
        self.started.setChecked(config.notify_timer_started)

        layout = QVBoxLayout(self)
        layout.addLayout(first)
        layout.addLayout(days)
        layout.addLayout(window)
        layout.addWidget(self.window_problem)
        layout.addLayout(long_row)
        layout.addWidget(self.started)
        self.no_buttons = muted(
            "This desktop shows notifications without buttons: click one to open the menu.")
        layout.addWidget(self.no_buttons)
        self.no_buttons.setVisible(not buttons)
        self.minutes.valueChanged.connect(self._chosen)
        self.hours.valueChanged.connect(self._chosen)
        self.started.toggled.connect(self._chosen)
        self._enable()

    def _enable(self) -> None:
        on = self.minutes.value() > 0
        for widget in (*self.days, self.start, self.end):
            widget.setEnabled(on)
        self.window_problem.setVisible(on and self.start.time() >= self.end.time())

    def _chosen(self, *_: object) -> None:
        self._enable()
        c = self.config
        values = (self.minutes.value(), [n for n, box in enumerate(self.days) if box.isChecked()],
                  self.start.time().toString("HH:mm"), self.end.time().toString("HH:mm"),
                  self.hours.value(), self.started.isChecked())
        if values != (c.remind_minutes, c.remind_days, c.remind_from, c.remind_until,
                      c.remind_hours, c.notify_timer_started):
            (c.remind_minutes, c.remind_days, c.remind_from, c.remind_until, c.remind_hours,
             c.notify_timer_started) = values
            self.changed.emit()


class ReminderController(QObject):
    """Shows the reminders when due; their buttons go through the app's dispatcher."""

    reminded = Signal(object)  # Reminder: shown

    def __init__(self, app: Host, notifications: Notifications,
                 now: Callable[[], datetime] = utcnow, tz: tzinfo | None = None) -> None:
        super().__init__(app if isinstance(app, QObject) else None)
        self.app = app
        self.notifications = notifications
        self._now = now
        self.state = Reminders(rules_of(app.config), idle_since=now(), tz=tz)
        self.section: ReminderSection | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.fire)
        app.tray.snapshot_shown.connect(self.snapshot_changed)
        self.schedule()

    def _running(self) -> tuple[Service | None, TimeEntry | None]:
        return self.app.tray.running()

    def snapshot_changed(self, *_: object) -> None:
        where, entry = self._running()
        before = self.state.running
        self.state.update(self._now(), entry)
        if (before is None) != (entry is None) or (
                entry is not None and before is not None and entry.start != before.start):
            self.notifications.withdraw(REMINDER)  # what it asked about has changed
        self.schedule()

    def schedule(self) -> None:
        now = self._now()
        at = self.state.next_at(now)
        if at is None:
            self.timer.stop()
            return
        wait = int(max(0.0, (at - now).total_seconds()) * 1000)
        self.timer.start(min(wait, LONGEST_WAIT_MS))

    def settings_changed(self) -> None:
        self.state.set_rules(rules_of(self.app.config))
        self.schedule()

    def fire(self) -> None:
        reminder = self.state.due(self._now())
        if reminder is not None:
            self.show(reminder)
        self.schedule()

    def show(self, reminder: Reminder) -> None:
        log.info("reminder: %s", reminder.title)
        if reminder.kind is Kind.NOT_TRACKING:
            buttons = self._start_buttons()
            buttons.append(Button("snooze", f"Snooze {SNOOZE_MINUTES} min", self.snooze))
        else:
            where, _ = self._running()
            args = {"service": where.value} if where else {}
            buttons = [Button("stop", "Stop", lambda: self.app.dispatch(Request("stop", args))),
                       Button("keep", "Keep", lambda: None)]
        text = reminder.text
        if not self.notifications.has_actions:
            text += " Click here to open the menu."
        self.notifications.tell(REMINDER, reminder.title, text, buttons)
        self.reminded.emit(reminder)

    def _start_buttons(self) -> list[Button]:
        snap = self.app.snapshots.get(self.app.service)
        last = next((e for e in snap.entries if e.stop is not None), None) if snap else None
        quick = Button("quick_start", "Quick start…",
                       lambda: self.app.dispatch(Request("quick_start")))
        if last is None:
            return [quick]
        what = elided(last.description or "the last entry", 30)
        return [Button("continue", f"Start “{what}”",
                       lambda: self.app.dispatch(Request("continue"))), quick]

    def snooze(self) -> None:
        self.state.snoozed(self._now())
        self.schedule()

    # -- settings ---------------------------------------------------------------------------------
    def with_section(self, window: SettingsWindow) -> SettingsWindow:
        section = ReminderSection(self.app.config, self.notifications.has_actions)
        section.changed.connect(window.save)
        section.changed.connect(self.settings_changed)
        window.add_section(section)
        self.section = section
        return window

