"""Where the timesheet's rows, buttons and dialog fields are on screen, for the end-to-end
tests that click them for real (TRAYAPP_E2E=1; see ui/e2e.py for the rest of the app)."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

ON = bool(os.environ.get("TRAYAPP_E2E"))


def centre(widget: QWidget) -> dict[str, int]:
    point = widget.mapToGlobal(widget.rect().center())
    return {"x": point.x(), "y": point.y()}


def report_sheet(window: Any) -> None:
    """Soon after a redraw (once the window is laid out): the rows and the buttons."""
    if ON:
        QTimer.singleShot(200, lambda: _sheet(window))


def _sheet(window: Any) -> None:
    from ..e2e import emit

    try:
        if not window.isVisible():
            return
    except RuntimeError:  # closed and deleted meanwhile
        return
    tree, rows = window.tree, []
    for entry_id, index in tree.entry_rows():
        point = tree.viewport().mapToGlobal(tree.visualRect(index).center())
        rows.append({"id": entry_id, "description": index.data(),
                     "x": point.x(), "y": point.y()})
    buttons = {"add": centre(window.add_button), "copy": centre(window.copy_button),
               "prev": centre(window.prev_button), "next": centre(window.next_button)}
    emit("sheet", title=window.title.text(), rows=rows, buttons=buttons,
         deleted=list(window.deleted))


def report_dialog(dialog: Any) -> None:
    if ON:
        QTimer.singleShot(300, lambda: _dialog(dialog))


def _dialog(dialog: Any) -> None:
    from ..e2e import emit

    try:
        if not dialog.isVisible():
            return
    except RuntimeError:
        return
    project = getattr(dialog, "project_button", None)
    emit("sheet_dialog", cls=type(dialog).__name__, description=centre(dialog.description),
         ok=centre(dialog.ok_button), project=centre(project) if project is not None else None)


def report_box(box: Any) -> None:
    """A question's buttons (it runs its own event loop: reported from inside it)."""
    if ON:
        QTimer.singleShot(300, lambda: _box(box))


def _box(box: Any) -> None:
    from ..e2e import emit

    try:
        if not box.isVisible():
            return
    except RuntimeError:
        return
    emit("sheet_question", text=box.text(),
         buttons={b.text(): centre(b) for b in box.buttons()})
