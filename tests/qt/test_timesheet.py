"""The timesheet window, with the whole app in-process (offscreen) against the emulator:
opening it (no request on a fresh cache), navigation, edits in place and in the dialog, delete
with Undo, add, split, continue, stop at a time, copy as text, and the keyboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox

from trayapp.api.gateway import Gateway
from trayapp.api.trackers import make_tracker
from trayapp.control.actions import Request
from trayapp.control.sheet import DAY, WEEK, Period
from trayapp.core.models import EntryDraft, Service
from trayapp.ui.entry_dialog import EntryDialog
from trayapp.ui.timesheet import window as window_module
from trayapp.ui.timesheet.dialogs import TimeQuestion
from trayapp.ui.timesheet.rows import TAGS

from ..conftest import TEST_KEY
from ..support.whole_app import whole_app

SHOTS = Path("/tmp/trayapp-timesheet-screenshots")  # for a person to look at
WAIT = 10_000
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
REVIEW = (NOW - timedelta(hours=3), NOW - timedelta(hours=2))  # "Timesheet review"
CALL = (NOW - timedelta(minutes=100), NOW - timedelta(minutes=70))  # "Call with Initech"


def on_the_web(emulator, description: str, start: datetime, stop: datetime) -> str:
    with Gateway(TEST_KEY, emulator.base_url) as gateway:
        web = make_tracker(Service.TOGGL, gateway)
        wid = web.me().default_workspace_id
        return web.create(wid, EntryDraft(description, start=start, stop=stop)).id


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    monkeypatch.setattr(window_module, "UNDO_SECONDS", 1)
    on_the_web(emulator, "Timesheet review", *REVIEW)
    on_the_web(emulator, "Call with Initech", *CALL)
    with whole_app(qtbot, emulator, monkeypatch) as tray_app:
        yield tray_app


@pytest.fixture
def confirm(monkeypatch):
    """Message boxes answered Yes without being shown; each records what it asked."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box.text())
        return int(QMessageBox.StandardButton.Yes)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def open_sheet(app, qtbot, day=None):
    app.dispatch(Request("timesheet"))
    qtbot.waitUntil(lambda: app.sheet.window is not None and app.sheet.window.isVisible(),
                    timeout=WAIT)
    window = app.sheet.window
    wanted = Period(DAY, day or REVIEW[0].astimezone().date())
    if window.period != wanted:
        window.show_period(wanted)
    qtbot.waitUntil(lambda: window.loaded == window.period and bool(window.sheet.days),
                    timeout=WAIT)
    return window


def server_entries(emulator) -> dict[str, dict]:
    return {x["description"]: x for x in emulator.toggl.entries
            if not x.get("server_deleted_at")}


def entry_requests(emulator, method: str | None = None) -> list[str]:
    return [f"{r.method} {r.native_path}" for r in emulator.requests
            if ("time_entries" in r.path or "time-entries" in r.path)
            and (method is None or r.method == method)]


def select(window, description: str) -> str:
    row = next(r for r in window.sheet.rows if r.description == description)
    assert window.tree.select_entry(row.id)
    return row.id


def shoot(widget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def test_opens_from_the_cache_without_a_request_and_navigates(app, qtbot, emulator):
    emulator.clear_requests()
    window = open_sheet(app, qtbot, NOW.astimezone().date())
    qtbot.wait(300)
    assert entry_requests(emulator) == []  # the two weeks the app keeps are fresh
    assert {"Timesheet review", "Call with Initech"} <= {r.description for r in window.sheet.rows}
    shoot(window, "day")

    today = window.period.anchor
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.period == Period(DAY, today - timedelta(days=1))
    assert window.title.text().startswith("Yesterday")
    qtbot.keyClick(window, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    assert window.period.anchor == today and window.title.text().startswith("Today")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.period.kind == WEEK and len(window.period.days) == 7
    qtbot.waitUntil(lambda: window.loaded == window.period, timeout=WAIT)
    assert window.title.text().startswith("This week")
    days = {d.day for d in window.sheet.days}
    assert today in days and all(window.period.holds(d) for d in days)
    shoot(window, "week")
    window.next_button.click()
    assert window.period.days[0] == window.period.step(-1).days[0] + timedelta(days=7)
    window.day_button.click()
    assert window.period.kind == DAY


def test_overlapping_entries_are_flagged(app, qtbot):
    window = open_sheet(app, qtbot)
    review = window.sheet.row(select(window, "Timesheet review"))
    call = window.sheet.row(select(window, "Call with Initech"))
    assert review is not None and call is not None
    assert "Timesheet review" not in call.overlaps  # 3h-2h ago and 100-70 min ago
    app.dispatch(Request("update", {"id": call.id, "changes": {
        "start": REVIEW[0] + timedelta(minutes=30)}}))
    qtbot.waitUntil(lambda: bool(window.sheet.row(call.id) and "Timesheet review" in
                                 window.sheet.row(call.id).overlaps), timeout=WAIT)
    assert "Timesheet review" in window.sheet.row(call.id).overlaps
    assert "Call with Initech" in window.sheet.row(review.id).overlaps


def test_edit_in_place_and_in_the_dialog(app, qtbot, emulator):
    window = open_sheet(app, qtbot)
    entry_id = select(window, "Timesheet review")
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_F2)  # the description, edited in place
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "Timesheet review"
    editor.setText("Review of the login")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Review of the login" in server_entries(emulator),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: any(r.description == "Review of the login"
                                for r in window.sheet.rows), timeout=WAIT)
    assert select(window, "Review of the login") == entry_id
    window.tree.model().setData(window.tree.row_of(entry_id, TAGS),  # what the in-place
                                "review, urgent")  # editor commits
    qtbot.waitUntil(lambda: len(server_entries(emulator).get("Review of the login", {})
                                .get("tag_ids", ())) == 2, timeout=WAIT)

    select(window, "Call with Initech")
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_Return)
    dialog = app.sheet.dialog
    assert isinstance(dialog, EntryDialog) and dialog.entry.description == "Call with Initech"
    dialog.description.setText("Call with Acme")
    dialog.accept()
    qtbot.waitUntil(lambda: "Call with Acme" in server_entries(emulator), timeout=WAIT)


def test_delete_asks_then_undo_costs_nothing_and_delete_sends_once(app, qtbot, emulator,
                                                                    confirm):
    window = open_sheet(app, qtbot)
    entry_id = select(window, "Call with Initech")
    emulator.clear_requests()
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_Delete)
    assert confirm and "Call with Initech" in confirm[-1]
    assert window.sheet.row(entry_id) is None and window.undo_bar.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.sheet.row(entry_id) is not None and not window.undo_bar.isVisible()
    assert window.tree.current_entry_id() == entry_id
    qtbot.wait(1500)  # past the Undo delay: nothing was sent
    assert entry_requests(emulator, "DELETE") == []
    assert "Call with Initech" in server_entries(emulator)

    qtbot.keyClick(window.tree, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "Call with Initech" not in server_entries(emulator), timeout=WAIT)
    qtbot.wait(300)
    assert len(entry_requests(emulator, "DELETE")) == 1
    assert window.sheet.row(entry_id) is None


def test_closing_the_window_sends_a_delete_still_undoable(app, qtbot, emulator, confirm,
                                                          monkeypatch):
    monkeypatch.setattr(window_module, "UNDO_SECONDS", 60)
    app.sheet.window = None
    window = open_sheet(app, qtbot)
    select(window, "Timesheet review")
    window.delete_current()
    window.close()
    qtbot.waitUntil(lambda: "Timesheet review" not in server_entries(emulator), timeout=WAIT)


def add_dialog(app, qtbot, window):
    window.add_button.click()
    dialog = app.sheet.dialog
    assert isinstance(dialog, QDialog)
    return dialog


def test_add_a_past_entry(app, qtbot, emulator):
    window = open_sheet(app, qtbot)
    running_before = app.snapshot.running
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = app.sheet.dialog
    assert isinstance(dialog, EntryDialog)
    dialog.description.setText("Planning meeting")
    start, stop = dialog.times() if hasattr(dialog, "times") else dialog._times()
    assert stop is not None and start.astimezone().date() == window.period.anchor
    dialog.accept()
    qtbot.waitUntil(lambda: "Planning meeting" in server_entries(emulator), timeout=WAIT)
    made = server_entries(emulator)["Planning meeting"]
    assert made["stop"] is not None
    qtbot.waitUntil(lambda: any(r.description == "Planning meeting"
                                for r in window.sheet.rows), timeout=WAIT)
    assert app.snapshot.running == running_before  # a past entry never stops the timer


def test_split_continue_and_duplicate(app, qtbot, emulator, monkeypatch):
    window = open_sheet(app, qtbot)
    review = window.sheet.row(select(window, "Timesheet review"))
    middle = REVIEW[0] + timedelta(minutes=20)
    monkeypatch.setattr(TimeQuestion, "exec", lambda self: 1)
    monkeypatch.setattr(TimeQuestion, "value", lambda self: middle)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)

    def halves() -> list[dict]:
        return [x for x in emulator.toggl.entries if x["description"] == "Timesheet review"
                and not x.get("server_deleted_at")]

    qtbot.waitUntil(lambda: len(halves()) == 2 and all(x["stop"] for x in halves()),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: sum(r.description == "Timesheet review" for r in window.sheet.rows)
                    == 2, timeout=WAIT)
    assert review is not None and review.seconds == 3600
    assert sorted(r.seconds for r in window.sheet.rows if r.description == "Timesheet review") \
        == [20 * 60, 40 * 60]

    select(window, "Call with Initech")
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: sum(x["description"] == "Call with Initech"
                                for x in emulator.toggl.entries) == 2, timeout=WAIT)

    select(window, "Call with Initech")
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: app.snapshot.running is not None
                    and app.snapshot.running.description == "Call with Initech", timeout=WAIT)
    qtbot.waitUntil(lambda: window.card.isVisible(), timeout=WAIT)


def test_stop_at_a_time_and_discard_the_running_timer(app, qtbot, emulator, monkeypatch,
                                                      confirm):
    window = open_sheet(app, qtbot, NOW.astimezone().date())
    app.tray.start(EntryDraft("Writing docs"))
    qtbot.waitUntil(lambda: window.card.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: app.snapshot.running is not None and app.snapshot.pending == 0,
                    timeout=WAIT)
    assert window.tree.running_index().isValid()
    shoot(window, "running")
    running = app.snapshot.running
    stop_at = running.start.replace(microsecond=0) + timedelta(seconds=1)
    monkeypatch.setattr(TimeQuestion, "exec", lambda self: 1)
    monkeypatch.setattr(TimeQuestion, "value", lambda self: stop_at)
    window.card.buttons["stop_at"].click()
    qtbot.waitUntil(lambda: server_entries(emulator).get("Writing docs", {}).get("stop")
                    is not None, timeout=WAIT)
    assert not window.card.isVisible() or app.snapshot.running is None

    app.tray.start(EntryDraft("Oops, wrong timer"))
    qtbot.waitUntil(lambda: app.snapshot.running is not None
                    and app.snapshot.running.description == "Oops, wrong timer"
                    and app.snapshot.pending == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: window.card.isVisible(), timeout=WAIT)
    window.card.buttons["discard"].click()
    assert "Discard the running timer" in confirm[-1]
    qtbot.waitUntil(lambda: "Oops, wrong timer" not in server_entries(emulator),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: app.snapshot.running is None, timeout=WAIT)


def test_copy_as_text(app, qtbot):
    window = open_sheet(app, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    text = QApplication.clipboard().text()
    assert text.startswith("Timesheet · ") and "(Toggl Track)" in text
    assert "Timesheet review" in text and "Call with Initech" in text
    assert text.rstrip().splitlines()[-1].startswith("Total ")
    assert "Copied" in window.status.text()


def test_keyboard_moves_between_rows_and_enter_on_a_day_adds(app, qtbot):
    window = open_sheet(app, qtbot)
    window.tree.setFocus()
    first = select(window, "Call with Initech")
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert window.tree.current_entry_id() not in (None, first)
    window.tree.setCurrentIndex(window.tree.model().index(0, 0))  # the first day's header
    assert window.tree.current_entry_id() is None and window.tree.current_day() is not None
    qtbot.keyClick(window.tree, Qt.Key.Key_Return)
    assert isinstance(app.sheet.dialog, QDialog)
    app.sheet.dialog.reject()


def test_the_tray_menu_opens_it(app, qtbot):
    app.tray.rebuild_menu()
    item = next(a for a in app.tray.menu.actions() if a.text() == "Timesheet…")
    item.trigger()
    qtbot.waitUntil(lambda: app.sheet.window is not None and app.sheet.window.isVisible(),
                    timeout=WAIT)
