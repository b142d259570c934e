"""The manager's rows: one plain `Item` per project, client, tag or task, a table model over
them and a proxy that searches and sorts. One model for thousands of rows (no widget per row):
filtering reads the items directly, sorting uses a prepared key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ...core.models import Client, Project, Tag, Task
from ..icons import swatch_icon

KINDS = ("project", "client", "tag", "task")
PLURAL = {"project": "projects", "client": "clients", "tag": "tags", "task": "tasks"}
ITEM = Qt.ItemDataRole.UserRole + 1  # the row's Item
SORT = Qt.ItemDataRole.UserRole + 2  # what the column sorts by

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


@dataclass(frozen=True)
class Item:
    """What the manager shows of one catalog item. `archived`: archived, or done (a task)."""

    kind: str
    id: str
    name: str
    archived: bool = False
    client: str | None = None
    color: str | None = None
    billable: bool = False
    project: str | None = None  # a task's project
    project_id: str | None = None
    search: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """The name the command line knows it by ('Client / Project' for a project)."""
        return self.name

    def matches(self, needle: str) -> bool:
        return needle in (self.search or self.name.casefold())


def item_of(kind: str, thing: Any, projects: dict[str, str] | None = None) -> Item:
    """An Item from a core model (as the cache holds them)."""
    if isinstance(thing, Item):
        return thing
    if isinstance(thing, Project):
        return _searchable(Item("project", thing.id, thing.name, not thing.active,
                                thing.client_name, thing.color, thing.billable))
    if isinstance(thing, Task):
        project = (projects or {}).get(thing.project_id)
        return _searchable(Item("task", thing.id, thing.name, not thing.active,
                                billable=thing.billable, project=project,
                                project_id=thing.project_id))
    if isinstance(thing, Client | Tag):
        return _searchable(Item(kind, thing.id, thing.name, thing.archived))
    if isinstance(thing, dict):  # a `list --json` object
        return _searchable(Item(kind, str(thing.get("id", "")), str(thing.get("name", "")),
                                bool(thing.get("archived") or thing.get("done")),
                                thing.get("client"), thing.get("color"),
                                bool(thing.get("billable")), thing.get("project")))
    raise TypeError(f"not a catalog item: {thing!r}")


def _searchable(item: Item) -> Item:
    words = " ".join(x for x in (item.name, item.client, item.project) if x)
    object.__setattr__(item, "search", words.casefold())
    return item


def items_of(kind: str, things: Iterable[Any], projects: dict[str, str] | None = None
             ) -> list[Item]:
    return [item_of(kind, thing, projects) for thing in things]


# -- columns ------------------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "project": ("Name", "Client", "Billable", "Status"),
    "client": ("Name", "Status"),
    "tag": ("Name", "Status"),
    "task": ("Name", "Project", "Status"),
}


def status_text(item: Item) -> str:
    """Said of archived (done) items only: the rest are simply there."""
    if not item.archived:
        return ""
    return "Done" if item.kind == "task" else "Archived"


class CatalogModel(QAbstractTableModel):
    def __init__(self, kind: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.columns = COLUMNS[kind]
        self.items: list[Item] = []
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_items(self, items: Sequence[Item]) -> bool:
        """Show `items`; False (and nothing redrawn) when they are the ones shown."""
        items = list(items)
        if items == self.items:
            return False
        self.beginResetModel()
        self.items = items
        self.endResetModel()
        return True

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt name)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = self.columns[index.column()]
        if role == ITEM:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == SORT:
            if column == "Name":
                return item.name.casefold()
            return (self._text(item, column) or "").casefold()
        if role == Qt.ItemDataRole.DecorationRole and column == "Name" and item.kind == "project":
            return swatch_icon(item.color or "#9e9e9e")
        if role == Qt.ItemDataRole.ForegroundRole and item.archived:
            return QApplication.palette().color(QPalette.ColorGroup.Disabled,
                                                QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.FontRole and item.archived and column == "Status":
            return self._italic
        if role == Qt.ItemDataRole.ToolTipRole and column == "Name":
            return item.name
        return None

    @staticmethod
    def _text(item: Item, column: str) -> str:
        if column == "Name":
            return item.name
        if column == "Client":
            return item.client or ""
        if column == "Project":
            return item.project or ""
        if column == "Billable":
            return "Billable" if item.billable else ""
        return status_text(item)

    def row_of(self, kind: str, name: str) -> int:
        folded = name.casefold()
        return next((i for i, x in enumerate(self.items) if x.name.casefold() == folded), -1)


class CatalogFilter(QSortFilterProxyModel):
    """Search (name, client, project; any case) and archived shown or not."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.needle = ""
        self.show_archived = False
        self.project_id: str | None = None  # tasks: one project's only
        self.setSortRole(SORT)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self.needle:
            self.beginFilterChange()
            self.needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_show_archived(self, shown: bool) -> None:
        if shown != self.show_archived:
            self.beginFilterChange()
            self.show_archived = shown
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_project(self, project_id: str | None) -> None:
        if project_id != self.project_id:
            self.beginFilterChange()
            self.project_id = project_id
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802 (Qt name)
        model = self.sourceModel()
        assert isinstance(model, CatalogModel)
        item = model.items[row]
        if item.archived and not self.show_archived:
            return False
        if self.project_id is not None and item.project_id != self.project_id:
            return False
        return not self.needle or item.matches(self.needle)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802 (Qt name)
        a, b = left.data(SORT), right.data(SORT)
        if a == b:  # ties by name, so a sort by client lists each client's projects in order
            model = self.sourceModel()
            assert isinstance(model, CatalogModel)
            return model.items[left.row()].name.casefold() < \
                model.items[right.row()].name.casefold()
        return bool(a < b)

    def item(self, row: int) -> Item | None:
        index = self.index(row, 0)
        value = index.data(ITEM) if index.isValid() else None
        return value if isinstance(value, Item) else None


def color_of(value: str | None) -> QColor:
    color = QColor(value or "")
    return color if color.isValid() else QColor("#9e9e9e")
