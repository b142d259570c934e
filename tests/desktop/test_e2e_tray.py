"""End to end on a real X display with a real tray host: the app shows its icon; real mouse
clicks open the menu, start a recent entry (checked in the emulator) and stop it."""

from __future__ import annotations

import os
from pathlib import Path

from ..conftest import TEST_KEY
from ..support.e2e import AppProcess, screenshot, xdo


def item(menu_event: dict, prefix: str) -> dict:
    return next(i for i in menu_event["items"] if i["text"].startswith(prefix))


def running_entries(emulator):
    return [x for x in emulator.toggl.entries if x["stop"] is None
            and not x.get("server_deleted_at")]


def open_menu(app: AppProcess, icon: tuple[int, int]) -> dict:
    xdo("mousemove", *icon, "click", "3")
    return app.expect(lambda ev: ev["event"] == "menu" and not ev["title"], what="tray menu")


def test_tray_click_start_recent_and_stop(x11, emulator, tmp_path):
    shots = Path(os.environ.get("TRAYAPP_SCREENSHOTS") or tmp_path)
    app = AppProcess([], {"MATON_API_KEY": TEST_KEY, "TRAYAPP_GATEWAY_URL": emulator.base_url},
                     tmp_path)
    try:
        # The icon is on the panel before the app behind it (gui.first_icon), which then
        # adopts it: the menu below opens from that same icon.
        first = app.expect(lambda ev: ev["event"] in ("docked", "ready"), what="tray icon")
        assert first["event"] == "docked"
        ready = app.expect(lambda ev: ev["event"] == "ready", what="the app behind it")
        icon = (ready["x"] + ready["w"] // 2, ready["y"] + ready["h"] // 2)
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")

        menu = open_menu(app, icon)
        assert item(menu, "Not tracking")
        recent = item(menu, "Recent")
        assert recent["submenu"] and recent["enabled"]
        xdo("mousemove", recent["x"], recent["y"], "click", "1")
        submenu = app.expect(lambda ev: ev["event"] == "menu" and ev["title"] == "Recent",
                             what="Recent submenu")
        entries = [i for i in submenu["items"] if i["text"] and not i.get("submenu")]
        assert len(entries) == 10  # the ten recent entries, then "Pin to favorites"
        screenshot(shots / "tray-menu.png")
        first = submenu["items"][0]
        description = first["text"].split(" · ")[0].split("  #")[0]
        xdo("mousemove", first["x"], first["y"], "click", "1")
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == description
                   and ev["pending"] == 0, what="timer started and sent")
        running = running_entries(emulator)
        assert [x["description"] for x in running] == [description]

        menu = open_menu(app, icon)
        assert item(menu, "●")["text"].startswith(f"● {description}")
        stop = item(menu, "Stop")
        xdo("mousemove", stop["x"], stop["y"], "click", "1")
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] is None
                   and ev["pending"] == 0, what="timer stopped and sent")
        assert running_entries(emulator) == []

        menu = open_menu(app, icon)
        quit_item = item(menu, "Quit")
        xdo("mousemove", quit_item["x"], quit_item["y"], "click", "1")
        assert app.proc.wait(10) == 0
    finally:
        app.close()


def test_left_click_opens_quick_start_when_idle(x11, emulator, tmp_path):
    app = AppProcess([], {"MATON_API_KEY": TEST_KEY, "TRAYAPP_GATEWAY_URL": emulator.base_url},
                     tmp_path)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        xdo("mousemove", ready["x"] + ready["w"] // 2, ready["y"] + ready["h"] // 2, "click", "1")
        app.expect(lambda ev: ev["event"] == "activated" and ev["reason"] == "Trigger",
                   what="left click")
    finally:
        app.close()
