"""Take the README's idle-question and reminder screenshots from the real app (inside
scripts/desktop-session):

    dbus-run-session -- bash scripts/desktop-session .venv/bin/python scripts/away_screenshots.py

Runs the demo app in this process on the virtual display (xcb, the tray host of the session),
starts a timer 52 minutes ago, then tells the app the computer slept from 40 to 5 minutes ago
(the sleep controller's clock is set back; "ask on return" is the setting): the idle question
it raises is saved as docs/screenshots/idle-question.png. Then the "Still working on it?"
reminder is made due (the reminder rules' clock is moved on) and what the app shows for it on
this desktop (the tray balloon: the session has no notification server) is saved as
docs/screenshots/reminder.png."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOME = Path(tempfile.mkdtemp(prefix="trayapp-away-"))
for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
    os.environ[var] = str(HOME / var.lower())
os.environ.update(QT_QPA_PLATFORM="xcb", TRAYAPP_HOTKEYS="none", TRAYAPP_IDLE="none",
                  TRAYAPP_SESSION_EVENTS="none")

from PySide6.QtCore import QElapsedTimer, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from trayapp.app import TrayApp  # noqa: E402
from trayapp.control.actions import Request  # noqa: E402
from trayapp.core.durations import format_timestamp, utcnow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait_until(qapp: QApplication, condition, what: str, ms: int = 20_000) -> None:
    clock = QElapsedTimer()
    clock.start()
    while not condition():
        if clock.elapsed() > ms:
            raise SystemExit(f"timed out waiting for {what}")
        qapp.processEvents()


def pause(qapp: QApplication, ms: int) -> None:
    clock = QElapsedTimer()
    clock.start()
    while clock.elapsed() < ms:
        qapp.processEvents()


def main() -> int:
    qapp = QApplication(["trayapp"])
    qapp.setQuitOnLastWindowClosed(False)
    app = TrayApp(qapp, demo=True)
    try:
        wait_until(qapp, lambda: bool(app.snapshot and app.snapshot.last_sync), "demo sync")
        now = utcnow().replace(second=0, microsecond=0)
        app.dispatch(Request("start", {"description": "Writing report", "project": "Reports",
                                       "at": format_timestamp(now - timedelta(minutes=52))}))
        wait_until(qapp, lambda: app.tray.running()[1] is not None
                   and app.tray.running()[1].description == "Writing report", "running timer")
        # The idle question, raised the way a real sleep raises it (on_sleep = "ask").
        app.config.on_sleep = "ask"
        moment = [now - timedelta(minutes=40)]
        app.away.rules.clock = lambda: moment[0]
        app.away.going("sleep")
        moment[0] = now - timedelta(minutes=5)
        app.away.back("sleep")
        window = app.idle.window
        assert window is not None
        wait_until(qapp, window.isVisible, "the idle question")
        pause(qapp, 600)
        OUT.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(OUT / "idle-question.png"))
        print("saved", OUT / "idle-question.png")
        window.close()
        # A reminder: "Still working on it?" once a timer is an hour old (clock moved on).
        app.config.remind_hours = 1
        app.reminders.settings_changed()
        reminder = app.reminders.state.due(utcnow() + timedelta(hours=1))
        assert reminder is not None, "no reminder due"
        app.reminders.show(reminder)
        wait_until(qapp, lambda: any(w.isVisible() and type(w).__name__ != "IdleQuestion"
                                     and w.metaObject().className() == "QBalloonTip"
                                     for w in qapp.topLevelWidgets()), "the reminder")
        pause(qapp, 800)
        tip = next(w for w in qapp.topLevelWidgets()
                   if w.isVisible() and w.metaObject().className() == "QBalloonTip")
        icon = app.tray.icon.geometry()
        area = tip.frameGeometry().united(icon).adjusted(-8, -8, 8, 8)
        area = area.intersected(QRect(0, 0, 1280, 800))
        shot = qapp.primaryScreen().grabWindow(0).copy(area)
        shot.save(str(OUT / "reminder.png"))
        print("saved", OUT / "reminder.png")
    finally:
        app.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
