"""SIGTERM and Ctrl+C quit the running app through a wake-up socket, with no timer polling
for them (issue 14: idle wake-ups)."""

from __future__ import annotations

import os
import signal

from PySide6.QtCore import QObject

from trayapp.gui import quit_on_signals


class _App(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.quits = 0

    def quit(self) -> None:
        self.quits += 1


def test_sigterm_wakes_the_loop_and_quits(qtbot):
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    app = _App()
    try:
        quit_on_signals(app)  # type: ignore[arg-type]
        assert not [t for t in app.findChildren(QObject) if type(t).__name__ == "QTimer"]
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: app.quits == 1, timeout=5000)
    finally:
        signal.set_wakeup_fd(-1)
        for sig, handler in saved.items():
            signal.signal(sig, handler)
