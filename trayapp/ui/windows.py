"""The small windows the tray opens: new timer / edit, the project search, quick start.

Each renders the snapshot it is given and hands back what the user asked for as a control
`Request` (through `requested`); the app dispatches it like any other. An entry on a project
created where it was typed ("Create project 'X'") is control/inline.py's Plan instead (the
project made first, then the entry), run by the app's `execute` (the parent's). Windows here
have no parent, so a reference is kept while each is open.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from ..control import inline
from ..control.actions import Plan, Request
from ..core.models import EntryDraft, Task, TimeEntry
from ..sync.snapshot import Snapshot

TasksFetcher = Callable[[str, Callable[[list[Task]], None]], None]


class Windows(QObject):
    requested = Signal(object)  # a control Request
    planned = Signal(object)  # a control Plan, when the parent has no `execute`

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.open: list[QWidget] = []
        # Quick start's first rows, (label, draft, colour): ui/favorites.py sets it.
        self.pinned: Callable[[Snapshot], list[tuple[str, EntryDraft, str | None]]] = \
            lambda snapshot: []

    def show(self, window: str, snapshot: Snapshot, fetch_tasks: TasksFetcher) -> None:
        """Open a window by its command name (control's Show)."""
        if window == "quick_start":
            self.quick_start(snapshot)
        elif window == "project_search":
            self.project_search(snapshot)
        elif window == "new_timer":
            self.entry(snapshot, None, fetch_tasks)
        elif window == "edit" and snapshot.running is not None:
            self.entry(snapshot, snapshot.running, fetch_tasks)

    def entry(self, snapshot: Snapshot, entry: TimeEntry | None, fetch_tasks: TasksFetcher
              ) -> QDialog:
        """The new-timer dialog (entry None) or the editor of `entry`."""
        from .entry_dialog import EntryDialog

        dialog = EntryDialog(snapshot, entry, can_create=True)

        def tasks_wanted(project_id: str) -> None:
            def arrived(tasks: list[Task]) -> None:
                if shiboken6.isValid(dialog):  # closed meanwhile: nobody to show them to
                    dialog.set_tasks(project_id, tasks)

            fetch_tasks(project_id, arrived)

        dialog.tasks_wanted.connect(tasks_wanted)

        def accepted() -> None:
            if entry is None:
                self.start(snapshot, dialog.draft())
            elif changes := dialog.changes():
                if inline.needs_creating(changes):
                    self.run(inline.update_plan(snapshot.service, entry.id, changes))
                else:
                    self.requested.emit(Request("update", {"id": entry.id,
                                                           "changes": changes}))

        dialog.accepted.connect(accepted)
        self._keep(dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def project_search(self, snapshot: Snapshot) -> QDialog:
        from .project_picker import ProjectPicker

        picker = ProjectPicker(list(snapshot.projects), allow_none=False, allow_create=True)
        projects = snapshot.project_by_id

        def chosen() -> None:
            project = picker.created or projects.get(picker.selected_project_id or "")
            if project is not None:
                self.start(snapshot, EntryDraft(project_id=project.id,
                                                billable=project.billable))

        picker.accepted.connect(chosen)
        self._keep(picker)
        picker.show()
        picker.activateWindow()
        return picker

    def quick_start(self, snapshot: Snapshot) -> QDialog:
        from .quick_start import QuickStart

        popup = QuickStart(snapshot, pinned=self.pinned(snapshot))
        popup.start_requested.connect(lambda draft: self.start(snapshot, draft))
        self._keep(popup)
        popup.popup_at_cursor()
        return popup

    def start(self, snapshot: Snapshot, draft: EntryDraft) -> None:
        """Start `draft`: a control request, or the plan that makes its new project first."""
        if inline.needs_creating(draft):
            self.run(inline.start_plan(snapshot.service, draft))
        else:
            self.requested.emit(Request("start", draft=draft))

    def run(self, plan: Plan) -> None:
        execute = getattr(self.parent(), "execute", None)
        if callable(execute):
            execute(plan, None)
        else:
            self.planned.emit(plan)

    def close_all(self) -> None:
        for window in list(self.open):
            window.close()

    def _keep(self, window: QDialog) -> None:
        self.open.append(window)
        window.finished.connect(lambda *_: self.open.remove(window)
                                if window in self.open else None)
