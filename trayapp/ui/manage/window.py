"""The manager window: Projects, Clients, Tags and (Clockify) Tasks, each a searchable,
sortable table with New, Edit or Rename, Archive or Restore, and Delete. It renders the items
it is given and hands back what the user asks for as the command line's catalog requests
(`requested(kind, args)`); the host (host.py) loads the items and sends the requests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.models import Service
from .dialogs import PALETTE, NameDialog, ProjectDialog
from .model import KINDS, PLURAL, CatalogFilter, CatalogModel, Item

TITLES = {"project": "Projects", "client": "Clients", "tag": "Tags", "task": "Tasks"}
ALL_PROJECTS = "All projects"

Question = Callable[[str, Item], str]  # (kind, item) -> what deleting it means


def default_question(kind: str, item: Item) -> str:
    return f"Delete the {kind} “{item.name}”? This cannot be undone."


class CatalogTab(QWidget):
    """One kind's table and its buttons."""

    requested = Signal(str, dict)  # kind, the command line's args (action, name, ...)

    def __init__(self, kind: str, window: ManagerWindow) -> None:
        super().__init__()
        self.kind = kind
        self.window_ = window
        self.model = CatalogModel(kind, self)
        self.proxy = CatalogFilter(self)
        self.proxy.setSourceModel(self.model)
        self.projects: list[Item] = []  # tasks: the projects they may belong to

        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Search {PLURAL[kind]}")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._searched)
        self.search.setAccessibleName(f"Search {PLURAL[kind]}")
        self.archived = QCheckBox("Show done" if kind == "task" else "Show archived")
        self.archived.toggled.connect(self._archived_toggled)
        self.project = QComboBox()
        self.project.setVisible(kind == "task")
        self.project.setMinimumContentsLength(18)
        self.project.currentIndexChanged.connect(self._project_chosen)
        self.new = QPushButton(f"New {kind}")
        self.new.setDefault(False)
        self.new.clicked.connect(self.create_item)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.project)
        top.addWidget(self.archived)
        top.addWidget(self.new)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in range(1, len(self.model.columns)):
            header.resizeSection(column, 200 if self.model.columns[column] in
                                 ("Client", "Project") else 100)
        self.table.doubleClicked.connect(lambda _: self.edit())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.proxy.modelReset.connect(self._enable)
        self.proxy.layoutChanged.connect(self._enable)

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.empty.setWordWrap(True)
        self.count = QLabel()
        self.count.setStyleSheet("color: palette(placeholder-text);")
        self.edit_button = QPushButton("Edit…" if kind == "project" else "Rename…")
        self.edit_button.clicked.connect(self.edit)
        self.archive_button = QPushButton("Archive")
        self.archive_button.clicked.connect(self.archive_or_restore)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.delete)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        for button in (self.edit_button, self.archive_button, self.delete_button):
            bottom.addWidget(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(bottom)
        self._shortcuts()
        self._enable()

    def _shortcuts(self) -> None:
        for keys, slot in ((QKeySequence.StandardKey.Find, self.focus_search),
                           (QKeySequence.StandardKey.New, self.create_item),
                           (QKeySequence(Qt.Key.Key_F2), self.edit),
                           (QKeySequence.StandardKey.Delete, self.delete)):
            action = QAction(self)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    # -- what it shows ----------------------------------------------------------------------
    def set_items(self, items: Sequence[Item]) -> None:
        kept = self.selected()
        if self.model.set_items(items):
            if kept is not None:
                self.select(kept.name)
        self._enable()

    def set_projects(self, projects: Sequence[Item]) -> None:
        """Tasks: the projects to filter by and to add a task to."""
        self.projects = sorted((p for p in projects if not p.archived),
                               key=lambda p: p.name.casefold())
        current = self.project.currentData()
        self.project.blockSignals(True)
        self.project.clear()
        self.project.addItem(ALL_PROJECTS, None)
        for project in self.projects:
            self.project.addItem(project.name, project.id)
        found = self.project.findData(current)
        self.project.setCurrentIndex(max(0, found))
        self.project.blockSignals(False)

    def rows(self) -> list[Item]:
        """The items shown, in their order (for tests and the e2e report)."""
        return [item for row in range(self.proxy.rowCount())
                if (item := self.proxy.item(row)) is not None]

    def selected(self) -> Item | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.item(rows[0].row()) if rows else None

    def select(self, name: str) -> bool:
        folded = name.casefold()
        for row in range(self.proxy.rowCount()):
            item = self.proxy.item(row)
            if item is not None and item.name.casefold() == folded:
                index = self.proxy.index(row, 0)
                self.table.selectionModel().select(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return True
        return False

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _searched(self, text: str) -> None:
        self.proxy.set_search(text)
        self._enable()

    def _archived_toggled(self, shown: bool) -> None:
        self.proxy.set_show_archived(shown)
        self._enable()

    def _project_chosen(self) -> None:
        project_id = self.project.currentData()
        self.proxy.set_project(project_id)
        self._enable()
        if project_id:
            self.window_.tasks_wanted.emit(project_id)

    def _enable(self) -> None:
        item = self.selected()
        self.edit_button.setEnabled(item is not None)
        self.delete_button.setEnabled(item is not None)
        if self.kind == "task":
            self.archive_button.setText("Mark done")
            self.archive_button.setEnabled(item is not None and not item.archived)
        else:
            self.archive_button.setText("Restore" if item is not None and item.archived
                                        else "Archive")
            self.archive_button.setEnabled(item is not None)
        shown, total = self.proxy.rowCount(), len(self.model.items)
        archived = sum(1 for x in self.model.items if x.archived)
        word = PLURAL[self.kind] if total != 1 else self.kind
        text = f"{total:,} {word}"
        if archived:
            text += f" · {archived:,} {'done' if self.kind == 'task' else 'archived'}"
        if shown != total:
            text += f" · {shown:,} shown"
        self.count.setText(text)
        if shown == 0:
            self.empty.setText(
                f"No {PLURAL[self.kind]} match “{self.search.text().strip()}”."
                if self.proxy.needle else
                f"No {PLURAL[self.kind]} yet. “New {self.kind}” adds one." if not total else
                f"Every {self.kind} is {'done' if self.kind == 'task' else 'archived'}; "
                f"“{self.archived.text()}” lists them.")
        self.empty.setVisible(shown == 0)
        self.table.setVisible(shown != 0)

    def _menu(self, pos: Any) -> None:
        index: QModelIndex = self.table.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        menu.addAction(self.edit_button.text(), self.edit)
        if self.archive_button.isEnabled():
            menu.addAction(self.archive_button.text(), self.archive_or_restore)
        menu.addSeparator()
        menu.addAction("Delete…", self.delete)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- what the user asks -----------------------------------------------------------------
    def ask(self, args: dict[str, Any]) -> None:
        self.requested.emit(self.kind, args)

    def create_item(self) -> None:
        window = self.window_
        typed = self.search.text().strip()
        if self.kind == "project":
            project = ProjectDialog(self, clients=window.client_names(), name=typed,
                                    color=PALETTE[0], custom_colors=window.custom_colors)
            if window.run(project):
                values = project.values()
                args = {"action": "add", "name": values["name"], "color": values["color"],
                        "billable": values["billable"]}
                if values["client"]:
                    args["client"] = values["client"]
                self.ask(args)
            return
        if self.kind == "task":
            names = [p.name for p in self.projects]
            if not names:
                window.set_status("A task belongs to a project: create a project first.")
                return
            chosen = self.project.currentText()
            dialog = NameDialog(self, "New task", "Task name", ok="Create task",
                                choices=names, choice_label="Project", new=True,
                                choice=None if chosen == ALL_PROJECTS else chosen, name=typed)
            if window.run(dialog):
                self.ask({"action": "add", "project": dialog.chosen(), "name": dialog.value()})
            return
        dialog = NameDialog(self, f"New {self.kind}", f"{self.kind.capitalize()} name",
                            ok=f"Create {self.kind}", name=typed, new=True)
        if window.run(dialog):
            self.ask({"action": "add", "name": dialog.value()})

    def edit(self) -> None:
        item = self.selected()
        if item is None:
            return
        window = self.window_
        if self.kind == "project":
            project = ProjectDialog(self, clients=window.client_names(), name=item.name,
                                    client=item.client, color=item.color or PALETTE[0],
                                    billable=item.billable, new=False,
                                    custom_colors=window.custom_colors)
            if window.run(project):
                changes = project.changes()
                if not changes:
                    return
                args: dict[str, Any] = {"action": "rename", "name": item.name,
                                        "new": changes.pop("name", item.name)}
                if "client" in changes:  # "" takes the client away
                    args["client"] = changes.pop("client") or ""
                args.update(changes)
                self.ask(args)
            return
        dialog = NameDialog(self, f"Rename {self.kind} “{item.name}”", "New name",
                            name=item.name, ok="Rename")
        if window.run(dialog):
            args = {"action": "rename", "name": item.name, "new": dialog.value()}
            if self.kind == "task":
                args["project"] = item.project
            self.ask(args)

    def archive_or_restore(self) -> None:
        item = self.selected()
        if item is None:
            return
        if self.kind == "task":
            if not item.archived:
                self.ask({"action": "done", "name": item.name, "project": item.project})
            return
        self.ask({"action": "restore" if item.archived else "archive", "name": item.name})

    def delete(self) -> None:
        item = self.selected()
        if item is None:
            return
        text = self.window_.question(self.kind, item)
        box = QMessageBox(QMessageBox.Icon.Warning, f"Delete {self.kind}?", text,
                          QMessageBox.StandardButton.Cancel, self)
        yes = box.addButton(f"Delete {self.kind}", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        if box.clickedButton() is not yes and answer != QMessageBox.StandardButton.Yes:
            return
        args = {"action": "delete", "name": item.name, "yes": True}
        if self.kind == "task":
            args["project"] = item.project
        self.ask(args)


class ManagerWindow(QWidget):
    requested = Signal(str, dict)  # kind, args: a catalog request as the command line makes it
    reload_wanted = Signal()
    tasks_wanted = Signal(str)  # a project's id: its tasks are wanted (Clockify)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Projects, clients and tags")
        self.service: Service | None = None
        self.question: Question = default_question
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.pages: dict[str, CatalogTab] = {}
        for kind in KINDS:
            page = CatalogTab(kind, self)
            page.requested.connect(self.requested)
            self.pages[kind] = page
            self.tabs.addTab(page, TITLES[kind])
        self.tabs.currentChanged.connect(lambda _: self.current().table.setFocus())
        self.status = QLabel()
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.setWordWrap(True)
        self.refresh = QPushButton("Refresh")
        self.refresh.setToolTip("Ask the service for its projects, clients and tags again")
        self.refresh.clicked.connect(self.reload_wanted)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(12, 0, 12, 10)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        for index, keys in enumerate(("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4")):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i)
                                     if self.tabs.isTabVisible(i) else None)
            self.addAction(action)
        close = QAction(self)
        close.setShortcuts([QKeySequence(QKeySequence.StandardKey.Close),
                            QKeySequence(Qt.Key.Key_Escape)])
        close.triggered.connect(self.close)
        self.addAction(close)
        self.resize(820, 600)
        self.setMinimumSize(560, 360)

    def page(self, kind: str) -> CatalogTab:
        return self.pages[kind]

    def current(self) -> CatalogTab:
        widget = self.tabs.currentWidget()
        assert isinstance(widget, CatalogTab)
        return widget

    def show_kind(self, kind: str) -> None:
        self.tabs.setCurrentWidget(self.pages[kind])

    def set_service(self, service: Service) -> None:
        self.service = service
        self.setWindowTitle(f"Projects, clients and tags · {service.title}")
        tasks = service is Service.CLOCKIFY
        self.tabs.setTabVisible(KINDS.index("task"), tasks)
        if not tasks and self.current().kind == "task":
            self.show_kind("project")
        # Toggl archives no tags: the box would show nothing more.
        self.pages["tag"].archived.setVisible(tasks)

    def set_items(self, kind: str, items: Sequence[Item]) -> None:
        self.pages[kind].set_items(items)
        if kind == "project":
            self.pages["task"].set_projects(items)

    @property
    def custom_colors(self) -> bool:
        """Any colour (Clockify); Toggl's free plan takes its palette only."""
        return self.service is Service.CLOCKIFY

    def client_names(self) -> list[str]:
        return [x.name for x in self.pages["client"].model.items if not x.archived]

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def run(self, dialog: QDialog) -> bool:
        """A dialog over the window (tests answer it through `exec`)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def show_and_raise(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.current().table.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        event.accept()
