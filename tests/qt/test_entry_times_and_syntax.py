"""The entry dialog's times (edit, late start, past entry) and quick entry in the new-timer
dialog and Quick start."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt

from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Project, Service, Tag, Task, TimeEntry
from trayapp.sync.snapshot import Snapshot
from trayapp.ui.entry_dialog import EntryDialog
from trayapp.ui.entry_times import parse_duration, to_qdatetime
from trayapp.ui.quick_start import QuickStart

PROJECTS = (
    Project("p1", "w", "Website", "#e91e63", "c1", "Acme"),
    Project("p2", "w", "Design", "#2196f3", "c1", "Acme"),
    Project("p3", "w", "Design", "#4caf50", "c2", "Globex", billable=True),
)
TAGS = (Tag("t1", "w", "bug"), Tag("t2", "w", "review"))
TASKS = (Task("k1", "p1", "Testing"),)


def snap(service: Service = Service.TOGGL, entries: tuple[TimeEntry, ...] = ()) -> Snapshot:
    return Snapshot(service=service, workspace_id="w", entries=entries, projects=PROJECTS,
                    tags=TAGS, tasks=TASKS)


def stopped_dialog(qtbot) -> tuple[EntryDialog, datetime]:
    start = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    entry = TimeEntry("e1", "w", start, start + timedelta(hours=1), "Thing")
    dialog = EntryDialog(snap(entries=(entry,)), entry)
    qtbot.addWidget(dialog)
    return dialog, start


# -- times ----------------------------------------------------------------------------------------

def test_start_stop_and_duration_edit_each_other(qtbot):
    dialog, start = stopped_dialog(qtbot)
    assert dialog.duration_edit.text() == "1:00:00" and not dialog.duration_edit.isReadOnly()
    # A new start keeps the stop: the duration follows.
    dialog.start_edit.setDateTime(to_qdatetime(start - timedelta(minutes=30)))
    assert dialog.duration_edit.text() == "1:30:00"
    assert set(dialog.changes()) == {"start"}
    # A new stop keeps the start.
    dialog.stop_edit.setDateTime(to_qdatetime(start + timedelta(hours=2)))
    assert dialog.duration_edit.text() == "2:30:00"
    # A new duration keeps the start and moves the stop.
    dialog.duration_edit.clear()
    qtbot.keyClicks(dialog.duration_edit, "45m")
    assert dialog.times() == (start - timedelta(minutes=30), start + timedelta(minutes=15))
    assert dialog.changes()["stop"] == start + timedelta(minutes=15)
    assert dialog.valid


def test_a_duration_that_is_not_one_is_refused_in_words(qtbot):
    dialog, _ = stopped_dialog(qtbot)
    dialog.duration_edit.clear()
    qtbot.keyClicks(dialog.duration_edit, "soon")
    assert not dialog.valid and "1:30" in dialog.message.text()


def test_stop_before_start_is_refused_with_a_message(qtbot):
    dialog, start = stopped_dialog(qtbot)
    dialog.stop_edit.setDateTime(to_qdatetime(start - timedelta(minutes=1)))
    assert not dialog.valid and dialog.message.text() == "The stop is before the start."
    assert dialog.duration_edit.text() == "—"


@pytest.mark.parametrize("text, seconds", [
    ("1:30", 5400), ("1:30:15", 5415), ("90m", 5400), ("1h30m", 5400), ("1.5h", 5400),
    ("45", 2700), ("2h", 7200), ("30s", 30), ("", None), ("1:75", None), ("abc", None),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


def test_new_timer_started_minutes_ago(qtbot):
    dialog = EntryDialog(snap())
    qtbot.addWidget(dialog)
    assert dialog.started_ago.value() == 0 and dialog.started_ago.text() == "now"
    assert dialog.draft().start is None  # now: the service's now
    dialog.started_ago.setValue(25)
    start, stop = dialog.times()
    assert stop is None
    assert abs((utcnow() - timedelta(minutes=25) - start).total_seconds()) < 5
    assert dialog.draft().start == start


def test_past_entry_dialog(qtbot):
    day = date(2025, 3, 4)
    dialog = EntryDialog.past_entry(snap(), day)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Add time entry" and dialog.ok_button.text() == "&Add"
    start, stop = dialog.times()
    assert start == datetime.combine(day, time(9)).astimezone().astimezone(UTC)
    assert stop == start + timedelta(hours=1)
    assert start.tzinfo is UTC and stop.tzinfo is UTC
    assert dialog.stop_edit.isVisibleTo(dialog) and not dialog.started_ago.isVisibleTo(dialog)
    dialog.duration_edit.clear()
    qtbot.keyClicks(dialog.duration_edit, "2:15")
    qtbot.keyClicks(dialog.description, "Planning @Website #review")
    draft = dialog.draft()
    assert draft == EntryDraft(description="Planning", project_id="p1", tags=("review",),
                               start=start, stop=start + timedelta(hours=2, minutes=15))
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(dialog.description, Qt.Key.Key_Return)


# -- quick entry in the new-timer dialog -----------------------------------------------------------

def test_new_timer_reads_the_description_and_shows_it(qtbot):
    dialog = EntryDialog(snap(Service.CLOCKIFY))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.description, "Fix login @Website +Testing #bug $")
    assert dialog.understood.isVisible()
    assert dialog.understood.summary.text() == "Understood: Acme / Website · Testing · #bug · " \
                                               "billable"
    assert dialog.draft() == EntryDraft(description="Fix login", project_id="p1",
                                        task_id="k1", tags=("bug",), billable=True)


def test_an_ambiguous_project_blocks_until_a_choice_is_taken(qtbot):
    dialog = EntryDialog(snap())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.description, "Sketch @Design")
    assert not dialog.valid
    text = dialog.understood.problems.text()
    assert "matches 2 projects" in text and "Globex / Design" in text
    dialog.understood.problems.linkActivated.emit("0:1")  # the second choice
    assert dialog.description.text() == 'Sketch @"Globex / Design"'
    assert dialog.valid
    assert (dialog.draft().project_id, dialog.draft().billable) == ("p3", True)


def test_names_are_shown_as_text_not_markup(qtbot):
    dialog = EntryDialog(snap())
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.description, "x @<b>bold</b>")
    assert "&lt;b&gt;" in dialog.understood.problems.text()


def test_edit_mode_does_not_read_syntax(qtbot):
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    entry = TimeEntry("e1", "w", start, start + timedelta(hours=1), "mail @home #1")
    dialog = EntryDialog(snap(entries=(entry,)), entry)
    qtbot.addWidget(dialog)
    assert dialog.changes() == {} and dialog.valid
    assert dialog.draft().description == "mail @home #1"


# -- Quick start ---------------------------------------------------------------------------------

def rows(popup: QuickStart) -> list[str]:
    return [popup.list.item(r).text() for r in range(popup.list.count())]


def test_quick_start_completes_a_project_name_then_starts(qtbot):
    popup = QuickStart(snap())
    qtbot.addWidget(popup)
    qtbot.keyClicks(popup.search, "Fix @Web")
    assert rows(popup) == ["Acme / Website", "+ Create project “Web” and start"]
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert popup.search.text() == "Fix @Website "
    assert rows(popup)[0] == "Start “Fix” · Acme / Website"
    with qtbot.waitSignal(popup.start_requested, timeout=1000) as started:
        qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert started.args[0] == EntryDraft(description="Fix", project_id="p1")


def test_quick_start_a_description_in_a_project_without_knowing_the_syntax(qtbot):
    popup = QuickStart(snap())
    qtbot.addWidget(popup)
    qtbot.keyClicks(popup.search, "bug")
    labels = rows(popup)
    assert labels[0] == "Start “bug”" and labels[1].startswith("“bug” in a project")
    qtbot.keyClick(popup.search, Qt.Key.Key_Down)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert popup.search.text() == "bug @"
    assert rows(popup)[:3] == ["Acme / Design", "Acme / Website", "Globex / Design"]


def test_quick_start_offers_the_choices_of_a_problem(qtbot):
    popup = QuickStart(snap())
    qtbot.addWidget(popup)
    qtbot.keyClicks(popup.search, "Fix @Webiste now")
    labels = rows(popup)
    assert labels[0] == "Start “Fix now”"  # shown, but it cannot be chosen
    assert not popup.list.item(0).flags() & Qt.ItemFlag.ItemIsSelectable
    assert labels[1] == "Use Acme / Website for “Webiste”"
    assert "No project named 'Webiste'" in popup.understood.problems.text()
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert popup.search.text() == "Fix @Website now"
    with qtbot.waitSignal(popup.start_requested, timeout=1000) as started:
        qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert started.args[0].project_id == "p1"
