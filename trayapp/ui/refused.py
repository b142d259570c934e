"""A change the service refused, fixed from the tray: discarded only once the user confirms,
or edited in the entry dialog and sent again (say, a description too long for Clockify, or a
project deleted on the server). What to do is asked as a control Request, as elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from ..control.actions import Request
from ..core.models import TimeEntry
from ..sync.snapshot import Problem, Snapshot
from .entry_dialog import ERROR_COLOR, EntryDialog
from .text import elided, shown

Ask = Callable[[Request], None]


def where(problem: Problem) -> dict[str, object]:
    """The service whose outbox holds it (the tray lists both services' problems)."""
    return {"service": problem.service.value} if problem.service else {}


def discard_text(problem: Problem) -> str:
    if problem.action in ("start", "create"):
        outcome = "The entry is deleted from this computer; nothing of it is sent."
    else:
        outcome = "The service keeps its own version of the entry, shown at the next sync."
    return (f"Discard the refused {problem.action} of “{elided(problem.description, 60)}”?\n\n"
            f"{shown(problem.title)}: {elided(problem.message, 200)}\n\n{outcome}")


def confirm_discard(problem: Problem, parent: QWidget | None = None) -> bool:
    """Yes or No, No by default. Plain text: the description and the service's message
    are shown as written, never as markup."""
    box = QMessageBox(QMessageBox.Icon.Question, "Discard this change?", discard_text(problem),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def discard(problem: Problem, ask: Ask, parent: QWidget | None = None) -> None:
    if confirm_discard(problem, parent):
        ask(Request("drop", {"seq": problem.seq, **where(problem)}))


def edit_dialog(snapshot: Snapshot, problem: Problem, entry: TimeEntry, ask: Ask) -> EntryDialog:
    """The entry dialog on the refused start's entry, headed by why it was refused; Try
    again sends it with the edit folded in (see control's `fix`)."""
    dialog = EntryDialog(snapshot, entry)
    dialog.setWindowTitle("Edit and try again")
    dialog.ok_button.setText("Try again")
    why = QLabel(f"{shown(problem.title)}: {elided(problem.message, 300)}")
    why.setTextFormat(Qt.TextFormat.PlainText)  # the service's words, never markup
    why.setWordWrap(True)
    why.setStyleSheet(f"color: {ERROR_COLOR};")
    dialog.form.insertRow(0, why)

    def accepted() -> None:
        ask(Request("fix", {"seq": problem.seq, "changes": fixes(dialog), **where(problem)}))

    dialog.accepted.connect(accepted)
    return dialog


def fixes(dialog: EntryDialog) -> dict[str, object]:
    """Every field as the dialog shows it (not only the ones changed: what the refused change
    holds is what counts), and the times when they were changed."""
    draft = dialog.draft()
    values: dict[str, object] = {"description": draft.description,
                                 "project_id": draft.project_id, "tags": draft.tags,
                                 "billable": draft.billable}
    if dialog.uses_tasks:
        values["task_id"] = draft.task_id
    times = {k: v for k, v in dialog.changes().items() if k in ("start", "stop")}
    return {**values, **times}
