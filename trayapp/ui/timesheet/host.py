"""The timesheet wired to the running app: the entries of the period shown come from the
store at once (the `local` worker) and then from the service when the range is not fresh (the
`net` worker, never the GUI thread); the window's changes go through the app's one path
(`dispatch` for control's commands, `execute` for the sheet's own Plans).

`app` is the TrayApp (app.py), reached by duck typing: windows never import the layers that
run the backend."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer

from ...control import inline, sheet_ops
from ...control.actions import Request
from ...control.sheet import Period
from ...core import errors as e
from ...core.durations import format_moment, format_timestamp
from ...core.models import Service, Task, TimeEntry
from ...sync.snapshot import Snapshot
from .e2e import report_dialog

if TYPE_CHECKING:
    from collections.abc import Callable

    from ...sync.account import Account
    from .window import TimesheetWindow

#: The window's commands that control's `plan` dispatches (as the command line asks them);
#: `add` and `duplicate` are the sheet's own Plans (sheet_ops), with ids already chosen.
#: When an opened-again window reads the cache anyway if its list was not painted by then.
AFTER_PAINT_MS = 300
DISPATCHED = frozenset({"update", "stop", "stop_at", "discard", "delete", "continue", "split"})


class SheetHost(QObject):
    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.app = app
        self.window: TimesheetWindow | None = None
        self.service: Service | None = None
        self.dialog: Any = None  # the Edit / Add dialog open over the sheet

    # -- showing ----------------------------------------------------------------------------
    def show(self, period: Period | None = None) -> None:
        """Open the window (made when first asked) on `period`, or on the one it shows."""
        window = self.window
        if window is None or not shiboken6.isValid(window):
            from .window import TimesheetWindow  # loaded when first opened, not at start

            window = self.window = TimesheetWindow()
            window.wanted.connect(self.load)
            window.requested.connect(self.request)
            window.edit_wanted.connect(self.edit)
            window.add_wanted.connect(self.add)
        if period is not None:
            window.period = period
        snapshot = self.app.snapshot
        if snapshot is not None:
            window.set_snapshot(snapshot)
        elif period is not None:
            window.redraw()
        held = window.loaded == window.period  # opened again on what it shows
        window.show_and_raise()
        if held:
            # Read again once the rows are painted: the read (thousands of entries on a
            # worker) would slow the paint of what is already there.
            self._after_paint(window, partial(self.load, window.period))
        else:
            self.load(window.period)

    def _after_paint(self, window: TimesheetWindow, then: Callable[[], None]) -> None:
        """`then` after the list's next paint (or soon, if it is not painted)."""
        done: list[bool] = []

        def run() -> None:
            if done:
                return
            done.append(True)
            if shiboken6.isValid(window):
                window.tree.painted.disconnect(run)
            if self.window is window:
                then()

        window.tree.painted.connect(run, Qt.ConnectionType.QueuedConnection)
        QTimer.singleShot(AFTER_PAINT_MS, run)

    @property
    def visible(self) -> bool:
        return self.window is not None and shiboken6.isValid(self.window) \
            and self.window.isVisible()

    def snapshot_changed(self, snapshot: Snapshot | None) -> None:
        """A new snapshot of the service tracked on: the catalog, the running timer, and the
        entries again from the store (no request)."""
        if not self.visible or snapshot is None or snapshot.service is not self.app.service:
            return
        assert self.window is not None
        switched = self.service is not snapshot.service
        self.window.set_snapshot(snapshot)
        if switched:
            self.load(self.window.period)
        else:
            self.reread(self.window.period)

    # -- loading ----------------------------------------------------------------------------
    def reread(self, period: Period) -> None:
        runtime, service = self.app.runtime, self.app.service
        if runtime is None:
            return
        runtime.local.call(partial(_cached, service=service, period=period),
                           partial(self._arrived, period), self._failed, kind="sheet-cache")

    def load(self, period: Period) -> None:
        """Shown from the store at once; then asked of the service if the range is not fresh."""
        runtime, service = self.app.runtime, self.app.service
        if runtime is None or self.window is None:
            return
        self.service = service
        self.reread(period)
        self.window.set_status("Updating…")

        def loaded(found: sheet_ops.Range | None) -> None:
            if found is not None:  # None: fresh, as the cache read shows it
                self._arrived(period, found)
            if self.window is not None and shiboken6.isValid(self.window):
                self.window.set_status(f"Up to date · {format_moment(datetime.now().astimezone())}")

        runtime.net_call(partial(_loaded, service=service, period=period), loaded,
                         self._failed, kind="sheet-load")

    def _arrived(self, period: Period, found: sheet_ops.Range) -> None:
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.set_entries(period, found.entries, found.unsent)

    def _failed(self, error: e.TrackerError) -> None:
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.set_status(f"{error.title}: {error.text} Showing what this computer "
                                   "knows.")

    # -- changes ----------------------------------------------------------------------------
    def request(self, command: str, args: dict[str, Any]) -> None:
        service = self.service or self.app.service
        if command in DISPATCHED:
            name, given = as_request(command, args)
            self.app.dispatch(Request(name, {**given, "service": service.value}))
            return
        try:
            plan = sheet_ops.plan_for(command, service, **args)
        except e.TrackerError as exc:
            self.app.tell(exc)
            return
        self.app.execute(plan, None)

    def edit(self, entry: TimeEntry) -> None:
        from ..entry_dialog import EntryDialog

        snapshot = self.app.snapshot
        if snapshot is None or self.window is None:
            return
        dialog = EntryDialog(snapshot, entry, self.window, can_create=True)
        self._tasks_for(dialog)

        def accepted() -> None:
            changes = dialog.changes()
            if inline.needs_creating(changes):  # "Create project 'X'": made first
                service = self.service or self.app.service
                self.app.execute(inline.update_plan(service, entry.id, changes), None)
            elif changes:
                self.request("update", {"id": entry.id, "changes": changes})

        dialog.accepted.connect(accepted)
        self._open(dialog)

    def add(self, day: date) -> None:
        from ..entry_dialog import EntryDialog

        snapshot = self.app.snapshot
        if snapshot is None or self.window is None:
            return
        dialog = EntryDialog.past_entry(snapshot, day, self.window, can_create=True)
        self._tasks_for(dialog)

        def accepted() -> None:
            start, stop = dialog.times()
            draft = dialog.draft()
            if stop is not None and inline.needs_creating(draft):
                service = self.service or self.app.service
                try:
                    plan = inline.add_plan(service, draft, start, stop)
                except e.TrackerError as exc:
                    self.app.tell(exc)
                    return
                self.app.execute(plan, None)
            elif stop is not None:
                self.request("add", {"draft": draft, "start": start, "stop": stop})

        dialog.accepted.connect(accepted)
        self._open(dialog)

    def _tasks_for(self, dialog: Any) -> None:
        runtime, service = self.app.runtime, self.service or self.app.service
        if runtime is None:
            return

        def wanted(project_id: str) -> None:
            def arrived(tasks: list[Task]) -> None:
                if shiboken6.isValid(dialog):
                    dialog.set_tasks(project_id, tasks)

            runtime.net_call(partial(_tasks, service=service, project_id=project_id), arrived)

        dialog.tasks_wanted.connect(wanted)

    def _open(self, dialog: Any) -> None:
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        report_dialog(dialog)

    def close(self) -> None:
        """The app ends: deletions still waiting out their Undo delay are sent now."""
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.close()


def as_request(command: str, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A window's change as control's command and arguments (times as RFC 3339, the way
    the command line gives them)."""
    if command == "discard":
        return "discard", {"confirmed": format_timestamp(args["start"])}
    if command == "stop_at":
        return "stop", {"at": format_timestamp(args["at"])}
    if command == "split":
        return "split", {"id": args["id"], "at": format_timestamp(args["at"])}
    return command, dict(args)


def _cached(account: Account, service: Service, period: Period) -> sheet_ops.Range:
    return sheet_ops.cached(account.session(service), period.start, period.end)


def _loaded(account: Account, service: Service, period: Period) -> sheet_ops.Range | None:
    return sheet_ops.load(account.session(service), period.start, period.end)


def _tasks(account: Account, service: Service, project_id: str) -> list[Task]:
    return account.session(service).tasks(project_id)
