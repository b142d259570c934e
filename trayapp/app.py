"""The composition root: builds the workers, the tray and the windows, and wires them.

Two worker threads share one Account: `local` applies user actions to the store (milliseconds,
never behind a slow request, so an action is on disk before anything else happens) and `net`
does every request (flush, sync, connections). Every user action follows one path:
tray/hotkey/command -> a slot here -> `local` applies it -> the new Snapshot to the tray ->
`net` sends it (flush) -> the reconciled Snapshot. The GUI thread never waits on the network.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from . import APP_ID, APP_NAME, __version__, ipc, logs
from . import secrets as keystore
from .config import Config, gateway_url
from .core import errors as e
from .core.durations import utcnow
from .core.models import EntryDraft, Service, TimeEntry
from .paths import store_path
from .sync.schedule import SyncPolicy
from .sync.snapshot import Snapshot
from .ui.browser import open_url
from .ui.icons import app_icon, docked
from .ui.tray import Tray
from .worker import Done, Failed, Worker

if TYPE_CHECKING:
    from .sync.account import Account
    from .sync.session import Session

log = logging.getLogger(__name__)

DEMO_KEY = "demo-key"


def when_shown(icon: QSystemTrayIcon, then: Callable[[], None], limit_ms: int = 300) -> None:
    """Call `then` once the panel has embedded the icon (or after `limit_ms`: a D-Bus tray
    reports no geometry), so that start-up work never delays the icon itself."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        QTimer.singleShot(0, then)
        return
    waited = [0]

    def check() -> None:
        if docked(icon) or waited[0] >= limit_ms:
            # A few more milliseconds of event loop first, so the icon gets painted.
            QTimer.singleShot(30, then)
            return
        waited[0] += 10
        QTimer.singleShot(10, check)

    QTimer.singleShot(0, check)


class TrayApp(QObject):
    hotkeys_changed = Signal(dict)  # action -> error, after (re)binding the shortcuts
    booted = Signal()  # the backend is up (the icon shows before it)

    def __init__(self, qapp: QApplication, *, demo: bool = False,
                 initial: dict | None = None) -> None:
        super().__init__()
        self.qapp = qapp
        self.initial = initial  # the command this process was started with, if any
        self.config = Config.load()
        self.demo_server: Any = None
        self.account: Account | None = None
        self.local: Worker | None = None  # store-only work: user actions, snapshots
        self.net: Worker | None = None  # every request
        self.snapshot: Snapshot | None = None
        self.services: list[Service] = []
        self.settings_window: Any = None
        self._syncing = False
        self.policy = SyncPolicy()
        self._dialogs: list[Any] = []
        self._told: set[int] = set()  # refused changes already notified
        self.instance: Any = None  # the command socket (platform/single_instance.py)

        self.tray = Tray(self, left_click=self.config.left_click)
        self._wire_tray()
        self.hotkeys: Any = None  # created at boot
        self.key: str | None = None  # the Maton key in use (never logged: see logs.REDACT)
        self.is_booted = False
        self.hotkey_errors: dict[str, str] = {}
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.timeout.connect(lambda: self.sync(catalog=False))
        self.demo = demo
        # The icon first; the rest (HTTP stack, store, hotkeys) once it is on the panel.
        self.tray.show()
        when_shown(self.tray.icon, lambda: self._boot(demo))

    def _boot(self, demo: bool) -> None:
        from .platform.hotkeys import create_backend
        from .platform.single_instance import InstanceServer

        # One tray per user: claim the command socket before touching the store, so two
        # instances never replay the same outbox. (The command line already checked; this
        # closes the race of two launches at the same moment.)
        self.instance = InstanceServer()
        if not self.instance.claim():
            ipc.send(self.initial or {"command": "activate", "args": {}})
            self.quit()
            return
        self.instance.request.connect(self.handle_request)
        logs.to_file()
        key_problem: e.TrackerError | None = None
        key: str | None = None
        if not demo:
            try:
                key = keystore.get_key()
            except e.KeyringUnavailable as exc:
                key_problem = exc
        self.demo = demo or key is None
        self._start_backend(key)
        self.hotkeys = create_backend(self)
        self.hotkeys.activated.connect(self.hotkey)
        self.hotkeys.errors_changed.connect(self._hotkey_errors_changed)
        self.register_hotkeys()
        if self.demo and not demo:
            # First launch without a key: explain, offer the demo that is already running.
            self.show_settings(first_launch=True, problem=key_problem)
        self.is_booted = True
        self.booted.emit()

    # -- backend -----------------------------------------------------------------------------
    def _start_backend(self, key: str | None, forget_cache: bool = False) -> None:
        from .sync.account import Account  # the HTTP stack: imported after the icon shows

        if self.demo:
            from .emulator import Emulator, serve

            self.demo_server = serve(Emulator(api_key=DEMO_KEY, seed=True), "127.0.0.1", 0)
            base_url, key, path = self.demo_server.base_url, DEMO_KEY, store_path(demo=True)
            path.unlink(missing_ok=True)  # the demo starts fresh, like its emulator
            connections: dict[str, str] = {}
            self.services = [Service.TOGGL, Service.CLOCKIFY]
        else:
            base_url, path = gateway_url(), store_path()
            connections = dict(self.config.connections)
            self.services = self.config.connected()
        logs.REDACT.secrets.add(key or "")
        self.key = key
        workspaces = {} if self.demo else dict(self.config.workspaces)

        self.account = Account(key, base_url, path, connections, workspaces)
        account = self.account
        if forget_cache:  # before any worker can read it
            account.forget_cache()
        self.local = Worker(lambda: account, self, "trayapp-local", owns_backend=False)
        self.net = Worker(lambda: account, self, "trayapp-net", owns_backend=False)
        self.tray.demo = self.demo
        self.call(lambda a: a.session(self.service).snapshot(), self.show)  # instant, local
        if not self.demo and not self.services:
            self.discover_connections()
        else:
            self.sync()

    @property
    def service(self) -> Service:
        if self.config.service and Service(self.config.service) in self.services:
            return Service(self.config.service)
        return self.services[0] if self.services else Service.TOGGL

    def call(self, fn: Callable[[Account], Any], done: Callable[[Any], None] | None = None,
             kind: str | None = "snapshot") -> None:
        """Local work (the store only): never waits behind a request."""
        assert self.local is not None
        self.local.call(fn, done or self.show, self.failed, kind=kind)

    def net_call(self, fn: Callable[[Account], Any], done: Callable[[Any], None] | None = None,
                 failed: Failed | None = None, kind: str | None = "net") -> None:
        assert self.net is not None
        self.net.call(fn, done or self.show, failed or self.failed, kind=kind)

    def act(self, action: Callable[[Session], Snapshot], *, then_flush: bool = True,
            service: Service | None = None, done: Done | None = None,
            failed: Failed | None = None) -> None:
        """Apply a user action locally (fast, on disk), show it, then send it."""
        service = service or self.service

        def applied(snapshot: Snapshot) -> None:
            self.show(snapshot)
            if then_flush:  # only now: the action is in the outbox, on disk
                self.net_call(lambda a: a.session(service).flush(), kind=None)
            if done is not None:
                done(snapshot)

        def refused(error: e.TrackerError) -> None:
            self.failed(error)
            if failed is not None:
                failed(error)

        assert self.local is not None
        self.local.call(lambda a: action(a.session(service)), applied, refused, kind=None)

    def discover_connections(self) -> None:
        """First run with a key: which services are connected? (Maton, not Toggl's quota.)"""
        def found(connections: list) -> None:
            active = [c for c in connections if c.status.value == "ACTIVE"]
            for conn in sorted(active, key=lambda c: c.created or utcnow(), reverse=True):
                self.config.connections[conn.app] = conn.id
            self.config.save()
            self.services = self.config.connected()
            if not self.services:
                self.failed(e.NoConnection("No Toggl Track or Clockify account is connected."))
                self.show_settings()
                return
            self.call(lambda a: self._adopt_connections(a))
            self.sync()

        self.net_call(lambda a: a.connections.list(), found, kind="connections")

    def _adopt_connections(self, account: Account) -> Snapshot:
        for service in Service:
            account.use_connection(service, self.config.connections.get(service.value))
        return account.session(self.service).snapshot()

    # -- results ------------------------------------------------------------------------------
    def show(self, snapshot: Snapshot | None) -> None:
        if snapshot is None or snapshot.service is not self.service:
            return
        current = self.snapshot
        if current is not None and current.service is snapshot.service \
                and snapshot.version < current.version:
            return  # produced before a newer one that is already shown (two threads)
        self.snapshot = snapshot
        self.tray.set_snapshot(snapshot, self.services)
        fresh = [p for p in snapshot.problems if p.seq not in self._told]
        if fresh:  # a change the server refused: say so once; the menu offers retry/discard
            self._told.update(p.seq for p in fresh)
            first = fresh[0]
            self.tray.icon.showMessage(
                f"Not saved: {first.title}",
                f"“{first.description}”: {first.message} Open the menu to try again or "
                "discard the change.")

    def failed(self, error: e.TrackerError) -> None:
        log.warning("%s: %s", error.title, error.message)
        self.tray.icon.showMessage(error.title, error.text)
        # Nothing to show yet (e.g. an unusable key): an empty state that names the problem,
        # so the menu offers Settings instead of "Loading…" forever.
        base = self.snapshot or Snapshot(service=self.service)
        self.show(replace(base, error=error))

    def synced(self, snapshot: Snapshot) -> None:
        self._syncing = False
        previous = self.snapshot.error if self.snapshot else None
        self.show(snapshot)
        error = snapshot.error
        if error is not None and not error.transient and type(error) is not type(previous):
            # Something only the user can fix (key, connection): say it once, plainly.
            self.tray.icon.showMessage(error.title, error.text)
        self.schedule(snapshot)

    def schedule(self, snapshot: Snapshot) -> None:
        """The next automatic sync: slow when all is well, backing off when offline, not
        before the quota resets when it is used up, and not at all while the key or the
        connection is wrong (the next user action or settings change tries again)."""
        delay = self.policy.next_delay(snapshot, utcnow())
        if delay is None:
            self.refresh_timer.stop()
            return
        self.refresh_timer.start(max(1000, int(delay.total_seconds() * 1000)))

    # -- actions --------------------------------------------------------------------------------
    def sync(self, catalog: bool | None = None) -> None:
        if self._syncing:
            return
        self._syncing = True
        service = self.service

        def failed(error: e.TrackerError) -> None:
            self._syncing = False
            self.failed(error)

        self.net_call(lambda a: a.session(service).sync(catalog), self.synced, failed,
                      kind="sync")

    def menu_opening(self) -> None:
        if self.policy.on_menu(self.snapshot, utcnow()):
            self.sync()

    def start(self, draft: EntryDraft, done: Done | None = None,
              service: Service | None = None, failed: Failed | None = None) -> None:
        if self.snapshot is not None and service in (None, self.service):
            # Optimistic: the tray changes before anything else happens.
            now = utcnow().replace(microsecond=0)
            provisional = TimeEntry(id="pending", workspace_id="", start=now,
                                    description=draft.description, project_id=draft.project_id,
                                    tags=draft.tags, billable=draft.billable)
            self.tray.set_snapshot(replace(self.snapshot, running=provisional,
                                           pending=self.snapshot.pending + 1))
        self.act(lambda s: s.start(draft), service=service, done=done, failed=failed)

    def stop(self, done: Done | None = None, service: Service | None = None,
             failed: Failed | None = None) -> None:
        if service in (None, self.service):
            if self.snapshot is None or self.snapshot.running is None:
                return
            self.tray.set_snapshot(replace(self.snapshot, running=None,
                                           pending=self.snapshot.pending + 1))
        self.act(lambda s: s.stop(), service=service, done=done, failed=failed)

    def continue_last(self, done: Done | None = None, failed: Failed | None = None) -> None:
        last = self.snapshot.last_stopped if self.snapshot else None
        if last is not None:
            self.start(EntryDraft.from_entry(last), done, failed=failed)

    def choose_service(self, service: Service) -> None:
        if self.config.service != service.value:
            self.config.service = service.value
            self.config.save()
        self.snapshot = None
        self.call(lambda a: a.session(service).snapshot())
        self.sync()

    def open_web(self) -> None:
        open_url(self.service.web_url)

    # -- commands from the command line and hotkeys ----------------------------------------------
    def handle_request(self, message: dict, reply: Callable[[dict], None]) -> None:
        """A command handed over by a second `trayapp` process (see ipc.py)."""
        from . import commands

        if not self.is_booted:  # arrived during the first fraction of a second
            self.booted.connect(lambda: self.handle_request(message, reply))
            return
        command = message.get("command")
        args = message.get("args") or {}
        wanted = args.get("service")
        if wanted and Service(wanted) not in self.services:
            reply({"ok": False, "message": f"{Service(wanted).title} is not connected."})
            return
        service = Service(wanted) if wanted else self.service
        snapshot = self.snapshot

        def answer(snap: Snapshot) -> None:
            data = commands.status(snap, demo=self.demo)
            reply({"ok": True, "status": data, "message": commands.status_line(data)})

        def refused(error: e.TrackerError) -> None:
            reply({"ok": False, "message": f"{error.title}: {error.message}"})

        def toggle(session: Session) -> Snapshot:
            return session.stop() if session.snapshot().running else session.continue_last()

        try:
            if command == "status":
                if snapshot is None or service is not self.service:
                    self.call(lambda a: a.session(service).snapshot(), answer, kind=None)
                else:
                    answer(snapshot)
            elif command in ("start", "stop", "toggle") and service is not self.service:
                # The other service: work from its own data (projects, running entry).
                action = {"start": lambda s: s.start(commands.draft_from(s.snapshot(), args)),
                          "stop": lambda s: s.stop(), "toggle": toggle}[command]
                self.act(action, service=service, done=answer, failed=refused)
            elif command == "start":
                if snapshot is None:
                    raise e.TrackerError("trayapp is still starting; try again in a moment.")
                self.start(commands.draft_from(snapshot, args), answer, service, refused)
            elif command in ("stop", "toggle"):
                running = snapshot is not None and snapshot.running is not None
                if running:
                    self.stop(answer, service, refused)
                elif command == "toggle" and snapshot and snapshot.last_stopped:
                    self.continue_last(answer, refused)
                else:
                    reply({"ok": False, "message": "No timer is running."})
            elif command == "menu":
                self.tray.popup_menu()
                reply({"ok": True})
            elif command == "settings" or command == "activate":
                self.show_settings()
                reply({"ok": True, "message": "trayapp is already running."})
            else:
                reply({"ok": False, "message": f"Unknown command {command!r}."})
        except e.TrackerError as exc:
            reply({"ok": False, "message": f"{exc.title}: {exc.message}"})
        except Exception as exc:  # a bug must not leave the command line waiting
            log.exception("command %r failed", command)
            reply({"ok": False, "message": f"Internal error: {type(exc).__name__}"})

    def hotkey(self, action: str) -> None:
        """A global hotkey: the same slots the tray menu uses."""
        log.info("hotkey: %s", action)
        if action == "toggle":
            self.tray.quick_action("toggle_timer")  # stop, or continue the last entry
        elif action == "stop":
            self.stop()
        elif action == "quick_start":
            self.quick_start()
        elif action == "new_timer":
            self.new_timer()
        elif action == "menu":
            self.tray.popup_menu()

    def register_hotkeys(self, bindings: dict[str, str] | None = None) -> dict[str, str]:
        """(Re)bind the global shortcuts; returns action -> why it could not be bound."""
        from .platform.hotkeys import DEFAULT_BINDINGS

        wanted = {**DEFAULT_BINDINGS, **(bindings if bindings is not None
                                         else self.config.hotkeys)}
        self.hotkey_errors = self.hotkeys.register(wanted)
        for action, why in self.hotkey_errors.items():
            log.warning("shortcut for %s not set: %s", action, why)
        self.hotkeys_changed.emit(self.hotkey_errors)
        return self.hotkey_errors

    # -- windows --------------------------------------------------------------------------------
    def new_timer(self) -> None:
        self._entry_dialog(None)

    def edit_running(self) -> None:
        if self.snapshot and self.snapshot.running:
            self._entry_dialog(self.snapshot.running)

    def _entry_dialog(self, entry: TimeEntry | None) -> None:
        from .ui.entry_dialog import EntryDialog

        if self.snapshot is None:
            return
        dialog = EntryDialog(self.snapshot, entry)
        service = self.service

        def tasks_wanted(project_id: str) -> None:
            self.net_call(lambda a: a.session(service).tasks(project_id),
                          lambda tasks: dialog.set_tasks(project_id, tasks), kind=None)

        dialog.tasks_wanted.connect(tasks_wanted)

        dialog.accepted.connect(lambda: self._entry_accepted(dialog, entry))
        self._keep(dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _entry_accepted(self, dialog: Any, entry: TimeEntry | None) -> None:
        if entry is None:
            self.start(dialog.draft())
            return
        changes = dialog.changes()
        if changes:
            self.act(lambda s: s.update(entry.id, **changes))

    def project_search(self) -> None:
        from .ui.project_picker import ProjectPicker

        if self.snapshot is None:
            return
        picker = ProjectPicker(list(self.snapshot.projects), allow_none=False)
        projects = self.snapshot.project_by_id

        def chosen() -> None:
            project = projects.get(picker.selected_project_id or "")
            if project is not None:
                self.start(EntryDraft(project_id=project.id, billable=project.billable))

        picker.accepted.connect(chosen)
        self._keep(picker)
        picker.show()
        picker.activateWindow()

    def quick_start(self) -> None:
        from .ui.quick_start import QuickStart

        if self.snapshot is None:
            self.tray.popup_menu()
            return
        popup = QuickStart(self.snapshot)
        popup.start_requested.connect(self.start)
        self._keep(popup)
        popup.popup_at_cursor()

    def _keep(self, window: Any) -> None:
        """Hold a reference while a window is open (windows here have no parent)."""
        self._dialogs.append(window)
        window.finished.connect(lambda *_: self._dialogs.remove(window)
                                if window in self._dialogs else None)

    def show_settings(self, first_launch: bool = False,
                      problem: e.TrackerError | None = None) -> None:
        from .ui.settings import SettingsWindow

        if self.settings_window is None:
            assert self.net is not None
            window = SettingsWindow(self.net, self.config, demo=self.demo)
            window.add_section(self._shortcuts_section())
            window.key_changed.connect(self.key_changed)
            window.connections_changed.connect(self.connections_changed)
            window.config_changed.connect(self.config_changed)
            window.demo_requested.connect(self.demo_requested)
            self.settings_window = window
        if first_launch:
            self.settings_window.set_first_launch(True)
        if problem is not None and hasattr(self.settings_window, "show_error"):
            self.settings_window.show_error(problem)
        self.settings_window.show_and_raise()

    def key_changed(self, key: str) -> None:
        """A saved key: leave the demo (if running) and start over on the real account."""
        other_account = key != self.key
        if other_account and not self.demo:
            # Another Maton account has other connections (and maybe other data): find them
            # again and drop the cache. Unsent actions stay queued.
            self.config.connections.clear()
            self.config.workspaces.clear()
            self.config.service = None
            self.config.save()
        reopen = self.settings_window is not None and self.settings_window.isVisible()
        self._restart_backend(demo=False, key=key, forget_cache=other_account)
        if reopen:
            self.show_settings()

    def connections_changed(self) -> None:
        if self.demo:
            return
        self.services = self.config.connected()
        self.call(lambda a: self._adopt_connections(a))
        self.sync(catalog=True)

    def config_changed(self) -> None:
        """Settings saved something: apply what changed, nothing more."""
        self.tray.left_click = self.config.left_click
        if self.demo:
            return
        if self.account is not None:
            for service in self.services:
                wid = self.config.workspaces.get(service.value)
                if wid and wid != self.account.workspace_ids.get(service.value):
                    self.net_call(lambda a, s=service, w=wid: a.use_workspace(s, w), kind=None)
        if self.snapshot is None or self.snapshot.service is not self.service:
            self.choose_service(self.service)
        else:
            self.sync()

    def _shortcuts_section(self) -> Any:
        from PySide6.QtWidgets import QGroupBox, QVBoxLayout

        from .platform.hotkeys import DEFAULT_BINDINGS
        from .ui.hotkey_editor import HotkeyEditor

        box = QGroupBox("Keyboard shortcuts")
        editor = HotkeyEditor({**DEFAULT_BINDINGS, **self.config.hotkeys})
        editor.set_backend_status(self.hotkeys.available, self.hotkeys.unavailable_reason)
        editor.set_errors(self.hotkey_errors)
        self.hotkeys_changed.connect(editor.set_errors)

        def edited(bindings: dict[str, str]) -> None:
            if bindings == {**DEFAULT_BINDINGS, **self.config.hotkeys}:
                return  # each portal registration may ask the user again: only on change
            self.config.hotkeys = dict(bindings)
            self.config.save()
            self.register_hotkeys(bindings)

        editor.changed.connect(edited)
        QVBoxLayout(box).addWidget(editor)
        return box

    def demo_requested(self) -> None:
        if self.settings_window is not None:
            self.settings_window.hide()
        self.tray.popup_menu()

    def _restart_backend(self, demo: bool, key: str | None, forget_cache: bool = False) -> None:
        self._stop_workers()
        if self.demo_server is not None:
            self.demo_server.close()
            self.demo_server = None
        self.snapshot = None
        self._syncing = False
        self.demo = demo
        if self.settings_window is not None:
            self.settings_window.close()
            self.settings_window.deleteLater()
            self.settings_window = None
        self._start_backend(key, forget_cache)

    def _hotkey_errors_changed(self, errors: dict[str, str]) -> None:
        self.hotkey_errors = errors
        self.hotkeys_changed.emit(errors)

    def quit(self) -> None:
        self.shutdown()
        self.qapp.quit()

    def shutdown(self) -> None:
        """Release everything (threads, sockets, grabs, the demo server); safe to repeat."""
        self.refresh_timer.stop()
        if self.hotkeys is not None:
            self.hotkeys.close()
            self.hotkeys = None
        if self.instance is not None:
            self.instance.close()
            self.instance = None
        self.tray.icon.hide()
        self._stop_workers()
        if self.demo_server is not None:
            self.demo_server.close()
            self.demo_server = None
        for window in [self.settings_window, *self._dialogs]:
            if window is not None:
                window.close()

    def _stop_workers(self) -> None:
        if self.account is not None and self.account.gateway is not None:
            # Abort a request in flight (it may wait up to its time-out): its action stays
            # in the outbox, and the network thread can finish at once.
            self.account.gateway.close()
        for worker in (self.local, self.net):
            if worker is not None and worker.shutdown():
                worker.deleteLater()
        self.local = self.net = None
        if self.account is not None:
            self.account.close()
            self.account = None

    # -- wiring ----------------------------------------------------------------------------------
    def _wire_tray(self) -> None:
        t = self.tray
        t.start_requested.connect(self.start)
        t.stop_requested.connect(self.stop)
        t.continue_requested.connect(self.continue_last)
        t.new_timer_requested.connect(self.new_timer)
        t.edit_requested.connect(self.edit_running)
        t.project_search_requested.connect(self.project_search)
        t.quick_start_requested.connect(self.quick_start)
        t.sync_requested.connect(lambda: self.sync(catalog=True))
        t.settings_requested.connect(self.show_settings)
        t.open_web_requested.connect(self.open_web)
        t.service_chosen.connect(self.choose_service)
        t.retry_requested.connect(lambda seq: self.act(lambda s: s.retry(seq)))
        t.drop_requested.connect(lambda seq: self.act(lambda s: s.drop(seq), then_flush=False))
        t.quit_requested.connect(self.quit)
        t.menu_opening.connect(self.menu_opening)


def run(demo: bool = False, verbose: bool = False, initial: dict | None = None) -> int:
    logs.setup(verbose)
    QApplication.setApplicationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    qapp = QApplication.instance() or QApplication(sys.argv)
    qapp.setQuitOnLastWindowClosed(False)
    qapp.setWindowIcon(app_icon())
    app = TrayApp(qapp, demo=demo, initial=initial)
    if initial is not None:
        app.handle_request(initial, lambda answer: None)  # waits for the boot if need be
    # Let Ctrl+C and SIGTERM quit cleanly: Python handles signals only between Qt events.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, app.quit))
    heartbeat = QTimer()
    heartbeat.start(500)
    heartbeat.timeout.connect(lambda: None)
    if os.environ.get("TRAYAPP_E2E"):
        from .ui.e2e import announce

        announce(app)
    code = qapp.exec()
    from .worker import ABANDONED

    if ABANDONED:
        # A request is still waiting for its time-out: do not wait for it (its action is
        # safe in the outbox). Exit now, without destroying the running thread.
        logging.shutdown()
        os._exit(code)
    return code
