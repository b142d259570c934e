"""The dialog defects found when tried as a new user would (issue 11, item 6): each test here
failed before its fix."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QLabel

from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Project, Service, Tag, TimeEntry
from trayapp.sync.snapshot import Snapshot
from trayapp.ui import entry_times
from trayapp.ui.entry_dialog import EntryDialog
from trayapp.ui.project_picker import KIND, ProjectPicker
from trayapp.ui.quick_start import QuickStart

PROJECTS = (
    Project("p1", "w", "Website", "#e91e63", "c1", "Acme"),
    Project("p2", "w", "Backend API", "#2196f3", "c1", "Acme"),
    Project("p4", "w", "Internal", "#9e9e9e"),
)
TAGS = (Tag("t1", "w", "docs"), Tag("t2", "w", "meeting"), Tag("t3", "w", "review"))


def snapshot(entries: tuple[TimeEntry, ...] = (), projects=PROJECTS, tags=TAGS) -> Snapshot:
    return Snapshot(service=Service.TOGGL, workspace_id="w", entries=entries,
                    projects=projects, tags=tags,
                    descriptions=tuple(dict.fromkeys(e.description for e in entries)))


def project_names(picker: ProjectPicker) -> list[str]:
    lst = picker.list
    return [lst.item(r).text().strip() for r in range(lst.count())
            if not lst.isRowHidden(r) and lst.item(r).data(KIND) == "project"]


def test_tag_completer_does_not_double_the_tag(qtbot):
    dialog = EntryDialog(snapshot())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.tags.setFocus()  # the line edit takes its completer's signals when focused
    qtbot.waitUntil(dialog.tags.hasFocus, timeout=2000)
    qtbot.keyClicks(dialog.tags, "docs, rev")
    popup = dialog.tags.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.tags.text() == "docs, review, "
    assert dialog.tag_names() == ("docs", "review")


def test_project_search_ranks_word_prefix_first_and_sorts_naturally(qtbot):
    many = [Project(f"n{i}", "w", f"Project number {i}", "#123456") for i in range(1, 14)]
    picker = ProjectPicker(many)
    qtbot.addWidget(picker)
    assert project_names(picker)[:4] == ["Project number 1", "Project number 2",
                                         "Project number 3", "Project number 4"]
    picker.search.setText("number 3")
    assert project_names(picker) == ["Project number 3", "Project number 13"]
    assert picker.list.currentItem().text().strip() == "Project number 3"


def test_quick_start_prefers_the_matching_recent_entry(qtbot):
    now = utcnow()
    entries = (TimeEntry("e1", "w", now - timedelta(hours=2), now - timedelta(hours=1),
                         "Bug bash", "p1"),)
    popup = QuickStart(snapshot(entries))
    qtbot.addWidget(popup)
    qtbot.keyClicks(popup.search, "bug")
    assert popup.list.currentItem().text().startswith("Bug bash")
    with qtbot.waitSignal(popup.start_requested, timeout=1000) as started:
        qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert started.args[0] == EntryDraft(description="Bug bash", project_id="p1")


def test_quick_start_typed_description_with_a_project(qtbot):
    popup = QuickStart(snapshot())
    qtbot.addWidget(popup)
    qtbot.keyClicks(popup.search, "Fix login @Website #review $")
    with qtbot.waitSignal(popup.start_requested, timeout=1000) as started:
        qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert started.args[0] == EntryDraft(description="Fix login", project_id="p1",
                                         tags=("review",), billable=True)


def test_quick_start_on_an_empty_account_shows_a_hint(qtbot):
    popup = QuickStart(snapshot(projects=(), tags=()))
    qtbot.addWidget(popup)
    popup.show()
    hints = [w for w in popup.findChildren(QLabel) if w.isVisible() and w.text()]
    assert hints and any("@" in w.text() for w in hints)


def test_edit_dialog_duration_ticks_while_running(qtbot, monkeypatch):
    start = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    dialog = EntryDialog(snapshot((TimeEntry("e1", "w", start, None, "Running"),)),
                         TimeEntry("e1", "w", start, None, "Running"))
    qtbot.addWidget(dialog)
    dialog.show()
    before = dialog.duration_label.text()
    later = start + timedelta(minutes=42)
    monkeypatch.setattr(entry_times, "utcnow", lambda: later)
    qtbot.waitUntil(lambda: dialog.duration_label.text() != before, timeout=3000)
    assert dialog.duration_label.text() == "0:42:00"


def mnemonics(dialog) -> dict[str, list[str]]:
    """Each Alt+letter of the dialog's visible labels and buttons, and what carries it."""
    out: dict[str, list[str]] = {}
    widgets = [w for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
               if w.isVisibleTo(dialog) and "&" in w.text().replace("&&", "")]
    for widget in widgets:
        key = QKeySequence.mnemonic(widget.text()).toString()
        out.setdefault(key, []).append(widget.text())
    return out


def test_every_mnemonic_of_the_entry_dialog_is_unique(qtbot):
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    stopped = TimeEntry("e1", "w", start, start + timedelta(hours=1), "Done")
    for service in (Service.TOGGL, Service.CLOCKIFY):
        snap = Snapshot(service=service, workspace_id="w", projects=PROJECTS, tags=TAGS)
        for dialog in (EntryDialog(snap), EntryDialog(snap, stopped),
                       EntryDialog(snap, TimeEntry("e2", "w", start, None, "Running"))):
            qtbot.addWidget(dialog)
            keys = mnemonics(dialog)
            assert all(len(owners) == 1 for owners in keys.values()), keys
            ok = dialog.ok_button.text()
            assert "&" in ok, f"{ok} has no Alt shortcut"
