"""The composition root: builds the backend at work (runtime.py), the tray, the windows, the
settings and the hotkeys, and wires them. The rules live in control/; this file connects them.

Every request (a click, a hotkey, a window, the command socket) takes one path: `dispatch` ->
control's plan -> the `local` worker applies it to the store (milliseconds, on disk before
anything else) -> the tray shows it -> the `net` worker sends it -> the reconciled Snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from . import ipc, logs
from .config import Config
from .control import accounts, actions
from .control.actions import Plan, Request, Show, plan, refusal
from .control.backend import Backend, read_key
from .control.display import tray_state
from .control.notices import Notice, Notices
from .core import errors as e
from .core.models import Connection, Service, Task
from .execution import execute
from .runtime import Runtime
from .sync.snapshot import Snapshot
from .ui.browser import open_url
from .ui.favorites import FavoritesController
from .ui.idle import IdleController
from .ui.manage import ManageHost
from .ui.notify import Notifications
from .ui.pomodoro import PomodoroController
from .ui.reminders import ReminderController
from .ui.session_events import AwayController
from .ui.timesheet import SheetHost
from .ui.tray import Tray, when_shown
from .ui.windows import Windows
from .worker import Done, Failed

if TYPE_CHECKING:
    from .platform.hotkeys.shortcuts import Shortcuts
    from .platform.single_instance import InstanceServer
    from .sync.account import Account
    from .ui.settings import SettingsWindow

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]
REPLY_WITHIN_MS = 5000  # the command line waits 10 s at most (ipc.TIMEOUT)


class TrayApp(QObject):
    booted = Signal()  # the backend is up (the icon shows before it)
    hotkeys_bound = Signal(dict)  # action -> why not bound, after each (re)binding
    config_changed = Signal()  # a setting changed outside the settings window (Track on)

    def __init__(self, qapp: QApplication, *, demo: bool = False,
                 initial: dict[str, Any] | None = None,
                 icon: QSystemTrayIcon | None = None) -> None:
        """`icon`: the tray icon already shown (gui.first_icon), else one is made."""
        super().__init__()
        self.qapp = qapp
        self.initial = initial  # the command this process was started with, if any
        self.config = Config.load()
        self.runtime: Runtime | None = None  # the backend at work (None: it could not start)
        self.backend_error: e.TrackerError | None = None
        self.snapshots: dict[Service, Snapshot] = {}
        # A problem outside any sync (a key Maton refused while looking for connections):
        # shown on every snapshot until a sync works or the key changes.
        self.problem: e.TrackerError | None = None
        self.relooked = False  # connections listed again after one had gone
        self.notices = Notices()
        self.reply_within_ms = REPLY_WITHIN_MS
        self.instance: InstanceServer | None = None
        self.hotkeys: Shortcuts | None = None
        self.settings_window: SettingsWindow | None = None
        self.is_booted = False
        self._demo_asked = demo
        self.tray = Tray(self, left_click=self.config.left_click, icon=icon)
        self.windows = Windows(self)
        self.sheet, self.idle = SheetHost(self), IdleController(self)  # windows made when asked
        self.manager = ManageHost(self)
        self.notifications = Notifications(self)  # buttons where the desktop has them
        self.reminders = ReminderController(self, self.notifications)
        self.pomodoro = PomodoroController(self)  # follows the tray's timer
        self.favorites = FavoritesController(self)  # pinned entries: menu, quick start, keys
        self.away = AwayController(self)  # sleep, shutdown, lock: once booted
        self._wire()
        # The icon first; the rest (HTTP stack, store, hotkeys) once it is on the panel.
        self.tray.show()
        when_shown(self.tray.icon, lambda: self._boot(demo))

    # -- state ----------------------------------------------------------------------------------
    @property
    def backend(self) -> Backend | None:
        return self.runtime.backend if self.runtime is not None else None

    @property
    def demo(self) -> bool:
        return self.backend.demo if self.backend is not None else self._demo_asked

    @property
    def services(self) -> list[Service]:
        return self.backend.services if self.backend is not None else []

    @property
    def service(self) -> Service:
        """The service the tray tracks on (control's one rule)."""
        return accounts.choose_service(self.config, None, self.services)

    @property
    def snapshot(self) -> Snapshot | None:
        return self.snapshots.get(self.service)

    def running_on(self, service: Service) -> bool:
        known = self.snapshots.get(service)
        return known is not None and known.running is not None

    # -- start-up and the backend's lifecycle ------------------------------------------------------
    def _boot(self, demo: bool) -> None:
        from .platform.hotkeys.shortcuts import Shortcuts
        from .platform.single_instance import InstanceServer

        # One tray per user: claim the command socket before touching the store, so two
        # instances never replay the same outbox.
        self.instance = InstanceServer()
        if not self.instance.claim():
            ipc.send(self.initial or {"command": "activate", "args": {}})
            self.quit()
            return
        self.instance.request.connect(self.handle_request)
        try:
            logs.to_file()
            key, problem = (None, None) if demo else read_key()
            self.start_backend(key, demo=demo or key is None)
            self.hotkeys = Shortcuts.for_this_desktop(self.config.hotkeys, self)
            self.hotkeys.activated.connect(self.tray.shortcut)
            self.hotkeys.errors_changed.connect(self.hotkeys_bound)
            self.hotkeys.bind()
            if self.config.problem:
                self.notify(Notice("Settings reset", self.config.problem))
            if self.demo and not demo:
                # First launch without a key: explain, offer the demo that is already running.
                self.show_settings(first_launch=True, problem=problem)
        finally:  # whatever failed is shown; commands waiting for the boot get their answer
            self.is_booted = True
            self.booted.emit()

    def start_backend(self, key: str | None, *, demo: bool) -> None:
        self.notices, self.problem = Notices(), None  # what was told was about another store
        self.relooked = False
        try:
            backend = Backend(self.config, key, demo=demo)
        except e.TrackerError as exc:  # e.g. a gateway address that is not allowed
            self.backend_error = exc
            self.failed(exc)
            return
        self.backend_error = None
        for notice in backend.notices:  # e.g. a damaged store made again: where it was kept
            self.notify(notice)
        self.runtime = Runtime(backend, self, current=lambda: self.service, show=self.show,
                               synced=self.synced, failed=self.failed)
        self.tray.demo = demo
        for service in self.services or [self.service]:  # instant, local
            self.runtime.snapshot(service)
        if backend.needs_discovery:
            self.runtime.discover(self.discovered)
        else:
            self.runtime.sync()

    def restart_backend(self, key: str | None, *, demo: bool) -> None:
        reopen = self.settings_window is not None and self.settings_window.isVisible()
        if self.settings_window is not None:  # it renders the old backend's accounts
            self.settings_window.close()
            self.settings_window.deleteLater()
            self.settings_window = None
        self._stop_backend()
        self.start_backend(key, demo=demo)
        if reopen:
            self.show_settings()

    def _stop_backend(self) -> None:
        if self.runtime is not None:
            self.runtime.stop()
            self.runtime.deleteLater()
            self.runtime = None
        self.snapshots.clear()

    def discovered(self, connections: list[Connection]) -> None:
        """The services connected in Maton (not Toggl's quota): at the first run with a key,
        or when a recorded connection has gone."""
        if self.backend is None or self.demo:
            return  # restarted meanwhile
        self.backend.adopt(connections)
        self.save_config()
        self.config_changed.emit()
        if not self.services:
            self.failed(e.NoConnection("No Toggl Track or Clockify account is connected."))
            self.show_settings()
        else:
            self.sync(catalog=True)

    def reload_settings(self) -> None:
        """Another process (`trayapp connect`, `disconnect`, `workspace`) saved the settings:
        read them again, so they are used, and never written back over."""
        self.config.reload()
        self.tray.left_click = self.config.left_click
        if self.backend is not None and not self.demo:
            key, _ = read_key()
            self.restart_backend(key, demo=key is None)  # other connections, workspaces
        self.config_changed.emit()

    def connections_changed(self) -> None:
        """The settings record other connections: sessions use them from now on."""
        if self.backend is not None and not self.demo:
            self.backend.use_recorded_connections()
            self.sync(catalog=True)

    def sync(self, catalog: bool | None = None) -> None:
        if self.runtime is not None:
            self.runtime.sync(catalog)

    def synced(self, snapshot: Snapshot) -> None:
        """A sync's result (background, Sync now, or before a command)."""
        if snapshot.error is None:
            self.problem, self.relooked = None, False  # the key and the connection work
        elif isinstance(snapshot.error, e.NoConnection) and self.runtime and not self.relooked:
            self.relooked = True  # the recorded connection is gone: ask Maton again, once
            self.runtime.discover(self.discovered)
        self.show(snapshot)
        if self.runtime is not None and snapshot.service is self.service:
            self.runtime.schedule(snapshot)  # the automatic syncs follow the tracked service

    # -- requests: one path for clicks, hotkeys, windows and the command socket --------------------
    def handle_request(self, message: dict[str, Any], reply: Reply) -> None:
        """A command handed over by a second `trayapp` process (see ipc.py)."""
        try:
            request = Request.from_message(message)
            if request.demo != self.demo and request.command not in (
                    "activate", "settings", "menu", actions.RELOAD):
                raise actions.DemoMismatch(self.demo)
        except e.TrackerError as exc:
            reply(refusal(exc))
            return
        self.dispatch(request, self.idle.with_idle_seconds(reply))  # status: idle_seconds

    def dispatch(self, request: Request, reply: Reply | None = None) -> None:
        if not self.is_booted:  # arrived during the first fraction of a second
            self.booted.connect(lambda: self.dispatch(request, reply))
            return
        try:
            if self.backend is None:
                raise self.backend_error or e.TrackerError("trayapp is not ready.")
            step = plan(request, self.config, self.services, running=self.running_on)
        except e.TrackerError as exc:
            self.failed(exc) if reply is None else reply(refusal(exc))
            return
        if isinstance(step, Show):
            self.show_window(step.window)
            if reply is not None:
                reply({"ok": True, "exit": 0, "message": "trayapp is already running."
                       if step.window == "activate" else ""})
            return
        self.execute(step, reply)

    def execute(self, step: Plan, reply: Reply | None) -> None:
        execute(self, step, reply)

    def show_window(self, window: str) -> None:
        snapshot, service = self.snapshot, self.service
        if window == actions.RELOAD:  # after the reply: the command need not wait for it
            QTimer.singleShot(0, self, self.reload_settings)
        elif window in ("settings", "activate"):
            self.show_settings()
        elif window == "timesheet":
            self.sheet.show()
        elif window == "manage":
            self.manager.show()
        elif window == "menu" or snapshot is None:
            self.tray.popup_menu()
        elif self.runtime is not None:
            runtime = self.runtime

            def fetch_tasks(project_id: str, done: Callable[[list[Task]], None]) -> None:
                runtime.net_call(partial(tasks_of, service=service, project_id=project_id),
                                 done)

            self.windows.show(window, snapshot, fetch_tasks)

    # -- results ----------------------------------------------------------------------------------
    def show(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        current = self.snapshots.get(snapshot.service)
        if current is not None and snapshot.version < current.version:
            return  # produced before a newer one that is already shown (two threads)
        self.snapshots[snapshot.service] = snapshot
        self.render()
        for notice in self.notices.after_snapshot(snapshot):
            self.notify(notice)

    def render(self) -> None:
        snapshot, elsewhere = tray_state(self.snapshots, self.service, self.services,
                                         self.problem)
        self.tray.set_snapshot(snapshot, self.services, elsewhere)
        self.sheet.snapshot_changed(self.snapshot)
        self.manager.snapshot_changed(self.snapshot)

    def failed(self, error: e.TrackerError) -> None:
        """Background work failed (a sync, looking for connections): said, and a problem only
        the user can solve stays shown until solved."""
        self.tell(error)
        if error.needs_user and not isinstance(error, e.Interrupted):
            self.problem = error
            self.render()

    def tell(self, error: e.TrackerError) -> None:
        """Something asked for could not be done: say so (once per asking)."""
        log.warning("%s: %s", error.title, error.message)
        if not isinstance(error, e.Interrupted):  # a restart the user asked for: nothing new
            self.notify(self.notices.after_failure(error))

    def notify(self, notice: Notice) -> None:
        self.notifications.notice(notice)

    def menu_opening(self) -> None:
        if self.runtime is not None:
            self.runtime.looked_at(self.tray.snapshot)  # as shown, problem included

    def track_on(self, service: Service) -> None:
        if self.config.service != service.value:
            self.config.service = service.value
            self.save_config()
            self.config_changed.emit()
        if self.runtime is not None:
            self.runtime.snapshot(service)
        self.render()
        self.sync()

    def save_config(self) -> None:
        try:
            self.config.save()
        except OSError as exc:
            self.notify(Notice("Settings not saved", f"{exc.strerror or exc}"))

    def hotkeys_edited(self, bindings: dict[str, str]) -> None:
        self.config.hotkeys = dict(bindings)
        self.save_config()
        if self.hotkeys is not None:
            self.hotkeys.bind(bindings)

    # -- settings ---------------------------------------------------------------------------------
    def show_settings(self, first_launch: bool = False,
                      problem: e.TrackerError | None = None) -> None:
        if self.settings_window is None:
            self.settings_window = self._make_settings()
        if first_launch:
            self.settings_window.set_first_launch(True)
        if problem is not None:
            self.settings_window.show_error(problem)
        self.settings_window.show_and_raise()

    def _make_settings(self) -> SettingsWindow:
        from .ui.settings import SettingsWindow
        from .ui.settings.accounts import account_details, use_connection

        backend, error = self.backend, self.backend_error or e.TrackerError("Not ready.")
        run = self.runtime.net.run if self.runtime is not None else partial(unavailable, error)
        window = SettingsWindow(
            self.config, run, connections=lambda: live(backend).connections(),
            workspaces=lambda s: live(backend).workspaces(s),
            wind_up=lambda s: live(backend).wind_up(s), adopt=lambda c: live(backend).adopt(c),
            services=lambda: self.services, shortcuts=self.hotkeys, demo=self.demo,
            details=partial(account_details, backend),
            switch_connection=partial(use_connection, backend))
        window.hotkeys_edited.connect(self.hotkeys_edited)
        window.key_saved.connect(self.key_saved)
        window.key_removed.connect(self.key_removed)
        window.connections_changed.connect(self.connections_changed)
        window.config_changed.connect(self.settings_saved)
        window.demo_requested.connect(window.hide)  # "Try the demo": it runs; show its menu
        window.demo_requested.connect(self.tray.popup_menu)
        self.config_changed.connect(window.tracking.show_state)
        window = self.favorites.with_section(self.pomodoro.with_section(
            self.idle.with_section(window)))
        return self.away.with_section(self.reminders.with_section(window))

    def key_saved(self, key: str) -> None:
        """A key Maton accepted was saved: leave the demo (if running), use that account (the
        backend forgets the settings and cache of another account, see accounts.claim)."""
        if self.backend is not None and key == self.backend.key and not self.demo:
            return  # the key in use, saved again: nothing changes
        self.restart_backend(key, demo=False)

    def key_removed(self) -> None:
        """No key any more: back to the demo."""
        self.restart_backend(None, demo=True)
        self.notify(Notice("Maton key removed", "trayapp runs on the demo until a key is saved."))

    def settings_saved(self) -> None:
        """Settings saved something: apply what changed, nothing more."""
        self.tray.left_click = self.config.left_click
        if self.backend is None or self.demo:
            self.render()
            return
        if self.runtime is not None:
            chosen = self.backend.chosen_workspaces()
            self.runtime.net_call(partial(Backend.use_workspaces, chosen=chosen))
        self.track_on(self.service)

    # -- quitting ---------------------------------------------------------------------------------
    def quit(self) -> None:
        self.shutdown()
        self.qapp.quit()

    def shutdown(self) -> None:
        """Release everything (threads, sockets, grabs, the demo server); safe to repeat."""
        if self.hotkeys is not None:
            self.hotkeys.close()
            self.hotkeys = None
        self.tray.icon.hide()
        self.notifications.close()
        self.away.close()  # the delay lock let go
        if self.settings_window is not None:  # first: it may still ask the backend something
            self.settings_window.close()
        self.windows.close_all()
        self.manager.close()
        self.sheet.close()  # deletions waiting out their Undo are handed over first
        self._stop_backend()
        self.qapp.processEvents()  # the answers of work just finished, to whoever waits
        if self.instance is not None:  # only then: a command line is told what was done
            self.instance.close()
            self.instance = None

    # -- wiring -----------------------------------------------------------------------------------
    def _wire(self) -> None:
        t = self.tray
        t.requested.connect(self.dispatch)
        self.windows.requested.connect(self.dispatch)
        t.settings_requested.connect(self.show_settings)
        t.open_web_requested.connect(lambda: open_url(self.service.web_url))
        t.service_chosen.connect(self.track_on)
        t.quit_requested.connect(self.quit)
        t.menu_opening.connect(self.menu_opening)


def unavailable(error: e.TrackerError, fn: Callable[[], Any], done: Done, failed: Failed,
                kind: str) -> None:
    failed(error)  # nothing reaches Maton without a backend (see start_backend)


def live(backend: Backend | None) -> Backend:
    assert backend is not None  # settings run nothing without one (see _make_settings)
    return backend


def tasks_of(account: Account, service: Service, project_id: str) -> list[Task]:
    return account.session(service).tasks(project_id)

