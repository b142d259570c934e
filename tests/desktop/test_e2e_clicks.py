"""Real clicks and keys on the real X display with a real tray host, for what users met:
the menu closing by itself, a double click that stopped the timer, a rejected key shown as
"pending", and recording a shortcut that ran its action instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from trayapp.platform.hotkeys.base import ACTIONS

from ..conftest import TEST_KEY
from ..support.e2e import AppProcess, cli, screenshot, xdo

WRONG_KEY = "wrong-key"
DOUBLE_CLICK = ("click", "--repeat", "2", "--delay", "80", "1")


def start(home: Path, emulator, key: str = TEST_KEY, **env: str) -> AppProcess:
    return AppProcess([], {"MATON_API_KEY": key, "TRAYAPP_GATEWAY_URL": emulator.base_url,
                           **env}, home)


def centre(ready: dict) -> tuple[int, int]:
    return ready["x"] + ready["w"] // 2, ready["y"] + ready["h"] // 2


def item(menu_event: dict, prefix: str) -> dict:
    return next(i for i in menu_event["items"] if i["text"].startswith(prefix))


def running(emulator) -> list[str]:
    return [x["description"] for x in emulator.toggl.entries
            if x["stop"] is None and not x.get("server_deleted_at")]


# -- the menu stays open --------------------------------------------------------------------------
# Emptying an open QMenu (rebuilding it when a snapshot arrived) unmapped its X window, which
# dropped its grab: about 0.1 s later Qt closed it. With a rejected key every opening did so.

def test_menu_stays_open_with_a_rejected_key(x11, emulator, tmp_path):
    app = start(tmp_path, emulator, WRONG_KEY)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["error"] == "Maton API key rejected",
                   what="the key refused")
        xdo("mousemove", *centre(ready), "click", "3")
        # The app reports a menu 150 ms after it shows, and only if it is still open.
        menu = app.expect(lambda ev: ev["event"] == "menu" and not ev["title"], timeout=3,
                          what="tray menu still open 150 ms after it showed")
        later = app.collect(1.0)
        assert not [ev for ev in later if ev["event"] == "menu_hidden"], \
            "the menu closed by itself:\n" + app.tail()
        settings = item(menu, "Settings")
        xdo("mousemove", settings["x"], settings["y"], "click", "1")
        app.expect(lambda ev: ev["event"] == "window" and ev["cls"] == "SettingsWindow",
                   timeout=5, what="Settings opened from the tray menu")
    finally:
        app.close()


def test_menu_stays_open_when_a_snapshot_arrives(x11, emulator, tmp_path):
    emulator.add_fault("delay", delay=2.0, times=1)  # the first request: GET /connections
    app = start(tmp_path, emulator)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state", what="first (local) snapshot")
        xdo("mousemove", *centre(ready), "click", "3")
        menu = app.expect(lambda ev: ev["event"] == "menu" and not ev["title"], timeout=3,
                          what="tray menu")
        later = app.collect(3.5)  # the connections and the first sync arrive meanwhile
        assert [ev for ev in later if ev["event"] == "state"], "no snapshot arrived"
        assert not [ev for ev in later if ev["event"] == "menu_hidden"], \
            "the menu closed when a snapshot arrived:\n" + app.tail()
        quit_item = item(menu, "Quit")
        xdo("mousemove", quit_item["x"], quit_item["y"], "click", "1")
        assert app.proc.wait(10) == 0
    finally:
        app.close()


# -- a double click is a double click -----------------------------------------------------------
# The tray sends Trigger on the first press and DoubleClick on the second: acting on Trigger
# at once stopped the timer (or opened Quick start, whose popup then ate the second click).

def test_double_click_when_idle_opens_new_timer_only(x11, emulator, tmp_path):
    app = start(tmp_path, emulator)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        xdo("mousemove", *centre(ready), *DOUBLE_CLICK)
        events = app.collect(2.0)
        windows = [ev["cls"] for ev in events if ev["event"] == "window"]
        assert "QuickStart" not in windows and "EntryDialog" in windows, windows
    finally:
        app.close()


def test_double_click_while_running_keeps_the_timer(x11, emulator, tmp_path):
    app = start(tmp_path, emulator)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        done = cli(tmp_path, emulator.base_url, "start", "Double click test")
        assert done.returncode == 0, done.stderr
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Double click test"
                   and ev["pending"] == 0, what="timer running and sent")
        xdo("mousemove", *centre(ready), *DOUBLE_CLICK)
        events = app.collect(2.5)
        assert not [ev for ev in events if ev["event"] == "state" and ev["running"] is None], \
            "the double click stopped the timer"
        assert running(emulator) == ["Double click test"]
        assert "EntryDialog" in [ev["cls"] for ev in events if ev["event"] == "window"]
        # A single click still stops it (after the double-click interval).
        xdo("mousemove", *centre(ready), "click", "1")
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] is None
                   and ev["pending"] == 0, what="stopped by a single click")
    finally:
        app.close()


# -- a rejected key is red at once ----------------------------------------------------------------
# The error of the first request (looking for connections) was painted on a placeholder and
# then replaced by the local snapshot: no badge, or blue ("pending") with a change waiting.

def badge_pixels(png: Path, ready: dict) -> dict[str, int]:
    from PySide6.QtGui import QImage

    targets = {"red": (0xD1, 0x24, 0x2F), "blue": (0x09, 0x69, 0xDA)}
    image = QImage(str(png))
    counts = dict.fromkeys(targets, 0)
    for x in range(ready["x"], ready["x"] + ready["w"]):
        for y in range(ready["y"], ready["y"] + ready["h"]):
            c = image.pixelColor(x, y)
            for name, (r, g, b) in targets.items():
                if abs(c.red() - r) + abs(c.green() - g) + abs(c.blue() - b) < 40:
                    counts[name] += 1
    return counts


@pytest.mark.parametrize("waiting", [False, True], ids=["fresh", "change-waiting"])
def test_a_rejected_key_shows_a_red_badge(x11, emulator, home, waiting):
    if waiting:  # a timer started from the command line: kept, unsent
        result = cli(home, emulator.base_url, "start", "Earlier", key=WRONG_KEY)
        assert result.returncode == 75 and "rejected" in result.stderr, result
        assert "saved" in result.stderr
    app = start(home, emulator, WRONG_KEY)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["error"] == "Maton API key rejected"
                   and ev["pending"] == (1 if waiting else 0), what="the key refused")
        later = app.collect(1.0)  # nothing may paint over it afterwards
        assert all(ev["error"] for ev in later if ev["event"] == "state"), later
        shot = home / "badge.png"
        screenshot(shot)
        counts = badge_pixels(shot, ready)
        assert counts["red"] > 0 and counts["blue"] == 0, f"badge pixels {counts}"
    finally:
        app.close()


# -- recording a shortcut that is in use ----------------------------------------------------------
# The X server hands a grabbed key to the grabbing client whatever window has the focus: the
# field saw only the modifiers and the global action ran. The grabs now pause while a field
# has the focus.

def test_recording_a_grabbed_chord_shows_it_as_taken(x11, emulator, tmp_path):
    app = start(tmp_path, emulator, TRAYAPP_HOTKEYS="x11")
    try:
        app.expect(lambda ev: ev["event"] == "hotkeys" and not ev["errors"], what="hotkeys")
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        assert cli(tmp_path, emulator.base_url, "settings").returncode == 0
        field = app.expect(lambda ev: ev["event"] == "chord_field"
                           and ev["name"] == "hotkey_new_timer", what="New timer field")
        assert field["text"] == "Ctrl+Alt+Shift+N"
        xdo("mousemove", field["x"], field["y"], "click", "1")
        app.expect(lambda ev: ev["event"] == "hotkeys_paused" and ev["paused"],
                   what="the grabs released while the field records")
        xdo("key", "--delay", "60", "ctrl+alt+shift+t")
        events = app.collect(2.5)
        assert not [ev for ev in events if ev["event"] == "hotkey"], "the shortcut ran"
        assert running(emulator) == []
        editor = [ev for ev in events if ev["event"] == "hotkey_editor"]
        assert editor, "the editor never changed:\n" + app.tail()
        assert editor[-1]["fields"]["new_timer"] == "Ctrl+Alt+Shift+T"
        assert "Also set for" in editor[-1]["statuses"]["new_timer"] + \
            editor[-1]["statuses"]["toggle"]
        # Leaving the fields (Tab through the fields below, then to the button) takes the grabs
        # back: the shortcuts work again.
        later = list(ACTIONS).index("new_timer") + 1  # the fields below it, then out
        xdo("key", "--delay", "100", *["Tab"] * (len(ACTIONS) - later + 1))
        for _ in range(len(ACTIONS) - later + 1):  # each field: taken back, released again
            app.expect(lambda ev: ev["event"] == "hotkeys_paused" and not ev["paused"],
                       what="the grabs taken back")
        xdo("key", "ctrl+alt+shift+s")  # stop: nothing runs, so it only says so
        app.expect(lambda ev: ev["event"] == "hotkey" and ev["action"] == "stop",
                   what="the stop shortcut after leaving the field")
    finally:
        app.close()
