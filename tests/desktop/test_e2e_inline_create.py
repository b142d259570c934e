"""Create where you type, with real clicks and keys on the real X display: the timesheet's
Add dialog, its project button, a name no project has typed in the picker, "Create project"
taken with Enter, then Add. The service gets the project once, and the entry on it."""

from __future__ import annotations

import time
from pathlib import Path

from ..support.e2e import screenshot, xdo
from .test_e2e_timesheet import click, live, start, wait_for

SHOTS = Path("/tmp/trayapp-inline-screenshots")
NEW = "Kickoff call"
PROJECT = "Webiste2"


def test_create_a_project_from_the_picker_with_real_clicks(x11, emulator, tmp_path):
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
        click(dialog["project"])
        app.expect(lambda ev: ev["event"] == "window" and ev.get("cls") == "ProjectPicker",
                   what="the project picker")
        xdo("type", "--delay", "20", PROJECT)
        SHOTS.mkdir(exist_ok=True)
        screenshot(SHOTS / "desktop-picker.png")
        xdo("key", "Return")  # the only row: "Create project 'Webiste2'"
        time.sleep(0.5)  # the picker closes: nothing new is shown to wait for
        screenshot(SHOTS / "desktop-dialog.png")
        click(dialog["ok"])

        def made() -> bool:
            entry = live(emulator).get(NEW)
            projects = [p for p in emulator.toggl.projects if p["name"] == PROJECT]
            return entry is not None and len(projects) == 1 \
                and entry["project_id"] == projects[0]["id"]

        wait_for(made, 15, "the project and the entry on it on the service")
        assert len([p for p in emulator.toggl.projects if p["name"] == PROJECT]) == 1
    finally:
        app.close()
