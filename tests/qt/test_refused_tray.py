"""Refused changes in the tray (the whole app in-process, offscreen, against the emulator):
"Discard this change…" asks first, and No keeps it; "Edit and try again…" opens the entry
dialog on the refused start and sends it with the fix (a project deleted on the server, a
description longer than Clockify takes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from trayapp.api.gateway import Gateway
from trayapp.api.trackers import make_tracker
from trayapp.core.models import EntryDraft, Service
from trayapp.ui.entry_dialog import EntryDialog

from ..conftest import TEST_KEY
from ..support.whole_app import whole_app

SHOTS = Path("/tmp/trayapp-refused-screenshots")  # for a person to look at
TOO_LONG = "Description must be a string of at most 3000 characters"  # the emulator's words
WAIT = 10_000


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch) as tray_app:
        try:
            yield tray_app
        finally:
            if getattr(tray_app.tray, "fixing", None) is not None:
                tray_app.tray.fixing.close()


@pytest.fixture
def answers(monkeypatch):
    """Message boxes answered without being shown: each records what it asked."""
    asked: list[QMessageBox] = []
    replies: list[QMessageBox.StandardButton] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box)
        return int(replies.pop(0))

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked, replies


def delete_on_the_web(emulator, name: str) -> str:
    with Gateway(TEST_KEY, emulator.base_url) as gateway:
        web = make_tracker(Service.TOGGL, gateway)
        wid = web.me().default_workspace_id
        project = next(p for p in web.projects(wid) if p.name == name)
        web.delete_project(wid, project.id)
    return project.id


def refused_start(app, qtbot, emulator, description: str) -> None:
    """A start with a project the app knows but the server has deleted: refused."""
    project_id = delete_on_the_web(emulator, "Website")
    app.tray.start(EntryDraft(description, project_id=project_id))
    qtbot.waitUntil(lambda: bool(app.snapshot.problems), timeout=WAIT)
    assert app.snapshot.problems[0].message == "Invalid project_id"


def problem_menu(app):
    app.tray.rebuild_menu()
    refused = next(a.menu() for a in app.tray.menu.actions()
                   if a.menu() and a.menu().title().endswith("refused change(s)"))
    inner = refused.actions()[0].menu()
    return refused, inner, {a.text(): a for a in inner.actions()}


def writes(emulator) -> list[str]:
    return [f"{r.method} {r.native_path}" for r in emulator.requests
            if r.method != "GET" and ("time_entries" in r.path or "time-entries" in r.path)]


def shoot(widget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def test_discard_asks_first_and_no_keeps_the_change(app, qtbot, emulator, answers):
    """Defect: one click dropped the change, with no question."""
    asked, replies = answers
    refused_start(app, qtbot, emulator, "Keep <b>me</b>")
    emulator.clear_requests()

    replies.append(QMessageBox.StandardButton.No)
    problem_menu(app)[2]["Discard this change…"].trigger()
    box = asked[-1]
    assert box.textFormat() is Qt.TextFormat.PlainText and "“Keep <b>me</b>”" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    qtbot.wait(300)
    assert len(app.snapshot.problems) == 1 and app.snapshot.running is not None

    replies.append(QMessageBox.StandardButton.Yes)
    problem_menu(app)[2]["Discard this change…"].trigger()
    qtbot.waitUntil(lambda: not app.snapshot.problems, timeout=WAIT)
    assert app.snapshot.running is None and app.snapshot.pending == 0
    assert writes(emulator) == []  # it never reached the server, and nothing else goes


def test_edit_and_try_again_sends_the_fixed_start(app, qtbot, emulator):
    refused_start(app, qtbot, emulator, "Wrong project")
    refused, inner, items = problem_menu(app)
    assert list(items)[1:] == ["Edit and try again…", "Try again", "Discard this change…"]
    app.tray.menu.popup(QPoint(0, 0))
    refused.popup(QPoint(260, 0))
    inner.popup(QPoint(520, 0))
    qtbot.waitUntil(inner.isVisible, timeout=WAIT)
    shoot(inner, "refused-problem")
    shoot(refused, "refused-submenu")
    inner.hide()
    refused.hide()
    app.tray.menu.hide()

    emulator.clear_requests()
    items["Edit and try again…"].trigger()
    dialog = app.tray.fixing
    assert isinstance(dialog, EntryDialog) and dialog.isVisible()
    assert dialog.description.text() == "Wrong project"
    assert dialog.project_button.text() == "Acme / Website"
    assert dialog.ok_button.text() == "Try again"
    shoot(dialog, "refused-edit-dialog")
    dialog.description.setText("Right project")
    dialog.set_project(None)
    dialog.ok_button.click()

    def sent() -> bool:
        return [x["description"] for x in emulator.toggl.entries
                if x["stop"] is None and not x.get("server_deleted_at")] == ["Right project"]

    qtbot.waitUntil(sent, timeout=WAIT)
    qtbot.waitUntil(lambda: not app.snapshot.problems and app.snapshot.pending == 0,
                    timeout=WAIT)
    entry = next(x for x in emulator.toggl.entries if x["description"] == "Right project")
    assert entry["project_id"] is None
    assert [w.split()[0] for w in writes(emulator)] == ["POST"]  # one start, fixed


def test_a_description_clockify_refuses_is_shortened_and_sent(app, qtbot, emulator):
    app.track_on(Service.CLOCKIFY)
    qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync), timeout=WAIT)
    # Queued as it was typed (an older trayapp took it): Clockify refuses it when sent.
    app.runtime.call(lambda account: account.session(Service.CLOCKIFY).start(
        EntryDraft("Pasted log " + "x" * 2990)))
    # On disk first: a sync that ran before the local worker queued it had nothing to send,
    # and the test then waited for the next scheduled one (a flaky failure).
    qtbot.waitUntil(lambda: app.snapshot.pending == 1, timeout=WAIT)
    app.sync()
    qtbot.waitUntil(lambda: bool(app.snapshot.problems), timeout=WAIT)
    assert app.snapshot.problems[0].message == TOO_LONG

    problem_menu(app)[2]["Edit and try again…"].trigger()
    dialog = app.tray.fixing
    assert len(dialog.description.text()) == 3001
    dialog.description.setText("Pasted log, summed up")
    dialog.ok_button.click()

    def sent() -> bool:
        return [x["end"] for x in emulator.clockify.entries
                if x["description"] == "Pasted log, summed up"] == [None]

    qtbot.waitUntil(sent, timeout=WAIT)
    qtbot.waitUntil(lambda: not app.snapshot.problems, timeout=WAIT)
    assert not [x for x in emulator.clockify.entries if len(x["description"] or "") > 3000]
