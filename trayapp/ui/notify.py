"""Notifications in the app: what each one says and what its buttons do. The platform part
(D-Bus, the tray balloon) is platform/notify's; this module turns buttons into the app's
requests, through the one dispatcher, like a click in the menu.

- `notice(Notice)`: what control/ has to tell (a refused change: Try again, Discard…);
- `tell(key, title, text, buttons)`: the idle question, reminders, "Timer running" (Stop);
- `withdraw(key)`: the question was answered elsewhere (the window, the menu).

Where the desktop shows no buttons (the balloon), the same choices are in the tray menu and a
click on the balloon opens it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from ..config import Config
from ..control.actions import Request
from ..control.idle import LABELS, Answer, IdleSpell
from ..control.notices import Notice
from ..core.models import Service, TimeEntry
from ..platform.notify import DEFAULT, Notifier, create_notifier
from .text import notification

if TYPE_CHECKING:
    from ..sync.snapshot import Snapshot
    from .idle import IdleController
    from .tray import Tray

log = logging.getLogger(__name__)

RUNNING, IDLE = "running", "idle"
QUIET_AFTER_MENU = 3.0  # seconds: a timer started from the menu needs no notification


class Host(Protocol):
    config: Config
    tray: Tray
    idle: IdleController
    snapshots: dict[Service, Snapshot]

    def dispatch(self, request: Request, reply: Any = None) -> None: ...


@dataclass(frozen=True)
class Button:
    id: str
    label: str
    do: Callable[[], None]


class Notifications(QObject):
    def __init__(self, app: Host, notifier: Notifier | None = None) -> None:
        super().__init__(app if isinstance(app, QObject) else None)
        self.app = app
        self._notifier = notifier
        self._connected = False
        self._handlers: dict[str, dict[str, Callable[[], None]]] = {}
        self._shown: set[str] = set()  # keys on screen (answered ones too, until closed)
        self._running: tuple[Service | None, str] | None = None  # the timer last seen
        self._seen_first = False
        self._menu_closed = 0.0
        app.tray.menu.aboutToHide.connect(self._menu_hidden)
        app.tray.snapshot_shown.connect(self.snapshot_changed)
        app.idle.asked.connect(self.idle_asked)

    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:  # made when first needed: not on the way to the icon
            self._notifier = create_notifier(self.app.tray.icon)
            self._notifier.setParent(self)
        if not self._connected:
            self._notifier.invoked.connect(self._invoked)
            self._notifier.closed.connect(self._closed)
            self._connected = True
        return self._notifier

    def use(self, notifier: Notifier) -> None:
        """Notify through `notifier` from now on (tests; a desktop that changed)."""
        if self._notifier is not None:
            self._notifier.close()
        self._notifier, self._connected = notifier, False

    @property
    def has_actions(self) -> bool:
        return self.notifier.has_actions

    # -- telling ----------------------------------------------------------------------------
    def tell(self, key: str, title: str, text: str, buttons: Sequence[Button] = (), *,
             persistent: bool = False) -> None:
        """Show (or replace) the notification `key`. Its buttons' `do` run on the GUI thread
        when pressed; a click on a balloon without buttons opens the tray menu."""
        notifier = self.notifier
        title, body = notification(title, text)
        handlers = {b.id: b.do for b in buttons}
        handlers.setdefault(DEFAULT, self.app.tray.popup_menu)
        self._handlers[key] = handlers
        self._shown.add(key)
        notifier.show(key, title, body, [(b.id, b.label) for b in buttons],
                      persistent=persistent)

    def notice(self, notice: Notice) -> None:
        buttons = [Button(request.command, label, partial(self._request, request))
                   for label, request in notice.actions]
        key = notice.key or f"notice-{time.monotonic_ns()}"
        self.tell(key, notice.title, notice.text, buttons)

    def withdraw(self, key: str) -> None:
        self._handlers.pop(key, None)
        if key in self._shown:
            self._shown.discard(key)
            self.notifier.withdraw(key)

    def shown(self, key: str) -> bool:
        """Shown and not answered yet."""
        return key in self._handlers

    def _invoked(self, key: str, action: str) -> None:
        handlers = self._handlers.get(key)
        if handlers is None or action not in handlers:
            return
        if action != DEFAULT:
            self._handlers.pop(key, None)  # one answer per notification
        handlers[action]()

    def _closed(self, key: str) -> None:
        self._handlers.pop(key, None)
        self._shown.discard(key)

    def _request(self, request: Request) -> None:
        if request.command == "drop":  # asks first, as the menu does
            from .refused import discard

            problem = self._problem(request)
            if problem is not None:
                discard(problem, self.app.dispatch)
            return
        self.app.dispatch(request)

    def _problem(self, request: Request) -> Any:
        for snap in self.app.snapshots.values():
            for problem in snap.problems:
                same_service = problem.service is None or \
                    problem.service.value == request.args.get("service", problem.service.value)
                if problem.seq == request.args.get("seq") and same_service:
                    return problem
        return None

    # -- the idle question ------------------------------------------------------------------
    def idle_asked(self, spell: IdleSpell) -> None:
        buttons = [Button(answer.value, LABELS[answer].replace("&", ""),
                          partial(self.app.idle.answer, answer)) for answer in Answer]
        self.tell(IDLE, "Idle time", spell.text(), buttons, persistent=True)

    # -- "Timer running" --------------------------------------------------------------------
    def _menu_hidden(self) -> None:
        self._menu_closed = time.monotonic()

    def snapshot_changed(self, *_: object) -> None:
        if IDLE in self._shown and self.app.idle.pending is None:
            self.withdraw(IDLE)  # answered in the window or from the menu
        where, entry = self.app.tray.running()
        snap_ready = bool(self.app.snapshots)
        now_running = None if entry is None else (where, entry.start.isoformat())
        previous, self._running = self._running, now_running
        first, self._seen_first = not self._seen_first and snap_ready, \
            self._seen_first or snap_ready
        if now_running is None:
            self.withdraw(RUNNING)
            return
        if first or now_running == previous or entry is None:
            return  # already running when trayapp started, or the same timer
        if not getattr(self.app.config, "notify_timer_started", True) or self._in_front():
            return
        self.timer_running(where, entry)

    def _in_front(self) -> bool:
        """Started from the menu or a trayapp window: the user sees it already."""
        window = QApplication.activeWindow()  # X11 may still name one just hidden
        return self.app.tray.menu.isVisible() or (window is not None and window.isVisible()) \
            or time.monotonic() - self._menu_closed < QUIET_AFTER_MENU

    def timer_running(self, where: Service | None, entry: TimeEntry) -> None:
        """Only where the notification has its Stop button: a balloon would only repeat what
        the icon shows, and on an XEmbed tray it opens over the icon, in the way of clicks."""
        if not self.notifier.has_actions:
            return
        service = where or None
        args = {"service": service.value} if service else {}
        what = entry.description or "(no description)"
        since = entry.start.astimezone().strftime("%H:%M")
        self.tell(RUNNING, "Timer running", f"“{what}” since {since}.",
                  [Button("stop", "Stop", lambda: self.app.dispatch(Request("stop", args)))])

    def close(self) -> None:
        if self._notifier is not None:
            self._notifier.close()
