"""Take the README screenshots from the real app (run inside scripts/desktop-session):

    dbus-run-session -- bash scripts/desktop-session .venv/bin/python scripts/screenshots.py

Starts `trayapp --demo` on the virtual display, opens the tray menu with a real right click,
the settings window, the new-timer dialog and the timesheet (its day and week views, by its
global shortcut and Ctrl+2), and saves cropped PNGs to docs/screenshots/."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.e2e import AppProcess, xdo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SHOT = """
import sys
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(["shot"])
x, y, w, h = map(int, sys.argv[2:6])
image = app.primaryScreen().grabWindow(0).toImage().copy(QRect(x, y, w, h))
image.save(sys.argv[1])
"""


def shoot(name: str, x: int, y: int, w: int, h: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    x, y = max(0, x), max(0, y)
    subprocess.run([sys.executable, "-c", SHOT, str(OUT / name), str(x), str(y), str(w), str(h)],
                   check=True, timeout=30, env=dict(os.environ, QT_QPA_PLATFORM="xcb"))
    print("saved", OUT / name)


def window_rect(title: str) -> tuple[int, int, int, int]:
    """x, y, width, height of the visible top-level window named `title` (xdotool)."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                           check=True, capture_output=True, text=True, timeout=10)
    wid = found.stdout.split()[-1]
    shell = subprocess.run(["xdotool", "getwindowgeometry", "--shell", wid], check=True,
                           capture_output=True, text=True, timeout=10).stdout
    geo = dict(line.split("=", 1) for line in shell.split())
    return int(geo["X"]), int(geo["Y"]), int(geo["WIDTH"]), int(geo["HEIGHT"])


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="trayapp-shots-"))
    (home / "runtime").mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(home / "runtime"), "TRAYAPP_HOTKEYS": "x11"}
    app = AppProcess(["--demo"], env, home)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="demo sync")
        icon = (ready["x"] + ready["w"] // 2, ready["y"] + ready["h"] // 2)
        # First launch without a key shows settings: close it for the menu shot.
        time.sleep(0.5)
        xdo("mousemove", *icon, "click", "3")
        menu = app.expect(lambda ev: ev["event"] == "menu" and not ev["title"], what="menu")
        recent = next(i for i in menu["items"] if i["text"] == "Recent")
        xdo("mousemove", recent["x"], recent["y"])
        sub = app.expect(lambda ev: ev["event"] == "menu" and ev["title"] == "Recent",
                         what="Recent")
        time.sleep(0.3)
        left, top = min(menu["x"], sub["x"]) - 10, ready["y"]
        right = max(menu["x"] + menu["w"], icon[0] + 20) + 10
        bottom = max(menu["y"] + menu["h"], sub["y"] + sub["h"]) + 10
        shoot("tray-menu.png", left, top, right - left, bottom - top)
        xdo("key", "Escape")
        xdo("key", "Escape")
        time.sleep(0.3)

        xdo("key", "ctrl+alt+shift+n")  # the new-timer dialog, by its global shortcut
        dialog = app.expect(lambda ev: ev["event"] == "window" and ev["cls"] == "EntryDialog",
                            what="new timer dialog")
        xdo("type", "--delay", "40", "Writ")
        time.sleep(0.6)
        shoot("new-timer.png", dialog["x"], dialog["y"], dialog["w"], dialog["h"] + 10)
        xdo("key", "Escape")
        xdo("key", "Escape")

        cli_env = dict(os.environ, XDG_RUNTIME_DIR=env["XDG_RUNTIME_DIR"],
                       XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
        xdo("key", "ctrl+alt+shift+q")  # quick start, by its global shortcut
        quick = app.expect(lambda ev: ev["event"] == "window" and ev["cls"] == "QuickStart",
                           what="quick start")
        xdo("type", "--delay", "40", "rep")
        time.sleep(0.5)
        shoot("quick-start.png", quick["x"], quick["y"], quick["w"], quick["h"])
        xdo("key", "Escape")

        trayapp = [sys.executable, "-m", "trayapp", "--demo"]  # the demo app is the one running
        subprocess.run([*trayapp, "start", "Writing report", "--project", "Reports", "--tags",
                        "deep-work"], check=True, timeout=30, env=cli_env)
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Writing report",
                   what="running")
        time.sleep(1.5)
        xdo("mousemove", *icon, "click", "3")
        menu = app.expect(lambda ev: ev["event"] == "menu" and not ev["title"], what="menu")
        time.sleep(0.3)
        top = ready["y"]  # include the icon above the menu
        shoot("tray-running.png", menu["x"] - 10, top, max(menu["w"], icon[0] - menu["x"] + 30)
              + 20, menu["y"] + menu["h"] - top + 10)
        xdo("key", "Escape")

        xdo("key", "ctrl+alt+shift+e")  # the timesheet, by its global shortcut: today
        app.expect(lambda ev: ev["event"] == "sheet" and ev["rows"]
                   and ev["title"].startswith("Today"), what="the timesheet's day")
        time.sleep(1.0)
        shoot("timesheet-day.png", *window_rect("^Timesheet"))
        xdo("key", "ctrl+2")  # the week
        app.expect(lambda ev: ev["event"] == "sheet" and ev["rows"]
                   and ev["title"].startswith("This week"), what="the timesheet's week")
        time.sleep(1.0)
        shoot("timesheet-week.png", *window_rect("^Timesheet"))
        xdo("key", "Escape")
        time.sleep(0.3)

        subprocess.run([*trayapp, "settings"], check=True, timeout=30, env=cli_env)
        window = app.expect(lambda ev: ev["event"] == "window" and ev["cls"] == "SettingsWindow",
                            what="settings window", timeout=20)
        time.sleep(1.0)
        shoot("settings.png", window["x"], window["y"], window["w"], window["h"])
        xdo("key", "Escape")
        time.sleep(0.3)

        subprocess.run([*trayapp, "manage"], check=True, timeout=30, env=cli_env)
        window = app.expect(lambda ev: ev["event"] == "window" and ev["cls"] == "ManagerWindow",
                            what="projects window", timeout=20)
        time.sleep(1.5)
        shoot("manager.png", window["x"], window["y"], window["w"], window["h"])
    finally:
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
