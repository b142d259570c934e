"""Pomodoro in the app: the tray's "Pomodoro" toggle and countdown line, the countdown in the
tooltip, the phase's ring on the icon, a notification at each phase change, and the Settings
section. The rules are control/pomodoro.py's.

The controller wakes once per phase change, from one single-shot timer set to it (no
polling); the countdown in the tooltip and the menu moves only while they are shown, with
the tray's own tick (`Tray.refreshed`), and the ring once a minute with the tray's icon.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QSpinBox, QVBoxLayout

from ..config import POMODORO_MINUTES_MAX, Config
from ..control.actions import Request
from ..control.notices import Notice
from ..control.pomodoro import Current, Phase, Pomodoro, menu_line, tooltip_part
from ..core.durations import utcnow
from ..core.models import Service, TimeEntry
from .settings.common import muted

if TYPE_CHECKING:
    from .settings import SettingsWindow
    from .tray import Tray

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]
COLOURS = {Phase.FOCUS: "#e5533d", Phase.BREAK: "#1f8fb3"}  # tomato, and a calm blue
TOGGLE = "Pomodoro"
SLACK_MS = 50  # wake this late, so the phase has surely changed


class Host(Protocol):
    """What the controller needs of the app (app.py's TrayApp)."""

    config: Config
    tray: Tray

    @property
    def service(self) -> Service: ...

    def dispatch(self, request: Request, reply: Reply | None = None) -> None: ...

    def notify(self, notice: Notice) -> None: ...

    def save_config(self) -> None: ...


class PomodoroSection(QGroupBox):
    """Settings: the focus and break lengths, and whether breaks are entries of their own."""

    changed = Signal()

    def __init__(self, config: Config) -> None:
        super().__init__("Pomodoro")
        self.config = config
        self.focus = self._minutes(config.pomodoro_focus)
        self.pause = self._minutes(config.pomodoro_break)
        self.entries = QCheckBox("&Track breaks as “Break” entries")
        self.entries.setChecked(config.pomodoro_break_entries)
        self.entries.setToolTip("At a break the entry stops and a “Break” entry starts; after "
                                "the break the entry goes on.")
        form = QFormLayout()
        form.addRow("&Focus:", self.focus)
        form.addRow("&Break:", self.pause)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.entries)
        layout.addWidget(muted("Switch Pomodoro on in the tray menu. While a timer runs, "
                               "focus and break alternate, with a notification at each "
                               "change; stopping the timer ends the cycle."))
        self.focus.valueChanged.connect(self._chosen)
        self.pause.valueChanged.connect(self._chosen)
        self.entries.toggled.connect(self._chosen)

    @staticmethod
    def _minutes(value: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(1, POMODORO_MINUTES_MAX)
        box.setSuffix(" min")
        box.setValue(value)
        return box

    def _chosen(self, *_: object) -> None:
        new = (self.focus.value(), self.pause.value(), self.entries.isChecked())
        c = self.config
        if new != (c.pomodoro_focus, c.pomodoro_break, c.pomodoro_break_entries):
            c.pomodoro_focus, c.pomodoro_break, c.pomodoro_break_entries = new
            self.changed.emit()


class PomodoroController(QObject):
    """Follows the tray's timer, wakes at each phase change, tells it and (with break
    entries) sends the requests; shows the toggle, the countdown and the ring."""

    changed = Signal(object)  # Change: a phase change was told

    def __init__(self, app: Host, now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(app if isinstance(app, QObject) else None)
        self.app = app
        self._now = now
        config = app.config
        self.rules = Pomodoro(config.pomodoro_focus, config.pomodoro_break,
                              config.pomodoro_break_entries, enabled=config.pomodoro)
        self.toggle_action: QAction | None = None
        self.line_action: QAction | None = None
        self.section: PomodoroSection | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.phase_due)
        tray = app.tray
        tray.tooltip_extra = self.tooltip
        tray.ring = self.ring
        # After the tray's own handler: the menu is rebuilt by then.
        tray.menu.aboutToShow.connect(self._add_to_menu)
        tray.snapshot_shown.connect(self.snapshot_changed)
        tray.refreshed.connect(self._refresh_line)

    def _running(self) -> tuple[Service, TimeEntry | None]:
        where, entry = self.app.tray.running()
        return (where or self.app.service), entry

    def current(self) -> Current | None:
        return self.rules.current(self._now())

    # -- the timer ---------------------------------------------------------------------------------
    def snapshot_changed(self, *_: object) -> None:
        self.rules.timer(self._now(), self._running()[1])
        self._schedule()

    def _schedule(self) -> None:
        delay = self.rules.next_change(self._now())
        if delay is None:
            self._timer.stop()
        else:
            self._timer.start(int(delay * 1000) + SLACK_MS)

    def phase_due(self) -> None:
        """The timer fired (or a test says it is time): tell the change and act on it."""
        service, running = self._running()
        change = self.rules.advance(self._now(), running, service)
        if change is not None:
            log.info("pomodoro: %s (%d)", change.current.phase.value, change.current.index)
            self.app.notify(change.notice)
            self.changed.emit(change)
            self.send(change.requests)
        self.app.tray.refresh_texts()  # the tooltip and the ring of the new phase
        self._schedule()

    def send(self, requests: list[Request]) -> None:
        """Each request once the one before was applied; meanwhile the timer seen stopped
        does not end the cycle."""
        if not requests:
            if self.rules.switching:
                self.rules.switching = False
                self.snapshot_changed()
            return
        self.rules.switching = True
        first, rest = requests[0], requests[1:]

        def then(reply: dict[str, Any]) -> None:
            if reply.get("exit") in (0, 75):  # done, or saved and still being sent
                self.send(rest)
                return
            self.rules.switching = False
            self.app.notify(Notice("Break entry not changed", str(
                reply.get("error") or "The change was refused."), key="pomodoro"))
            self.snapshot_changed()

        self.app.dispatch(first, then)

    def set_enabled(self, on: bool) -> None:
        """The tray's toggle."""
        if self.app.config.pomodoro != on:
            self.app.config.pomodoro = on
            self.app.save_config()
        self.rules.switch(on, self._now(), self._running()[1])
        self._schedule()
        self.app.tray.refresh_texts()

    def settings_changed(self) -> None:
        c = self.app.config
        self.rules.break_entries = c.pomodoro_break_entries
        self.rules.set_lengths(c.pomodoro_focus, c.pomodoro_break, self._now())
        self._schedule()
        self.app.tray.refresh_texts()

    # -- what the tray shows ---------------------------------------------------------------------
    def tooltip(self, now: datetime) -> str | None:
        current = self.rules.current(now)
        return tooltip_part(current, now) if current is not None else None

    def ring(self, now: datetime) -> tuple[float, str] | None:
        current = self.rules.current(now)
        if current is None:
            return None
        return current.progress(now), COLOURS[current.phase]

    def _add_to_menu(self) -> None:
        menu = self.app.tray.menu
        actions = menu.actions()
        toggle = QAction(TOGGLE, menu)
        toggle.setCheckable(True)
        toggle.setChecked(self.rules.enabled)
        toggle.setToolTip("Focus and break while a timer runs")
        toggle.toggled.connect(self.set_enabled)
        before = next((a for a in actions if a.text() == "Timesheet…"), None)
        if before is not None:
            menu.insertAction(before, toggle)
        else:
            menu.addAction(toggle)
        self.toggle_action = toggle
        self.line_action = None
        now = self._now()
        current = self.rules.current(now)
        if current is None:
            return
        line = QAction(menu_line(current, now), menu)
        line.setEnabled(False)
        if len(actions) > 1:  # under the running entry's line
            menu.insertAction(actions[1], line)
        else:
            menu.addAction(line)
        self.line_action = line

    def _refresh_line(self, now: datetime) -> None:
        line = self.line_action
        if line is None or not shiboken6.isValid(line) or not self.app.tray.menu.isVisible():
            return
        current = self.rules.current(now)
        if current is not None:
            line.setText(menu_line(current, now))

    # -- settings ---------------------------------------------------------------------------------
    def with_section(self, window: SettingsWindow) -> SettingsWindow:
        """The settings window, with the Pomodoro section added."""
        section = PomodoroSection(self.app.config)
        section.changed.connect(window.save)
        section.changed.connect(self.settings_changed)
        window.add_section(section)
        self.section = section
        return window
