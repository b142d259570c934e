"""The timesheet with real clicks on the real X display: opened from the tray menu, a past
entry added with the Add dialog, then deleted from the row's menu (confirmed with Enter); the
service gets one new entry and, once the Undo delay is over, one deletion."""

from __future__ import annotations

import time
from pathlib import Path

from ..conftest import TEST_KEY
from ..support.e2e import AppProcess, screenshot, xdo

SHOTS = Path("/tmp/trayapp-timesheet-screenshots")
NEW = "Lunch with Sam"


def start(home: Path, emulator) -> AppProcess:
    return AppProcess([], {"MATON_API_KEY": TEST_KEY, "TRAYAPP_GATEWAY_URL": emulator.base_url,
                           "TRAYAPP_HOTKEYS": "none"}, home)


def live(emulator) -> dict[str, dict]:
    return {x["description"]: x for x in emulator.toggl.entries
            if not x.get("server_deleted_at")}


def wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout}s: {what}")


def click(point: dict, button: int = 1) -> None:
    xdo("mousemove", point["x"], point["y"], "click", button)


def test_add_and_delete_an_entry_with_real_clicks(x11, emulator, tmp_path):
    app = start(tmp_path, emulator)
    try:
        ready = app.expect(lambda ev: ev["event"] == "ready", what="tray icon")
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        xdo("mousemove", ready["x"] + ready["w"] // 2, ready["y"] + ready["h"] // 2, "click", 3)
        menu = app.expect(lambda ev: ev["event"] == "menu" and not ev["title"], what="menu")
        click(next(i for i in menu["items"] if i["text"] == "Timesheet…"))
        sheet = app.expect(lambda ev: ev["event"] == "sheet", what="the timesheet drawn")

        click(sheet["buttons"]["add"])
        dialog = app.expect(lambda ev: ev["event"] == "sheet_dialog", what="the Add dialog")
        click(dialog["description"])
        xdo("type", "--delay", "20", NEW)
        click(dialog["ok"])
        wait_for(lambda: NEW in live(emulator), 15, "the new entry on the service")
        assert live(emulator)[NEW]["stop"] is not None
        row = app.expect(lambda ev: ev["event"] == "sheet"
                         and any(r["description"] == NEW for r in ev["rows"]),
                         what="the new entry in the sheet")
        target = next(r for r in row["rows"] if r["description"] == NEW)
        SHOTS.mkdir(exist_ok=True)
        screenshot(SHOTS / "desktop-added.png")

        click(target, 3)
        menu = app.expect(lambda ev: ev["event"] == "menu" and any(
            i["text"].startswith("Delete…") for i in ev["items"]), what="the row's menu")
        click(next(i for i in menu["items"] if i["text"].startswith("Delete…")))
        question = app.expect(lambda ev: ev["event"] == "sheet_question",
                              what="the confirmation")
        assert NEW in question["text"]
        click(question["buttons"]["Delete"])
        app.expect(lambda ev: ev["event"] == "sheet" and NEW not in
                   [r["description"] for r in ev["rows"]], timeout=5,
                   what="the entry hidden, Undo offered")
        wait_for(lambda: NEW not in live(emulator), 20, "the deletion on the service")
        deleted = [x for x in emulator.toggl.entries if x["description"] == NEW]
        assert len(deleted) == 1  # added once, deleted once
    finally:
        app.close()
