"""Sleep, shutdown and the screen lock in the app: `AwayController` hears them from the
platform backend (platform/session_events/), applies the user's choice with the rules of
control/session_events.py, and adds a Settings section.

Sleep and shutdown are urgent: the machine goes within seconds and the network may already be
down. So a stop is applied on the `local` worker straight away (no look at the server first,
whatever the tray knows is what runs) and the backend's delay lock is let go as soon as the
stop is on disk; the `net` worker sends it afterwards, now or after the return. "Ask" hands
the idle controller a spell from the event to the return (`IdleController.ask_about`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel

from ..config import AWAY_CHOICES, Config
from ..control.actions import Plan, Request, plan
from ..control.session_events import EVENT_LABELS, LABELS, AwayRules, Choice, Event, Stop
from ..core import errors as e
from ..core.durations import format_timestamp, utcnow
from ..core.models import Service
from ..platform.session_events import NullEvents, SessionEvents, create_events
from .settings.common import ERROR_COLOR, alive, muted

if TYPE_CHECKING:
    from .idle import IdleController
    from .settings import SettingsWindow
    from .tray import Tray

log = logging.getLogger(__name__)


class Host(Protocol):
    config: Config
    tray: Tray
    idle: IdleController
    runtime: Any  # runtime.Runtime, or None: its `local` worker runs calls in order
    booted: Any  # Signal

    @property
    def service(self) -> Service: ...

    @property
    def services(self) -> list[Service]: ...

    def running_on(self, service: Service) -> bool: ...

    def dispatch(self, request: Request, reply: Any = None) -> None: ...

    def execute(self, step: Plan, reply: Any) -> None: ...


class AwaySection(QGroupBox):
    """Settings: what sleep, shutdown and the screen lock do to a running timer."""

    changed = Signal()

    def __init__(self, config: Config, events: SessionEvents) -> None:
        super().__init__("Sleep, shutdown and lock")
        self.config = config
        self.boxes: dict[Event, QComboBox] = {}
        form = QFormLayout(self)
        for event in Event:
            box = QComboBox()
            for value in AWAY_CHOICES[event.value]:
                box.addItem(LABELS[Choice(value)], value)
            box.setCurrentIndex(box.findData(getattr(config, f"on_{event.value}")))
            box.currentIndexChanged.connect(lambda _=0, ev=event: self._chosen(ev))
            label = QLabel(EVENT_LABELS[event])
            label.setBuddy(box)
            form.addRow(label, box)
            self.boxes[event] = box
        form.addRow(muted("“Stop” ends the entry at the moment the computer sleeps, shuts "
                          "down or locks. “Ask” treats the time away as idle time: on your "
                          "return trayapp asks whether to keep it."))
        self.unavailable = QLabel()
        self.unavailable.setTextFormat(Qt.TextFormat.PlainText)
        self.unavailable.setWordWrap(True)
        self.unavailable.setStyleSheet(f"color: {ERROR_COLOR};")
        form.addRow(self.unavailable)
        self.show_events(events)

    def show_events(self, events: SessionEvents) -> None:
        if events.available and not events.reason:
            self.unavailable.hide()
            return
        reason = events.reason.rstrip(".") or "unknown"
        self.unavailable.setText(
            f"Not available on this system: {reason}." if not events.available else
            f"Partly available: {reason}.")
        self.unavailable.show()
        for box in self.boxes.values():
            box.setEnabled(events.available)

    def _chosen(self, event: Event) -> None:
        value = self.boxes[event].currentData()
        if value != getattr(self.config, f"on_{event.value}"):
            setattr(self.config, f"on_{event.value}", value)
            self.changed.emit()


class AwayController(QObject):
    """Applies the user's choice for each sleep, shutdown and lock (see the module)."""

    stopped_for = Signal(str)  # the event a timer was stopped for, once on disk
    released = Signal()  # the backend's delay lock was let go

    def __init__(self, app: Host, events: SessionEvents | None = None,
                 now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(app if isinstance(app, QObject) else None)
        self.app = app
        self.events: SessionEvents = NullEvents("not started yet", self)
        self.section: AwaySection | None = None
        self.rules = AwayRules(self._choice, self._threshold, now)
        if events is not None:
            self.use(events)
        else:  # not on the way to the icon: once the app is up
            app.booted.connect(lambda: self.use(create_events(self)))

    def use(self, events: SessionEvents) -> None:
        self.events.close()
        self.events = events
        events.going.connect(self.going)
        events.back.connect(self.back)
        log.info("session events: %s%s", events.name,
                 f" ({events.reason})" if events.reason else "")
        if (section := alive(self.section)) is not None:
            section.show_events(events)

    def _choice(self, event: Event) -> Choice:
        return Choice(getattr(self.app.config, f"on_{event.value}"))

    def _threshold(self) -> float:
        return self.app.config.idle_minutes * 60.0

    def _running(self) -> tuple[Service, Any]:
        where, entry = self.app.tray.running()
        return (where or self.app.service), entry

    # -- the events ---------------------------------------------------------------------------
    def going(self, name: str) -> None:
        event = Event(name)
        service, entry = self._running()
        stop = self.rules.left(event, entry, service)
        if stop is None:
            self.release()
        elif event is Event.LOCK:  # no hurry: the usual path (it may look at the server)
            self.app.dispatch(self._request(stop))
            self.stopped_for.emit(name)
        else:
            def done() -> None:
                self.stopped_for.emit(name)
                self.release()

            self.stop_now(stop, done)

    def back(self, name: str) -> None:
        spell = self.rules.back(Event(name), self._running()[1])
        if spell is not None:
            log.info("back from %s: asking about %s to %s", name, spell.started, spell.ended)
            self.app.idle.ask_about(spell)

    def release(self) -> None:
        self.events.release()
        self.released.emit()

    @staticmethod
    def _request(stop: Stop) -> Request:
        where = {"service": stop.service.value} if stop.service else {}
        return Request("stop", {"at": format_timestamp(stop.at), **where})

    def stop_now(self, stop: Stop, then: Callable[[], None]) -> None:
        """Stop on the local worker at once; `then` once the stop is on disk (or failed)."""
        runtime = self.app.runtime
        try:
            if runtime is None:
                raise e.TrackerError("trayapp is not ready.")
            step = plan(self._request(stop), self.app.config, self.app.services,
                        running=self.app.running_on)
            if not isinstance(step, Plan):
                raise e.TrackerError("Not a stop.")
        except e.TrackerError as exc:
            log.warning("not stopped for %s: %s", stop.event.value, exc)
            then()
            return
        # What the tray knows is what runs: no time to ask the server first.
        self.app.execute(replace(step, look_when_stale=False, refresh_if=None), None)
        # The local worker runs its calls in order: this one ends after the stop was applied.
        runtime.local.call(lambda _account: None, lambda _: then(), lambda _: then())

    # -- settings -------------------------------------------------------------------------------
    def with_section(self, window: SettingsWindow) -> SettingsWindow:
        """The settings window, with the sleep, shutdown and lock section added."""
        section = AwaySection(self.app.config, self.events)
        section.changed.connect(window.save)
        window.add_section(section)
        self.section = section
        return window

    def close(self) -> None:
        self.events.close()
