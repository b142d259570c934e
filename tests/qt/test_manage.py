"""The manager window (projects, clients, tags and Clockify's tasks) with the whole app
in-process (offscreen) against the emulator: it opens from the cache, lists archived items
when asked, searches and sorts, and creates, edits, archives, restores and deletes with the
service's answer shown; 2,000 projects search and sort in the same model."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from trayapp.api.gateway import Gateway
from trayapp.api.trackers import make_tracker
from trayapp.control.actions import Request
from trayapp.core.models import Service
from trayapp.ui.manage.dialogs import NameDialog, ProjectDialog
from trayapp.ui.manage.model import CatalogFilter, CatalogModel, Item
from trayapp.ui.manage.window import ManagerWindow

from ..conftest import TEST_KEY
from ..support.whole_app import whole_app

SHOTS = Path("/tmp/trayapp-manage-screenshots")  # for a person to look at
WAIT = 10_000


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch) as tray_app:
        yield tray_app


@pytest.fixture
def confirm(monkeypatch):
    """Message boxes answered Yes without being shown; each records what it asked."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box.text())
        for button in box.buttons():
            if box.buttonRole(button) is QMessageBox.ButtonRole.DestructiveRole:
                button.click()
        return int(QMessageBox.StandardButton.Yes)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def answering(monkeypatch, fill):
    """The next dialogs are filled by `fill(dialog)` and accepted."""
    seen: list[object] = []

    def run(self, dialog):
        seen.append(dialog)
        fill(dialog)
        return True

    monkeypatch.setattr(ManagerWindow, "run", run)
    return seen


def on_the_service(emulator, service=Service.TOGGL):
    with Gateway(TEST_KEY, emulator.base_url) as gateway:
        web = make_tracker(service, gateway)
        wid = web.me().default_workspace_id
        return ({p.name: p for p in web.projects(wid, include_archived=True)},
                {c.name: c for c in web.clients(wid, include_archived=True)},
                {t.name: t for t in web.tags(wid)})


def open_manager(app, qtbot):
    app.dispatch(Request("manage"))
    qtbot.waitUntil(lambda: app.manager.visible, timeout=WAIT)
    window = app.manager.window
    page = window.page("project")
    # The cache at once, then the service's list (archived projects included).
    qtbot.waitUntil(lambda: any(x.name == "Legacy CRM" for x in page.model.items),
                    timeout=WAIT)
    return window


def names(page) -> list[str]:
    return [item.name for item in page.rows()]


def test_opens_with_the_projects_sorted_and_archived_ones_on_request(app, qtbot):
    window = open_manager(app, qtbot)
    page = window.page("project")
    shown = names(page)
    assert shown == sorted(shown, key=str.casefold)
    assert "Website" in shown and "Legacy CRM" not in shown  # archived: hidden
    assert not window.tabs.isTabVisible(3)  # Tasks are Clockify's
    page.archived.setChecked(True)
    assert "Legacy CRM" in names(page)
    legacy = next(x for x in page.rows() if x.name == "Legacy CRM")
    assert legacy.archived and legacy.client == "Acme"
    assert "archived" in page.count.text()
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / "manager.png"))


def test_search_and_sort(app, qtbot):
    window = open_manager(app, qtbot)
    page = window.page("project")
    qtbot.keyClicks(page.search, "acme")  # the client's name finds its projects
    assert set(names(page)) == {"Website", "Mobile app"}
    page.search.clear()
    page.search.setText("no such thing")
    assert names(page) == [] and page.empty.isVisible() is False or page.empty.text()
    assert "no such thing" in page.empty.text()
    page.search.clear()
    column = page.model.columns.index("Client")
    page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    clients = [item.client or "" for item in page.rows()]
    assert clients == sorted(clients, key=str.casefold)
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    shown = names(page)
    assert shown == sorted(shown, key=str.casefold, reverse=True)


def test_create_a_project_with_client_colour_and_billable(app, qtbot, emulator, monkeypatch):
    window = open_manager(app, qtbot)
    page = window.page("project")

    def fill(dialog: ProjectDialog) -> None:
        dialog.name.setText("Launch plan")
        dialog.client.setCurrentText("Globex")
        dialog.colors.choose("#d94182")
        dialog.billable.setChecked(True)

    answering(monkeypatch, fill)
    page.new.click()
    qtbot.waitUntil(lambda: "Launch plan" in names(page), timeout=WAIT)
    # Made here at once, sent to the service right after.
    qtbot.waitUntil(lambda: "Launch plan" in on_the_service(emulator)[0], timeout=WAIT)
    projects, clients, _ = on_the_service(emulator)
    project = projects["Launch plan"]
    assert project.client_id == clients["Globex"].id and project.color == "#d94182"
    shown = next(x for x in page.rows() if x.name == "Launch plan")
    assert shown.client == "Globex" and shown.color == "#d94182"
    qtbot.waitUntil(lambda: "Saved" in window.status.text(), timeout=WAIT)


def test_edit_archive_restore_and_delete_a_project(app, qtbot, emulator, monkeypatch,
                                                   confirm):
    window = open_manager(app, qtbot)
    page = window.page("project")
    assert page.select("Research")

    def fill(dialog: ProjectDialog) -> None:
        dialog.name.setText("Research and development")
        dialog.colors.choose("#06a893")

    answering(monkeypatch, fill)
    page.edit_button.click()
    qtbot.waitUntil(lambda: "Research and development" in names(page), timeout=WAIT)
    assert on_the_service(emulator)[0]["Research and development"].color == "#06a893"

    assert page.select("Research and development")
    page.archive_button.click()
    qtbot.waitUntil(lambda: "Research and development" not in names(page), timeout=WAIT)
    assert not on_the_service(emulator)[0]["Research and development"].active
    page.archived.setChecked(True)
    assert page.select("Research and development")
    assert page.archive_button.text() == "Restore"
    page.archive_button.click()
    qtbot.waitUntil(lambda: any(x.name == "Research and development" and not x.archived
                                for x in page.rows()), timeout=WAIT)

    assert page.select("Research and development")
    page.delete_button.click()
    assert confirm and "Research and development" in confirm[-1]
    assert "Toggl Track" in confirm[-1]  # what the service does with its entries
    qtbot.waitUntil(lambda: "Research and development" not in names(page), timeout=WAIT)
    assert "Research and development" not in on_the_service(emulator)[0]


def test_delete_asks_first_and_a_no_keeps_it(app, qtbot, emulator, monkeypatch):
    window = open_manager(app, qtbot)
    page = window.page("project")
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box.text())
        return int(QMessageBox.StandardButton.Cancel)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    assert page.select("Hiring")
    page.delete_button.click()
    assert asked and "Hiring" in asked[0]
    qtbot.wait(300)
    assert "Hiring" in names(page) and "Hiring" in on_the_service(emulator)[0]


def test_clients_and_tags(app, qtbot, emulator, monkeypatch, confirm):
    window = open_manager(app, qtbot)
    clients = window.page("client")
    window.show_kind("client")
    qtbot.waitUntil(lambda: "Initech" in names(clients), timeout=WAIT)

    answering(monkeypatch, lambda d: d.field.setText("Umbrella"))
    clients.new.click()
    qtbot.waitUntil(lambda: "Umbrella" in names(clients), timeout=WAIT)
    qtbot.waitUntil(lambda: "Umbrella" in on_the_service(emulator)[1], timeout=WAIT)
    qtbot.waitUntil(lambda: "Umbrella" in on_the_service(emulator)[1], timeout=WAIT)

    assert clients.select("Umbrella")
    answering(monkeypatch, lambda d: d.field.setText("Umbrella Corp"))
    clients.edit_button.click()
    qtbot.waitUntil(lambda: "Umbrella Corp" in names(clients), timeout=WAIT)

    tags = window.page("tag")
    window.show_kind("tag")
    answering(monkeypatch, lambda d: d.field.setText("planning"))
    tags.new.click()
    qtbot.waitUntil(lambda: "planning" in on_the_service(emulator)[2], timeout=WAIT)
    qtbot.waitUntil(lambda: "planning" in names(tags), timeout=WAIT)
    assert tags.select("planning")
    tags.delete_button.click()
    assert "planning" in confirm[-1]
    qtbot.waitUntil(lambda: "planning" not in names(tags), timeout=WAIT)
    assert "planning" not in on_the_service(emulator)[2]


def test_a_name_dialog_needs_a_new_name():
    dialog = NameDialog(None, "Rename", "New name", name="Acme")
    assert not dialog.ok.isEnabled()  # the same name: nothing to do
    dialog.field.setText("  ")
    assert not dialog.ok.isEnabled()
    dialog.field.setText("Acme Inc")
    assert dialog.ok.isEnabled() and dialog.value() == "Acme Inc"


def test_two_thousand_projects_search_and_sort_in_one_model(qtbot):
    """Behaviour with 2,000 rows (the time it takes is measured in bench/, not here)."""
    items = [Item("project", str(i), f"Project {i:04d}", archived=i % 10 == 0,
                  client=f"Client {i % 37}", color="#0b83d9") for i in range(2000)]
    model = CatalogModel("project")
    proxy = CatalogFilter()
    proxy.setSourceModel(model)
    model.set_items([*items])
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert proxy.rowCount() == 1800
    assert proxy.item(0).name == "Project 1999"
    proxy.set_search("client 5")  # "Client 5" and "Client 5x"
    assert all("client 5" in (proxy.item(r).client or "").casefold()
               for r in range(proxy.rowCount()))
    proxy.set_show_archived(True)
    proxy.set_search("")
    assert proxy.rowCount() == 2000
    assert model.set_items(items) is False  # the same rows: nothing redrawn


def test_clockify_tasks_tab_lists_a_projects_tasks_and_marks_one_done(app, qtbot, confirm):
    app.track_on(Service.CLOCKIFY)
    qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.service is Service.CLOCKIFY
                                 and app.snapshot.projects), timeout=WAIT)
    app.dispatch(Request("manage"))
    qtbot.waitUntil(lambda: app.manager.visible, timeout=WAIT)
    window = app.manager.window
    assert window.tabs.isTabVisible(3)
    tasks = window.page("task")
    window.show_kind("task")
    qtbot.waitUntil(lambda: tasks.project.findText("Website") > 0, timeout=WAIT)
    tasks.project.setCurrentIndex(tasks.project.findText("Website"))
    qtbot.waitUntil(lambda: {"Homepage redesign", "Blog section"} <= set(names(tasks)),
                    timeout=WAIT)
    assert tasks.select("Blog section")
    tasks.archive_button.click()  # Mark done
    qtbot.waitUntil(lambda: "Blog section" not in names(tasks), timeout=WAIT)
    tasks.archived.setChecked(True)
    assert any(x.name == "Blog section" and x.archived for x in tasks.rows())
