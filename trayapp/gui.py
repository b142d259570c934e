"""Starting the Qt application: the QApplication, the crash dialog, signals, then the tray app
(app.py). Only `trayapp` with no command (or a window command) comes here; one-shot commands
never import Qt."""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from . import APP_ID, APP_NAME, __version__, logs
from .app import TrayApp
from .ui.icons import app_icon


def run(demo: bool = False, verbose: bool = False, initial: dict[str, Any] | None = None) -> int:
    logs.setup(verbose)
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
