"""Create where you type, with the whole app in-process (offscreen) against the emulator: a
project name no one has is offered as "Create project 'X'" in the project picker, in Quick
start and the new-timer dialog beside the suggestions for `@X`, and in the timesheet's Edit
and Add dialogs; chosen, the project is made and the entry is on it. Offline both wait, and
when the gateway is back the project is sent once, before the entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from trayapp.control import inline
from trayapp.control.actions import Request
from trayapp.core.models import Project
from trayapp.ui.entry_dialog import EntryDialog
from trayapp.ui.project_picker import KIND, ProjectPicker
from trayapp.ui.quick_start import QuickStart
from trayapp.ui.understood import Understood

from ..support.whole_app import whole_app

SHOTS = Path("/tmp/trayapp-inline-screenshots")  # for a person to look at
WAIT = 10_000


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch) as tray_app:
        yield tray_app


def shoot(widget, name: str) -> None:
    QApplication.processEvents()  # the layout after the last keystroke
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def projects_named(emulator, name: str) -> list[dict]:
    return [p for p in emulator.toggl.projects if p["name"] == name]


def entry_named(emulator, description: str) -> dict | None:
    return next((x for x in emulator.toggl.entries if x["description"] == description
                 and not x.get("server_deleted_at")), None)


def on_new_project(emulator, description: str, project: str) -> bool:
    entry, made = entry_named(emulator, description), projects_named(emulator, project)
    return entry is not None and len(made) == 1 and entry["project_id"] == made[0]["id"]


def posts(emulator) -> list[str]:
    """What was made, in order: 'projects' or 'entries'."""
    out = []
    for r in emulator.requests:
        if r.method == "POST" and 200 <= r.status < 300:
            path = r.native_path.rstrip("/")
            out += ["projects"] if path.endswith("projects") else \
                ["entries"] if "time_entries" in path else []
    return out


def rows(widget) -> list[str]:
    return [widget.list.item(i).text() for i in range(widget.list.count())]


# -- the picker on its own ---------------------------------------------------------------------

def test_picker_offers_a_new_name_last_and_never_a_name_that_exists(qtbot):
    projects = [Project("1", "w", "Website"), Project("2", "w", "Web shop", client_name="Acme"),
                Project("3", "w", "Old", active=False)]
    picker = ProjectPicker(projects, allow_create=True)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.keyClicks(picker.search, "Web")
    assert rows(picker)[-1] == "+ Create project “Web”"
    assert picker.list.currentItem().text() == "Web shop" or \
        picker.list.currentItem().data(KIND) == "project"  # the best match stays first
    shoot(picker, "picker")
    for existing in ("website", "Acme / Web shop", "old"):  # archived too: restore it
        picker.search.setText(existing)
        assert not any(r.startswith("+ Create") for r in rows(picker))
    picker.search.setText("Webiste2")
    assert rows(picker) == ["+ Create project “Webiste2”"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.result() and picker.created is not None
    assert picker.created.name == "Webiste2" and inline.is_new(picker.selected_project_id)
    plain = ProjectPicker(projects)  # where nothing can be created: no such row
    qtbot.addWidget(plain)
    plain.search.setText("Webiste2")
    assert rows(plain) == []


def test_the_link_is_offered_only_for_a_missing_project(qtbot):
    widget = Understood()
    qtbot.addWidget(widget)
    from trayapp.core.quick_entry import understand

    found = understand("Fix @Webiste2 #newtag", [Project("1", "w", "Website")], [])
    widget.show_resolved(found)
    assert "Create project “Webiste2”" in widget.problems.text()
    assert "New tag" in widget.problems.text()
    chosen = []
    widget.create_chosen.connect(chosen.append)
    widget._link("new:0")
    assert chosen and chosen[0].name == "Webiste2"
    widget.can_create = False
    widget.show_resolved(found)
    assert "Create project" not in widget.problems.text()


# -- in the app ----------------------------------------------------------------------------------

def quick_start(app, qtbot, text: str) -> QuickStart:
    popup = app.windows.quick_start(app.snapshot)
    assert isinstance(popup, QuickStart)
    qtbot.keyClicks(popup.search, text)
    return popup


def test_quick_start_creates_the_project_then_starts_on_it(app, qtbot, emulator):
    popup = quick_start(app, qtbot, "Fix login @Webiste2 #urgent")
    shown = rows(popup)
    create = "+ Create project “Webiste2” and start"
    assert create in shown
    assert any(r.startswith("Use ") and "Website" in r for r in shown)  # suggested first
    assert shown.index(create) > next(i for i, r in enumerate(shown) if r.startswith("Use "))
    shoot(popup, "quick-start")
    item = popup.list.item(shown.index(create))
    popup.list.setCurrentItem(item)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: on_new_project(emulator, "Fix login", "Webiste2"), timeout=WAIT)
    qtbot.waitUntil(lambda: app.snapshot.running is not None
                    and app.snapshot.running.description == "Fix login", timeout=WAIT)
    assert app.snapshot.project_label(app.snapshot.running.project_id) == "Webiste2"


def test_quick_start_offers_creating_a_name_being_typed(app, qtbot, emulator):
    popup = quick_start(app, qtbot, "Plan @Web")
    shown = rows(popup)
    assert shown[-1] == "+ Create project “Web” and start"
    assert any("Website" in r for r in shown[:-1])


def test_new_timer_dialog_creates_from_the_link_and_the_picker(app, qtbot, emulator):
    app.dispatch(Request("new_timer"))
    qtbot.waitUntil(lambda: any(isinstance(w, EntryDialog) for w in app.windows.open),
                    timeout=WAIT)
    dialog = next(w for w in app.windows.open if isinstance(w, EntryDialog))
    dialog.description.setText('Draft copy @"Brand new"' )
    assert not dialog.ok_button.isEnabled()
    assert "Create project “Brand new”" in dialog.understood.problems.text()
    dialog.understood._link("new:0")
    assert dialog.ok_button.isEnabled()
    assert "(new project)" in dialog.project_button.text()
    assert "new project" in dialog.understood.summary.text()
    dialog.tags.setText("fresh-tag")
    assert dialog.new_tags.isVisible() and "fresh-tag" in dialog.new_tags.text()
    shoot(dialog, "new-timer")
    dialog.accept()
    qtbot.waitUntil(lambda: on_new_project(emulator, "Draft copy", "Brand new"), timeout=WAIT)


def test_timesheet_edit_and_add_onto_new_projects(app, qtbot, emulator, monkeypatch):
    from .test_timesheet import open_sheet, select

    app.dispatch(Request("start", {"description": "Sheet entry"}))
    qtbot.waitUntil(lambda: entry_named(emulator, "Sheet entry") is not None, timeout=WAIT)
    app.dispatch(Request("stop"))
    qtbot.waitUntil(lambda: entry_named(emulator, "Sheet entry")["stop"] is not None,
                    timeout=WAIT)
    from datetime import datetime

    window = open_sheet(app, qtbot, datetime.now().astimezone().date())
    qtbot.waitUntil(lambda: any(r.description == "Sheet entry" for r in window.sheet.rows),
                    timeout=WAIT)
    select(window, "Sheet entry")
    window.edit_current()
    dialog = app.sheet.dialog
    assert isinstance(dialog, EntryDialog)
    dialog.choose_project()
    picker = dialog.picker
    qtbot.keyClicks(picker.search, "Sheet project")
    assert rows(picker)[-1] == "+ Create project “Sheet project”"
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert "(new project)" in dialog.project_button.text()
    shoot(dialog, "timesheet-edit")
    dialog.accept()
    qtbot.waitUntil(lambda: on_new_project(emulator, "Sheet entry", "Sheet project"),
                    timeout=WAIT)

    window.add_button.click()
    dialog = app.sheet.dialog
    dialog.description.setText('Added later @"Added project"' )
    dialog.understood._link("new:0")
    dialog.accept()
    qtbot.waitUntil(lambda: on_new_project(emulator, "Added later", "Added project"),
                    timeout=WAIT)


def test_offline_the_project_goes_once_and_before_the_entry(app, qtbot, emulator):
    emulator.add_fault(kind="refuse", times=10_000)  # the gateway is down
    popup = quick_start(app, qtbot, 'Offline work @"Made offline"' )
    popup.understood._link("new:0")
    qtbot.waitUntil(lambda: app.snapshot.running is not None
                    and app.snapshot.running.description == "Offline work", timeout=WAIT)
    qtbot.waitUntil(lambda: app.snapshot.pending == 2, timeout=WAIT)
    assert projects_named(emulator, "Made offline") == []
    assert app.snapshot.project_label(app.snapshot.running.project_id) == "Made offline"

    emulator.clear_faults()
    emulator.clear_requests()
    app.sync()
    qtbot.waitUntil(lambda: on_new_project(emulator, "Offline work", "Made offline"),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: app.snapshot.pending == 0, timeout=WAIT)
    assert posts(emulator)[:2] == ["projects", "entries"]
    app.sync()
    qtbot.waitUntil(lambda: app.snapshot.pending == 0, timeout=WAIT)
    assert len(projects_named(emulator, "Made offline")) == 1
    assert posts(emulator).count("projects") == 1


# -- the manager's project dialog: "Create client 'Y'" -------------------------------------------

def test_manager_creates_a_missing_client_then_the_project_on_it(app, qtbot, emulator,
                                                                  monkeypatch):
    from trayapp.ui.manage.dialogs import ProjectDialog

    from .test_manage import answering, names, on_the_service, open_manager

    window = open_manager(app, qtbot)
    page = window.page("project")
    said: list[str] = []

    def fill(dialog: ProjectDialog) -> None:
        dialog.name.setText("Pilot")
        dialog.client.setCurrentText("Acme")  # exists: nothing to create
        assert dialog.hint.isHidden()
        dialog.client.setCurrentText("Umbrella Labs")
        said.append(dialog.hint.text())
        dialog.show()
        shoot(dialog, "manager-create-client")

    answering(monkeypatch, fill)
    page.new.click()
    assert said == ["Create client “Umbrella Labs”: it is made with the project."]
    qtbot.waitUntil(lambda: "Pilot" in on_the_service(emulator)[0], timeout=WAIT)
    projects, clients, _ = on_the_service(emulator)
    assert projects["Pilot"].client_id == clients["Umbrella Labs"].id
    qtbot.waitUntil(lambda: "Pilot" in names(page), timeout=WAIT)

    def edit(dialog: ProjectDialog) -> None:  # moved to another new client
        dialog.client.setCurrentText("Wayne Ent")

    answering(monkeypatch, edit)
    assert page.select("Pilot")
    page.edit_button.click()
    qtbot.waitUntil(lambda: "Wayne Ent" in on_the_service(emulator)[1], timeout=WAIT)
    qtbot.waitUntil(lambda: on_the_service(emulator)[0]["Pilot"].client_id
                    == on_the_service(emulator)[1]["Wayne Ent"].id, timeout=WAIT)
    assert [c for c in emulator.toggl.clients if c["name"] == "Wayne Ent"].__len__() == 1
