"""A searchable project picker that stays quick with hundreds of projects.

The search field keeps the keyboard focus: typing filters, Up/Down/PageUp/PageDown move the
highlight in the list, Enter picks, Escape cancels. Projects are grouped under their client's
name (header rows cannot be selected); each one shows its colour as a small round swatch.
A search ranks exact, prefix and word-prefix matches first, and names sort naturally.
With `allow_create`, a name no project has is offered last as "Create project 'X'":
choosing it gives a stand-in project (control/inline.py) that is made when the entry is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..control.inline import new_project
from ..core.models import Project
from ..core.quick_entry import match_rank, name_key, natural_key
from .icons import BLANK, swatch_icon
from .text import shown, tooltip_text

ROLE = Qt.ItemDataRole.UserRole  # the project id ("" for the "(No project)" row)
KIND = Qt.ItemDataRole.UserRole + 1  # "header", "none", "project" or "create"
NO_CLIENT = "No client"
NO_PROJECT = "(No project)"




def sort_projects(projects: Iterable[Project]) -> list[Project]:
    """The order the tray uses: by client ("No client" first), then by name, in natural order
    ("Project 2" before "Project 10")."""
    return sorted(projects, key=lambda p: (p.client_name is not None,
                                           natural_key(p.client_name or ""),
                                           natural_key(p.name)))


class ProjectPicker(QDialog):
    def __init__(
        self,
        projects: Iterable[Project],
        parent: QWidget | None = None,
        allow_none: bool = True,
        current: str | None = None,
        allow_create: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose a project")
        self.selected_project_id: str | None = None
        self.created: Project | None = None  # "Create project 'X'" chosen: its stand-in
        self._allow_create = allow_create
        # Archived projects cannot take new time; keep only the current one so it stays visible.
        self._all = list(projects)
        self._projects = sort_projects(p for p in self._all if p.active or p.id == current)

        self.search = QLineEdit(placeholderText="Search projects and clients"
                                + (", or name a new project" if allow_create else ""))
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Type to filter; Up/Down to move, Enter to choose, Esc to cancel")
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(12, 12))
        self.list.setStyleSheet("QListWidget::item { padding: 3px 4px; }")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing always goes to the search
        self.empty = QLabel()
        self.empty.setTextFormat(Qt.TextFormat.PlainText)  # it repeats what was typed
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Choose")
        buttons.accepted.connect(self._accept_current)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(buttons)
        self.resize(420, 480)

        self._fill(allow_none)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(self._pick)
        self.list.itemDoubleClicked.connect(self._pick)
        self.list.currentItemChanged.connect(lambda *_: self._update_ok())
        self._select_id(current if current is not None else None)
        self.search.setFocus()

    # -- building and filtering -------------------------------------------------------------
    def _fill(self, allow_none: bool) -> None:
        self._allow_none = allow_none
        self._header_font = QFont(self.list.font())
        self._header_font.setBold(True)
        self._show(self._ranked(""))

    def _ranked(self, text: str) -> list[Project]:
        """The projects `text` finds, best first: exact, then prefix, then every word starting
        a word ("number 3" finds "Project number 3" before "Project number 13"), then inside;
        grouped by client (the group of the best match first), in natural order."""
        ranks: dict[str, int] = {}
        for project in self._projects:
            rank = match_rank(text, project.name, project.label,
                              f"{project.client_name or ''} {project.name}")
            if rank is not None:
                ranks[project.id] = rank
        found = [p for p in self._projects if p.id in ranks]
        best: dict[str | None, int] = {}
        for project in found:
            best[project.client_name] = min(best.get(project.client_name, 9), ranks[project.id])
        return sorted(found, key=lambda p: (
            best[p.client_name] if text.strip() else 0, p.client_name is not None,
            natural_key(p.client_name or ""), p.client_name or "", ranks[p.id],
            natural_key(p.name)))

    def _show(self, projects: list[Project]) -> None:
        self.list.setUpdatesEnabled(False)  # one repaint for the whole pass
        self.list.clear()
        if self._allow_none and not self.search.text().strip():
            item = QListWidgetItem(swatch_icon(BLANK), NO_PROJECT)
            item.setData(ROLE, "")
            item.setData(KIND, "none")
            self.list.addItem(item)
        group: object = object()
        for project in projects:
            if project.client_name != group:
                group = project.client_name
                header = QListWidgetItem(shown(project.client_name or NO_CLIENT))
                header.setData(KIND, "header")
                header.setFont(self._header_font)
                # Enabled (so it is drawn normally) but not selectable.
                header.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.list.addItem(header)
            item = QListWidgetItem(swatch_icon(project.color), shown(project.name))
            item.setData(ROLE, project.id)
            item.setData(KIND, "project")
            item.setToolTip(tooltip_text(project.label))
            self.list.addItem(item)
        name = self.new_name()
        if name is not None:
            if projects:  # apart from the client group above it
                header = QListWidgetItem("New project")
                header.setData(KIND, "header")
                header.setFont(self._header_font)
                header.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.list.addItem(header)
            item = QListWidgetItem(swatch_icon(BLANK), f"+ Create project “{shown(name)}”")
            item.setData(ROLE, name)
            item.setData(KIND, "create")
            item.setToolTip("A new project with this name; made on the service with the "
                            "entry (later, if offline)")
            self.list.addItem(item)
        self.list.setUpdatesEnabled(True)

    def new_name(self) -> str | None:
        """The name typed, when it may be created: no project (archived ones included) has
        it, as a name or as 'Client / Project'."""
        if not self._allow_create:
            return None
        name = " ".join(self.search.text().split())
        if not name:
            return None
        key = name_key(name)
        if any(key in (name_key(p.name), name_key(p.label)) for p in self._all):
            return None
        return name

    def _filter(self, text: str) -> None:
        self._show(self._ranked(text))
        visible = self.list.count()
        self.list.setVisible(visible > 0)
        self.empty.setVisible(visible == 0)
        self.empty.setText(f"No project matches “{shown(text)}”." if visible == 0 else "")
        # The best match is highlighted: Enter takes it.
        self._move_to(self._first_selectable(0, 1))
        self._update_ok()

    # -- keyboard navigation ------------------------------------------------------------------
    def _selectable(self, row: int) -> bool:
        item = self.list.item(row)
        return (item is not None and not self.list.isRowHidden(row)
                and item.data(KIND) != "header")

    def _first_selectable(self, start: int, step: int) -> int | None:
        row = start
        while 0 <= row < self.list.count():
            if self._selectable(row):
                return row
            row += step
        return None

    def _move_to(self, row: int | None) -> None:
        if row is None:
            self.list.setCurrentRow(-1)  # no current item (what setCurrentItem(None) does)
            return
        self.list.setCurrentRow(row)
        self.list.scrollToItem(self.list.item(row))

    def _step(self, delta: int) -> None:
        """Move the highlight by `delta` selectable rows, stopping at the ends."""
        row = self.list.currentRow()
        step = 1 if delta > 0 else -1
        target = None
        for _ in range(abs(delta)):
            nxt = self._first_selectable(row + step if row >= 0 else 0, step)
            if nxt is None:
                break
            row = target = nxt
        if target is not None:
            self._move_to(target)

    def _page(self) -> int:
        rect = self.list.visualItemRect(self.list.item(0)) if self.list.count() else None
        height = rect.height() if rect is not None and rect.height() > 0 else 20
        return max(1, self.list.viewport().height() // height - 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = cast(QKeyEvent, event).key()
            moves: dict[int, int] = {  # key() is a plain int; Qt.Key is an IntEnum
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: self._page(),
                Qt.Key.Key_PageUp: -self._page(),
            }
            if key in moves:
                self._step(moves[key])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._accept_current()
                return True
        return super().eventFilter(watched, event)

    # -- choosing ----------------------------------------------------------------------------
    def _select_id(self, project_id: str | None) -> None:
        wanted = project_id or ""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(KIND) != "header" and item.data(ROLE) == wanted:
                self._move_to(row)
                return
        self._move_to(self._first_selectable(0, 1))

    def _update_ok(self) -> None:
        item = self.list.currentItem()
        self.ok_button.setEnabled(item is not None and item.data(KIND) != "header")

    def _accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None and not self.list.isRowHidden(self.list.row(item)):
            self._pick(item)

    def _pick(self, item: QListWidgetItem) -> None:
        if item.data(KIND) == "header":
            return
        if item.data(KIND) == "create":
            self.created = new_project(str(item.data(ROLE)))
            self.selected_project_id = self.created.id
            self.accept()
            return
        self.selected_project_id = item.data(ROLE) or None
        self.accept()

    @staticmethod
    def pick(
        projects: Iterable[Project],
        parent: QWidget | None = None,
        allow_none: bool = True,
        current: str | None = None,
        allow_create: bool = False,
    ) -> str | None | bool:
        """Modal: the chosen project id, None for "(No project)", False when cancelled (a
        new project's stand-in id: control/inline.py)."""
        picker = ProjectPicker(projects, parent, allow_none=allow_none, current=current,
                               allow_create=allow_create)
        if picker.exec() != QDialog.DialogCode.Accepted:
            return False
        return picker.selected_project_id
