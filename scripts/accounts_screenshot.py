"""Take the README's accounts screenshot from the real app (inside scripts/desktop-session):

    dbus-run-session -- bash scripts/desktop-session .venv/bin/python scripts/accounts_screenshot.py

Serves the emulator (both services connected, and a second Toggl Track connection, so the
choice of connection shows), runs the app in this process against it on the virtual display
(xcb), opens Settings and saves its Accounts section as docs/screenshots/accounts.png."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOME = Path(tempfile.mkdtemp(prefix="trayapp-accounts-"))
for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
    os.environ[var] = str(HOME / var.lower())
KEY = "screenshot-key"

from PySide6.QtCore import QElapsedTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from trayapp.core.models import Service  # noqa: E402
from trayapp.emulator import Emulator, serve  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait_until(qapp: QApplication, condition, what: str, ms: int = 20_000) -> None:
    clock = QElapsedTimer()
    clock.start()
    while not condition():
        if clock.elapsed() > ms:
            raise SystemExit(f"timed out waiting for {what}")
        qapp.processEvents()


def main() -> int:
    emulator = Emulator(api_key=KEY, seed=True)
    server = serve(emulator, "127.0.0.1", 0)
    emulator.connection_store.make(Service.TOGGL.value, "ACTIVE")  # a second account
    os.environ.update(MATON_API_KEY=KEY, TRAYAPP_GATEWAY_URL=server.base_url,
                      QT_QPA_PLATFORM="xcb", TRAYAPP_HOTKEYS="none", TRAYAPP_IDLE="none",
                      TRAYAPP_SESSION_EVENTS="none")
    from trayapp.app import TrayApp

    qapp = QApplication(["trayapp"])
    qapp.setQuitOnLastWindowClosed(False)
    app = TrayApp(qapp)
    try:
        wait_until(qapp, lambda: bool(app.snapshot and app.snapshot.last_sync), "first sync")
        app.show_settings()
        window = app.settings_window
        assert window is not None
        section = window.accounts
        rows = section.rows.values()
        wait_until(qapp, lambda: all(r.who.isVisible() and "Account:" in r.who.text()
                                     for r in rows), "the accounts")
        wait_until(qapp, lambda: section.rows[Service.TOGGL].choice.isVisible(), "the choice")
        OUT.mkdir(parents=True, exist_ok=True)
        section.grab().save(str(OUT / "accounts.png"))
        print("saved", OUT / "accounts.png")
    finally:
        app.shutdown()
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
