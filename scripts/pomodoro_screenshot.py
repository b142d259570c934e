"""Take the README's Pomodoro menu screenshot from the real app (inside scripts/desktop-session):

    dbus-run-session -- bash scripts/desktop-session .venv/bin/python scripts/pomodoro_screenshot.py

Starts `trayapp --demo` with Pomodoro on and two favorites pinned, starts a timer from the
command line, opens the tray menu with a real right click and saves
docs/screenshots/pomodoro-menu.png."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.e2e import AppProcess, xdo  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "pomodoro-menu.png"
SHOT = """
import sys
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(["shot"])
x, y, w, h = map(int, sys.argv[2:6])
app.primaryScreen().grabWindow(0).toImage().copy(QRect(x, y, w, h)).save(sys.argv[1])
"""


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="trayapp-pomodoro-"))
    (home / "runtime").mkdir(mode=0o700)
    (home / "config" / "trayapp").mkdir(parents=True)
    settings = {"pomodoro": True, "welcomed": True, "favorites": [
        {"description": "Standup", "tags": ["meeting"]},
        {"description": "Code review", "name": "Review pull requests", "billable": True}]}
    (home / "config" / "trayapp" / "settings.json").write_text(json.dumps(settings))
    env = {"XDG_RUNTIME_DIR": str(home / "runtime"), "TRAYAPP_HOTKEYS": "none"}
    app = AppProcess(["--demo"], env, home)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="demo sync")
        icon = (ready["x"] + ready["w"] // 2, ready["y"] + ready["h"] // 2)
        cli_env = dict(os.environ, XDG_RUNTIME_DIR=env["XDG_RUNTIME_DIR"],
                       XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
        subprocess.run([sys.executable, "-m", "trayapp", "--demo", "start", "Writing report",
                        "--project", "Reports", "--tags", "deep-work", "--at", "-7m"],
                       check=True, timeout=30, env=cli_env)
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Writing report",
                   what="running")
        time.sleep(1.5)
        xdo("mousemove", *icon, "click", "3")
        menu = app.expect(lambda ev: ev["event"] == "menu" and not ev["title"], what="menu")
        time.sleep(0.4)
        top = ready["y"]  # the icon (its Pomodoro ring) above the menu
        x, w = menu["x"] - 10, max(menu["w"], icon[0] - menu["x"] + 30) + 20
        OUT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", SHOT, str(OUT), str(max(0, x)), str(max(0, top)),
                        str(w), str(menu["y"] + menu["h"] - top + 10)], check=True, timeout=30,
                       env=dict(os.environ, QT_QPA_PLATFORM="xcb"))
        print("saved", OUT)
        xdo("key", "Escape")
    finally:
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
