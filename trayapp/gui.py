"""Starting the Qt application: the QApplication, the crash dialog, signals, then the tray app
(app.py). Only `trayapp` with no command (or a window command) comes here; one-shot commands
never import Qt."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from typing import Any

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

from . import APP_ID, APP_NAME, __version__, logs, qt_imports, secrets  # noqa: F401 (first)
from .app import TrayApp
from .ui.icons import app_icon


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
    from .ui.crash import install_excepthook

    install_excepthook()
    app = TrayApp(qapp, demo=demo, initial=initial)
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
