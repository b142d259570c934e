"""The project picker and the entry dialog (offscreen, no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialog

from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Project, Service, Tag, Task, TimeEntry
from trayapp.sync.snapshot import Snapshot
from trayapp.ui.entry_dialog import EntryDialog, from_qdatetime, parse_tags, to_qdatetime
from trayapp.ui.icons import swatch_icon
from trayapp.ui.project_picker import KIND, ProjectPicker

PROJECTS = (
    Project("p1", "w", "Website", "#e91e63", "c1", "Acme"),
    Project("p2", "w", "Backend API", "#2196f3", "c1", "Acme"),
    Project("p3", "w", "Onboarding", "#4caf50", "c2", "Globex"),
    Project("p4", "w", "Internal", "#9e9e9e"),
    Project("p5", "w", "Old stuff", "#000000", active=False),
    Project("p6", "w", "Billing", "#ff9800", "c2", "Globex", billable=True),
)


def visible_rows(picker: ProjectPicker) -> list[tuple[str, str]]:
    lst = picker.list
    return [(lst.item(r).data(KIND), lst.item(r).text().strip())
            for r in range(lst.count()) if not lst.isRowHidden(r)]


# -- project picker ---------------------------------------------------------------------------

def test_picker_groups_by_client_with_unselectable_headers(qtbot):
    picker = ProjectPicker(PROJECTS)
    qtbot.addWidget(picker)
    rows = visible_rows(picker)
    assert rows[0] == ("none", "(No project)")
    assert [t for k, t in rows if k == "header"] == ["No client", "Acme", "Globex"]
    assert ("project", "Old stuff") not in rows  # archived projects are not offered
    for r in range(picker.list.count()):
        item = picker.list.item(r)
        if item.data(KIND) == "header":
            assert not item.flags() & Qt.ItemFlag.ItemIsSelectable


def test_picker_filters_by_project_or_client_case_insensitively(qtbot):
    picker = ProjectPicker(PROJECTS)
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.search, "GLOBEX")
    assert visible_rows(picker) == [("header", "Globex"), ("project", "Billing"),
                                    ("project", "Onboarding")]
    picker.search.setText("api")
    assert visible_rows(picker) == [("header", "Acme"), ("project", "Backend API")]
    picker.search.setText("nothing like this")
    assert visible_rows(picker) == []
    assert picker.empty.isVisibleTo(picker) and "nothing like this" in picker.empty.text()
    assert not picker.ok_button.isEnabled()


def test_picker_keyboard_skips_headers_and_enter_picks(qtbot):
    picker = ProjectPicker(PROJECTS)
    qtbot.addWidget(picker)
    picker.show()
    assert picker.list.currentItem().data(KIND) == "none"
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)  # over the "No client" header
    assert picker.list.currentItem().text().strip() == "Internal"
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)  # over the "Acme" header
    assert picker.list.currentItem().text().strip() == "Backend API"
    qtbot.keyClick(picker.search, Qt.Key.Key_Up)
    qtbot.keyClick(picker.search, Qt.Key.Key_Up)
    assert picker.list.currentItem().data(KIND) == "none"
    qtbot.keyClick(picker.search, Qt.Key.Key_Up)  # stays at the top
    assert picker.list.currentItem().data(KIND) == "none"
    assert picker.search.hasFocus() or not picker.isActiveWindow()

    qtbot.keyClicks(picker.search, "onb")
    with qtbot.waitSignal(picker.accepted, timeout=1000):
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.selected_project_id == "p3"


def test_picker_none_row_and_escape(qtbot):
    picker = ProjectPicker(PROJECTS, current="p1")
    qtbot.addWidget(picker)
    picker.show()
    assert picker.list.currentItem().text().strip() == "Website"  # the current one is highlighted
    with qtbot.waitSignal(picker.rejected, timeout=1000):
        qtbot.keyClick(picker.search, Qt.Key.Key_Escape)

    picker = ProjectPicker(PROJECTS, current="p1")
    qtbot.addWidget(picker)
    picker.list.setCurrentRow(0)
    with qtbot.waitSignal(picker.accepted, timeout=1000):
        qtbot.keyClick(picker.search, Qt.Key.Key_Enter)
    assert picker.selected_project_id is None

    picker = ProjectPicker(PROJECTS, allow_none=False)
    qtbot.addWidget(picker)
    assert all(kind != "none" for kind, _ in visible_rows(picker))
    assert picker.list.currentItem().text().strip() == "Internal"


def test_picker_double_click_picks(qtbot):
    picker = ProjectPicker(PROJECTS)
    qtbot.addWidget(picker)
    picker.show()
    item = next(picker.list.item(r) for r in range(picker.list.count())
                if picker.list.item(r).text().strip() == "Billing")
    rect = picker.list.visualItemRect(item)
    # QTest sends only the double-click event; a real one follows a press and release.
    qtbot.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(picker.accepted, timeout=1000):
        qtbot.mouseDClick(picker.list.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert picker.selected_project_id == "p6"


def test_picker_with_hundreds_of_projects(qtbot):
    many = [Project(f"id{i}", "w", f"Project {i:03d}", "#123456", f"c{i % 40}",
                    f"Client c{i % 40:02d}") for i in range(500)]
    picker = ProjectPicker(many)
    qtbot.addWidget(picker)
    assert picker.list.count() == 1 + 40 + 500
    picker.search.setText("ject 42")  # every word must match the client or the project
    names = [t for k, t in visible_rows(picker) if k == "project"]
    assert sorted(names) == sorted(f"Project {i:03d}" for i in range(500) if "42" in f"{i:03d}")
    picker.search.setText("C07")
    rows = visible_rows(picker)
    assert rows[0] == ("header", "Client c07")
    assert [t for k, t in rows[1:]] == [f"Project {i:03d}" for i in range(7, 500, 40)]
    assert picker.list.currentItem().data(KIND) == "project"


def test_pick_static_helper_returns_false_when_cancelled(qtbot, monkeypatch):
    monkeypatch.setattr(ProjectPicker, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert ProjectPicker.pick(PROJECTS) is False


def test_swatch_icon(qtbot):
    icon = swatch_icon("#ff0000")
    assert not icon.isNull()
    image = icon.pixmap(12, 12).toImage()
    assert image.pixelColor(6, 6).red() > 200
    assert not swatch_icon("not a colour").isNull()


# -- entry dialog --------------------------------------------------------------------------------

def make_snapshot(service: Service = Service.TOGGL,
                  entries: tuple[TimeEntry, ...] = ()) -> Snapshot:
    now = utcnow().replace(microsecond=0)
    entries = entries or (
        TimeEntry("e1", "w", now - timedelta(hours=2), now - timedelta(hours=1),
                  "Write report", "p2", tags=("docs",), billable=True),
        TimeEntry("e2", "w", now - timedelta(hours=5), now - timedelta(hours=4),
                  "Team meeting", None, tags=("meeting",)),
    )
    return Snapshot(
        service=service,
        workspace_id="w",
        entries=entries,
        projects=PROJECTS,
        tags=(Tag("t1", "w", "docs"), Tag("t2", "w", "meeting"), Tag("t3", "w", "Review")),
        tasks=(Task("k1", "p1", "Design"), Task("k2", "p1", "Build")),
        descriptions=tuple(dict.fromkeys(e.description for e in entries)),
    )


def completions(dialog: EntryDialog) -> list[str]:
    model = dialog.completer.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_new_timer_draft_and_autocomplete(qtbot):
    dialog = EntryDialog(make_snapshot())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "New timer"
    assert completions(dialog) == ["Write report", "Team meeting"]
    assert dialog.completer.filterMode() == Qt.MatchFlag.MatchContains
    assert dialog.completer.caseSensitivity() == Qt.CaseSensitivity.CaseInsensitive
    assert not dialog.start_edit.isVisibleTo(dialog)
    assert not dialog.task_combo.isVisibleTo(dialog)  # Toggl: no tasks

    dialog.description.setText("  Fix the login bug  ")
    dialog.set_project("p6")  # a billable project makes the entry billable
    dialog.tags.setText("review, new-tag, , REVIEW")
    assert dialog.billable.isChecked()
    assert dialog.ok_button.isEnabled() and dialog.ok_button.text() == "&Start"
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(dialog.description, Qt.Key.Key_Return)
    assert dialog.draft() == EntryDraft(description="Fix the login bug", project_id="p6",
                                        task_id=None, tags=("Review", "new-tag"), billable=True)


def test_choosing_a_completion_prefills_project_and_tags(qtbot):
    dialog = EntryDialog(make_snapshot())
    qtbot.addWidget(dialog)
    dialog.description.setText("Write report")
    dialog.completer.activated[str].emit("Write report")
    draft = dialog.draft()
    assert (draft.project_id, draft.tags, draft.billable) == ("p2", ("docs",), True)
    assert dialog.project_button.text() == "Acme / Backend API"

    # What the user already chose is kept.
    dialog = EntryDialog(make_snapshot())
    qtbot.addWidget(dialog)
    dialog.set_project("p3")
    dialog.tags.setText("mine")
    dialog.completer.activated[str].emit("Write report")
    assert (dialog.draft().project_id, dialog.draft().tags) == ("p3", ("mine",))


def test_project_button_opens_picker(qtbot):
    dialog = EntryDialog(make_snapshot())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.project_button, Qt.MouseButton.LeftButton)
    picker = dialog.picker
    assert picker is not None and picker.isVisible()
    qtbot.keyClicks(picker.search, "website")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert dialog.draft().project_id == "p1"
    assert dialog.project_button.text() == "Acme / Website"


def test_escape_cancels(qtbot):
    dialog = EntryDialog(make_snapshot())
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog.description, Qt.Key.Key_Escape)


def test_clockify_task_combo(qtbot):
    dialog = EntryDialog(make_snapshot(Service.CLOCKIFY))
    qtbot.addWidget(dialog)
    assert dialog.task_combo.isVisibleTo(dialog)
    assert not dialog.task_combo.isEnabled()  # no project yet
    with qtbot.waitSignal(dialog.tasks_wanted, timeout=1000) as wanted:
        dialog.set_project("p1")
    assert wanted.args == ["p1"]
    labels = [dialog.task_combo.itemText(i) for i in range(dialog.task_combo.count())]
    assert labels == ["(No task)", "Build", "Design"]  # from the snapshot, at once
    dialog.set_tasks("p1", [Task("k1", "p1", "Design"), Task("k9", "p1", "Deploy")])
    labels = [dialog.task_combo.itemText(i) for i in range(dialog.task_combo.count())]
    assert labels == ["(No task)", "Deploy", "Design"]
    dialog.task_combo.setCurrentIndex(1)
    dialog.task_combo.activated.emit(1)
    dialog.set_tasks("p2", [Task("x", "p2", "Other")])  # a late answer for another project
    assert dialog.draft().task_id == "k9"
    dialog.set_project("p2")  # a task belongs to its project
    assert dialog.draft().task_id is None


def entry_dialog(qtbot, entry: TimeEntry, service: Service = Service.TOGGL) -> EntryDialog:
    dialog = EntryDialog(make_snapshot(service, (entry,)), entry)
    qtbot.addWidget(dialog)
    return dialog


def test_edit_mode_reports_only_changed_fields(qtbot):
    start = datetime(2025, 3, 4, 9, 0, 0, 123456, tzinfo=UTC)
    entry = TimeEntry("e1", "w", start, start + timedelta(hours=1), "Write report", "p2",
                      tags=("docs", "meeting"), billable=False)
    dialog = entry_dialog(qtbot, entry)
    assert dialog.windowTitle() == "Edit time entry" and dialog.ok_button.text() == "&Save"
    assert dialog.changes() == {}  # untouched: nothing to send (microseconds ignored)
    dialog.tags.setText("meeting, docs")  # the same tags in another order
    assert dialog.changes() == {}

    dialog.description.setText("Write the report ")
    dialog.billable.setChecked(True)
    dialog.start_edit.setDateTime(dialog.start_edit.dateTime().addSecs(-1800))
    assert dialog.changes() == {
        "description": "Write the report",
        "billable": True,
        "start": datetime(2025, 3, 4, 8, 30, tzinfo=UTC),
    }
    dialog.stop_edit.setDateTime(to_qdatetime(datetime(2025, 3, 4, 11, 0, tzinfo=UTC)))
    dialog.set_project(None)
    dialog.tags.setText("docs")
    changes = dialog.changes()
    assert changes["stop"] == datetime(2025, 3, 4, 11, 0, tzinfo=UTC)
    assert changes["stop"].tzinfo is UTC
    assert changes["project_id"] is None and changes["tags"] == ("docs",)


def test_edit_running_entry_has_no_stop(qtbot):
    start = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    entry = TimeEntry("e1", "w", start, None, "Running thing")
    dialog = entry_dialog(qtbot, entry)
    assert not dialog.stop_edit.isVisibleTo(dialog)
    assert dialog.running_label.isVisibleTo(dialog)
    assert dialog.valid
    dialog.start_edit.setDateTime(dialog.start_edit.dateTime().addSecs(-600))
    assert set(dialog.changes()) == {"start"}


def test_invalid_times_disable_ok_and_explain(qtbot):
    start = utcnow().replace(microsecond=0) - timedelta(hours=3)
    entry = TimeEntry("e1", "w", start, start + timedelta(hours=1), "Thing")
    dialog = entry_dialog(qtbot, entry)
    assert dialog.valid and not dialog.message.isVisibleTo(dialog)

    dialog.stop_edit.setDateTime(to_qdatetime(start - timedelta(minutes=5)))
    assert not dialog.ok_button.isEnabled()
    assert dialog.message.isVisibleTo(dialog)
    assert dialog.message.text() == "The stop is before the start."
    assert "d1242f" in dialog.message.styleSheet()  # red
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted

    dialog.stop_edit.setDateTime(to_qdatetime(start + timedelta(hours=1)))
    assert dialog.valid and not dialog.message.isVisibleTo(dialog)

    far = utcnow() + timedelta(days=3)
    dialog.start_edit.setDateTime(to_qdatetime(far))
    dialog.stop_edit.setDateTime(to_qdatetime(far + timedelta(hours=1)))
    assert not dialog.valid
    assert "more than a day in the future" in dialog.message.text()


def test_long_entry_is_a_warning_not_an_error(qtbot):
    start = utcnow().replace(microsecond=0) - timedelta(days=3)
    entry = TimeEntry("e1", "w", start, start + timedelta(hours=2), "Thing")
    dialog = entry_dialog(qtbot, entry)
    dialog.stop_edit.setDateTime(to_qdatetime(start + timedelta(hours=30)))
    assert dialog.valid
    assert dialog.message.isVisibleTo(dialog)
    assert "30 hours" in dialog.message.text() and "more than a day" in dialog.message.text()
    assert "d1242f" not in dialog.message.styleSheet()
    assert dialog.duration_label.text() == "30:00:00"


def test_edit_clockify_task_is_kept_until_tasks_load(qtbot):
    start = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    entry = TimeEntry("e1", "w", start, start + timedelta(hours=1), "x", "p2", task_id="k7")
    dialog = entry_dialog(qtbot, entry, Service.CLOCKIFY)
    with qtbot.waitSignal(dialog.tasks_wanted, timeout=1000) as wanted:
        pass  # emitted once the event loop runs, after the caller connected
    assert wanted.args == ["p2"]
    assert dialog.task_combo.currentData() == "k7"
    assert dialog.changes() == {}
    dialog.set_tasks("p2", [Task("k7", "p2", "Review")])
    assert dialog.task_combo.currentText() == "Review"
    assert dialog.changes() == {}


@pytest.mark.parametrize("text, expected", [
    ("", ()),
    ("a, b", ("a", "b")),
    (" docs ,DOCS, new  tag,", ("docs", "new tag")),
    ("review", ("Review",)),
])
def test_parse_tags(text, expected):
    assert parse_tags(text, ["docs", "Review"]) == expected


def test_local_time_round_trip(qtbot):
    value = datetime(2025, 7, 1, 12, 34, 56, tzinfo=UTC)
    assert from_qdatetime(to_qdatetime(value)) == value
    assert to_qdatetime(value).toSecsSinceEpoch() == QDateTime.fromSecsSinceEpoch(
        int(value.timestamp())).toSecsSinceEpoch()
