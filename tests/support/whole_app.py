"""The whole app in-process (offscreen, pytest-qt) against the emulator with a key, synced
once: what the window and controller tests drive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication

from trayapp.app import TrayApp

from ..conftest import TEST_KEY

WAIT = 10_000  # ms: the first sync against the emulator


@contextmanager
def whole_app(qtbot, emulator, monkeypatch, **env: str) -> Iterator[TrayApp]:
    """No global shortcuts and no balloons (nothing to show them on); `env`: more settings
    of the environment, e.g. TRAYAPP_IDLE="none"."""
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("PySide6.QtWidgets.QSystemTrayIcon.showMessage", lambda *a: None)
    app = TrayApp(QApplication.instance())
    try:
        qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync), timeout=WAIT)
        yield app
    finally:
        app.shutdown()
