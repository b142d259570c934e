"""Starting the Qt application: the QApplication, the tray icon, then the tray app (app.py),
the crash dialog and signals. Only `trayapp` with no command (or a window command) comes here;
one-shot commands never import Qt.

The icon goes on the panel first: the app's own modules (about 150 ms of imports) load on a
thread meanwhile, while the event loop lets the panel embed and paint the icon. The app then
adopts that icon.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from . import APP_ID, APP_NAME, __version__, logs, qt_imports, secrets  # noqa: F401 (first)
from .ui.icons import app_icon, docked, tray_icon

if TYPE_CHECKING:
    from .app import TrayApp


def start(demo: bool = False, verbose: bool = False, initial: dict[str, Any] | None = None
          ) -> tuple[QApplication, TrayApp]:
    """The QApplication and the tray app, ready for the event loop (benchmarks start here)."""
    logs.setup(verbose)
    secrets.isolate()  # the keyring's modules stay out of the long-running process
    QApplication.setApplicationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    qapp = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qapp, QApplication)
    qapp.setQuitOnLastWindowClosed(False)
    qapp.setWindowIcon(app_icon())
    icon = first_icon()
    load_while_shown("trayapp.app", icon)
    from .app import TrayApp
    from .ui.crash import install_excepthook

    install_excepthook()
    app = TrayApp(qapp, demo=demo, initial=initial, icon=icon)
    if initial is not None:
        app.handle_request(initial, lambda answer: None)  # waits for the boot if need be
    quit_on_signals(app)
    if os.environ.get("TRAYAPP_E2E"):
        from .ui.e2e import announce

        announce(app)
    return qapp, app


def run(demo: bool = False, verbose: bool = False, initial: dict[str, Any] | None = None) -> int:
    qapp, _app = start(demo, verbose, initial)
    code = qapp.exec()
    from .worker import ABANDONED

    if ABANDONED:
        # A request is still waiting for its time-out: do not wait for it (its action is
        # safe in the outbox). Exit now, without destroying the running thread.
        logging.shutdown()
        os._exit(code)
    return code


def first_icon() -> QSystemTrayIcon:
    """The stopped icon, on the panel before the app is loaded (its state follows at boot)."""
    icon = QSystemTrayIcon(tray_icon(False))
    icon.setToolTip(f"{APP_NAME} · starting…")
    icon.show()
    return icon


def load_while_shown(module: str, icon: QSystemTrayIcon) -> None:
    """Import `module` on a thread while the event loop runs, so the panel can embed and paint
    the icon meanwhile: Qt does that in C++, without Python. Only imports run there, and no
    Qt object is made off this thread. An import that fails is raised again by the caller's
    own import."""
    thread = threading.Thread(target=_import_quietly, args=(module,), name="trayapp-load",
                              daemon=True)
    loop = QEventLoop()
    announce = bool(os.environ.get("TRAYAPP_E2E"))
    interrupted: list[int] = []  # Ctrl+C meanwhile: noted here, not raised inside check()

    def check() -> None:  # imports nothing: the thread may hold the import lock
        nonlocal announce
        if announce and docked(icon):
            print('E2E {"event": "docked"}', flush=True)
            announce = False
        if thread.is_alive() and not interrupted:
            QTimer.singleShot(5, check)
        else:
            loop.quit()

    previous = signal.signal(signal.SIGINT, lambda number, frame: interrupted.append(number))
    try:
        thread.start()
        QTimer.singleShot(5, check)
        loop.exec()
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise KeyboardInterrupt


def _import_quietly(module: str) -> None:
    try:
        importlib.import_module(module)
    except BaseException:  # noqa: BLE001, S110 (raised again by the import that follows)
        pass


def quit_on_signals(app: TrayApp) -> None:
    """Let Ctrl+C and SIGTERM quit cleanly. Python runs its signal handlers only when it runs
    Python code, and the event loop sleeps in C: the signal also writes a byte to a socket
    that the loop watches, which wakes it only then (no timer polling every half second)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, app.quit))
    if sys.platform == "win32":  # no wake-up socket for the loop there: poll, as Qt suggests
        heartbeat = QTimer(app)
        heartbeat.timeout.connect(lambda: None)
        heartbeat.start(500)
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def woke() -> None:  # running this Python code runs the handler above
        try:
            reader.recv(64)
        except OSError:
            pass

    notifier.activated.connect(woke)
    # Kept as long as the app: closing the pair would silence the signals.
    app._signal_wakeup = (reader, writer, notifier)  # type: ignore[attr-defined]
