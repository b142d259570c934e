"""What the timesheet's rows and its running timer offer: edit, rename, continue,
duplicate, split, add, stop (now or at a time), discard, delete with Undo, copy as text, and
the row's menu. A part of TimesheetWindow (window.py), kept apart to stay readable."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from ...control.sheet import DAY, Period, Sheet, summary
from ...core.durations import utcnow
from ...core.models import Service, TimeEntry
from ...sync.snapshot import Snapshot
from .dialogs import confirm_delete, split_question, stop_question
from .panels import UndoBar
from .rows import DESCRIPTION, DURATION, TAGS, SheetTree

if TYPE_CHECKING:
    from collections.abc import Callable


def local_today() -> date:
    return utcnow().astimezone().date()


class SheetActions(QWidget):
    """The window's row actions (mixed into TimesheetWindow, which builds the widgets)."""

    requested = Signal(str, dict)  # a change: command and its arguments
    edit_wanted = Signal(object)  # a TimeEntry to open in the Edit dialog
    add_wanted = Signal(object)  # a date to add a past entry to

    snapshot: Snapshot | None
    period: Period
    sheet: Sheet
    tree: SheetTree
    deleted: dict[str, TimeEntry]
    undo_bar: UndoBar
    _undo: QTimer
    edit_action: QAction
    continue_action: QAction
    duplicate_action: QAction
    split_action: QAction
    stop_action: QAction
    stop_at_action: QAction
    add_action: QAction
    undo_action: QAction
    redraw: Callable[[], None]
    set_status: Callable[[str], None]

    @property
    def service(self) -> Service | None:
        return self.snapshot.service if self.snapshot is not None else None

    # -- rows -------------------------------------------------------------------------------
    def entry(self, entry_id: str | None) -> TimeEntry | None:
        if entry_id is None:
            return None
        row = self.sheet.row(entry_id)
        return row.entry if row is not None else None

    def current(self) -> TimeEntry | None:
        return self.entry(self.tree.current_entry_id())

    def edit_current(self) -> None:
        entry = self.current()
        if entry is not None:
            self.edit_wanted.emit(entry)

    def edit_entry(self, entry_id: str) -> None:
        entry = self.entry(entry_id)
        if entry is not None:
            self.edit_wanted.emit(entry)

    def edit_running(self) -> None:
        if self.snapshot is not None and self.snapshot.running is not None:
            self.edit_wanted.emit(self.snapshot.running)

    def rename_current(self) -> None:
        if self.current() is not None:
            self.tree.rename()

    def continue_current(self) -> None:
        entry = self.current()
        if entry is not None and not entry.running:
            self.requested.emit("continue", {"id": entry.id})

    def duplicate_current(self) -> None:
        entry = self.current()
        if entry is not None and not entry.running:
            self.requested.emit("duplicate", {"id": entry.id})

    def split_current(self) -> None:
        from ...control.sheet import split_times

        entry = self.current()
        if entry is None or entry.running:
            return
        dialog = split_question(entry, lambda at: split_times(entry, at), self)
        if dialog.exec():
            self.requested.emit("split", {"id": entry.id, "at": dialog.value()})

    def add_entry(self) -> None:
        self.add_wanted.emit(self.tree.current_day() or self.period.anchor
                             if self.period.kind == DAY or self.tree.current_day()
                             else min(local_today(), self.period.days[-1]))

    def _inline_edited(self, entry_id: str, column: int, text: str) -> None:
        from ...core.text import fit_to_send
        from ..entry_dialog import parse_tags

        entry = self.entry(entry_id)
        if entry is None:
            return
        changes: dict[str, object] = {}
        if column == DESCRIPTION and fit_to_send(text) != entry.description:
            changes["description"] = fit_to_send(text)
        elif column == TAGS:
            known = [t.name for t in self.snapshot.tags] if self.snapshot else []
            tags = parse_tags(text, known)
            if tags != entry.tags:
                changes["tags"] = tags
        elif column == DURATION and entry.stop is not None:
            from ...core.when import parse_duration

            try:
                length = parse_duration(text)
            except ValueError as exc:
                self.set_status(str(exc))
                self.redraw()
                return
            if entry.start + length != entry.stop:
                changes["stop"] = entry.start + length
        if changes:
            self.requested.emit("update", {"id": entry.id, "changes": changes})
        else:
            self.redraw()  # back to what it was (a blank description shows its placeholder)

    # -- the running timer ------------------------------------------------------------------
    def stop_now(self) -> None:
        if self.snapshot is not None and self.snapshot.running is not None:
            self.requested.emit("stop", {})

    def stop_at(self) -> None:
        from ...control.sheet import stop_time

        running = self.snapshot.running if self.snapshot is not None else None
        if running is None:
            return
        dialog = stop_question(running, lambda at: stop_time(running, at), self)
        if dialog.exec():
            self.requested.emit("stop_at", {"at": dialog.value()})

    def discard_running(self) -> None:
        running = self.snapshot.running if self.snapshot is not None else None
        if running is not None:
            self.delete_entry(running.id, running)

    # -- delete and Undo --------------------------------------------------------------------
    def delete_current(self) -> None:
        entry_id = self.tree.current_entry_id()
        if entry_id is not None:
            self.delete_entry(entry_id)

    def delete_entry(self, entry_id: str, entry: TimeEntry | None = None) -> None:
        """Asks, then hides the entry; it is deleted when the Undo delay is over (or the
        window closes), so an Undo costs nothing."""
        entry = entry or self.entry(entry_id)
        if entry is None or not confirm_delete(entry, self):
            return
        self.commit_deletes()  # an earlier one is past undoing now
        below = self._neighbour(entry_id)
        self.deleted[entry.id] = entry
        self.undo_bar.say([entry.description])
        self._undo.start()
        self.redraw()
        if below is not None:
            self.tree.select_entry(below)

    def _neighbour(self, entry_id: str) -> str | None:
        rows = self.sheet.rows
        ids = [r.id for r in rows]
        if entry_id not in ids:
            return None
        i = ids.index(entry_id)
        after = ids[i + 1:] + list(reversed(ids[:i]))
        return after[0] if after else None

    def undo(self) -> None:
        if not self.deleted:
            return
        self._undo.stop()
        back = list(self.deleted)
        self.deleted.clear()
        self.undo_bar.say([])
        self.redraw()
        self.tree.select_entry(back[-1])

    def commit_deletes(self) -> None:
        self._undo.stop()
        gone, self.deleted = self.deleted, {}
        self.undo_bar.say([])
        for entry in gone.values():
            if entry.running:
                self.requested.emit("discard", {"id": entry.id, "start": entry.start})
            else:
                self.requested.emit("delete", {"id": entry.id})

    # -- the rest ---------------------------------------------------------------------------
    def copy_text(self) -> None:
        text = summary(self.sheet, self.service, local_today())
        QGuiApplication.clipboard().setText(text)
        self.set_status("Copied a summary of the "
                        f"{'day' if self.period.kind == DAY else 'week'} to the clipboard.")

    def _context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        entry = self.current()
        if entry is not None:
            menu.addAction(self.edit_action)
            self.edit_action.setText("Edit…\tEnter")
            menu.addAction("Rename\tF2", self.rename_current)
            if entry.running:
                menu.addAction(self.stop_action)
                menu.addAction(self.stop_at_action)
            else:
                menu.addAction(self.continue_action)
                menu.addAction(self.duplicate_action)
                menu.addAction(self.split_action)
            menu.addSeparator()
            label = "Discard timer…\tDel" if entry.running else "Delete…\tDel"
            menu.addAction(label, self.delete_current)
            menu.addSeparator()
        menu.addAction(self.add_action)
        if self.deleted:
            menu.addAction(self.undo_action)
        menu.popup(self.tree.viewport().mapToGlobal(pos))
        self._menu = menu  # kept for tests; replaced at the next opening
