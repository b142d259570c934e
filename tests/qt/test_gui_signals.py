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


def _slow_module(tmp_path, monkeypatch, name: str, body: str) -> None:
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))


def test_ctrl_c_while_the_app_loads_stops_at_once(qtbot, tmp_path, monkeypatch):
    """The first icon shows while the app's modules load on a thread: a Ctrl+C then once
    left the loading loop without its next check, and the app hung with its icon."""
    import time

    import pytest
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QSystemTrayIcon

    from trayapp.gui import load_while_shown

    _slow_module(tmp_path, monkeypatch, "slow_to_load", "import time\ntime.sleep(3)\n")
    icon = QSystemTrayIcon()
    QTimer.singleShot(100, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        load_while_shown("slow_to_load", icon)
    assert time.monotonic() - started < 2.0  # not after the 3 s import
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_module_that_fails_to_load_fails_in_the_caller(qtbot, tmp_path, monkeypatch):
    import importlib

    import pytest
    from PySide6.QtWidgets import QSystemTrayIcon

    from trayapp.gui import load_while_shown

    _slow_module(tmp_path, monkeypatch, "broken_to_load", "raise RuntimeError('broken')\n")
    load_while_shown("broken_to_load", QSystemTrayIcon())  # the loop ends, nothing raised
    with pytest.raises(RuntimeError, match="broken"):
        importlib.import_module("broken_to_load")  # the caller's own import says why
