"""The list of the timesheet: one header row per day (its title and total), the entries under
it. Description, tags and duration can be edited in place (F2 or a double click); a double
click elsewhere, or Enter, opens the Edit dialog."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ...control.sheet import Day, Row, Sheet, day_title, is_unsent
from ...core.durations import format_clock, format_short
from ..project_picker import swatch_icon
from ..text import elided, shown, tooltip_text

DESCRIPTION, PROJECT, CLIENT, TASK, TAGS, BILLABLE, TIMES, DURATION = range(8)
HEADERS = ["Description", "Project", "Client", "Task", "Tags", "", "Time", "Duration"]
INLINE = {DESCRIPTION, TAGS, DURATION}  # columns edited in place
ID = Qt.ItemDataRole.UserRole  # an entry's id; a header's date
KIND = Qt.ItemDataRole.UserRole + 1  # "day" or "entry"
MUTED = QColor("#6b7280")
WARN = QColor("#b45309")
RUNNING = QColor("#d1242f")
HEADER_BG = QColor(127, 127, 127, 28)
# Made once, not per row: a week can hold thousands of rows.
ENTRY_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
               | Qt.ItemFlag.ItemIsEditable)
DAY_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTRE = Qt.AlignmentFlag.AlignCenter
MUTED_BRUSH = QBrush(MUTED)
WARN_BRUSH = QBrush(WARN)
RUNNING_BRUSH = QBrush(RUNNING)
BILLABLE_BRUSH = QBrush(QColor("#15803d"))
HEADER_BRUSH = QBrush(HEADER_BG)


class SheetTree(QTreeWidget):
    """Emits what the user asks of the current row; the window decides what it means."""

    edit_wanted = Signal(str)  # entry id (Enter, or a double click off the inline columns)
    day_chosen = Signal(object)  # date (Enter on a day's header: add an entry to it)
    delete_wanted = Signal(str)
    inline_edited = Signal(str, int, str)  # entry id, column, new text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(HEADERS)
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        self.setAllColumnsShowFocus(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked)
        self.setIndentation(0)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.setStyleSheet("QTreeWidget::item { padding: 5px 4px; }")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(BILLABLE, QHeaderView.ResizeMode.Fixed)
        for column, width in ((PROJECT, 140), (CLIENT, 84), (TASK, 100), (TAGS, 110),
                              (BILLABLE, 24), (TIMES, 132), (DURATION, 74)):
            self.setColumnWidth(column, width)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.headerItem().setTextAlignment(DURATION, Qt.AlignmentFlag.AlignRight
                                           | Qt.AlignmentFlag.AlignVCenter)
        self.headerItem().setToolTip(BILLABLE, "Billable")
        self.itemChanged.connect(self._changed)
        self._filling = False
        self._shown: tuple[object, ...] = ()  # what the rows show (fill skips the same again)
        self._touched = False  # a row's text changed in place since: filled again next time
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._italic = QFont(self.font())
        self._italic.setItalic(True)
        self.running_item: QTreeWidgetItem | None = None
        self.running_day: QTreeWidgetItem | None = None

    # -- filling ------------------------------------------------------------------------------
    def fill(self, sheet: Sheet, today: date, show_tasks: bool, keep: str | None,
             unsent: frozenset[str] = frozenset()) -> None:
        """Show `sheet`; the row of entry `keep` stays current if it is still there;
        `unsent`: entries with changes not yet sent (shown in italics)."""
        shown = (sheet.days, today, show_tasks, unsent)
        if shown == self._shown and not self._touched:
            # The same rows (a new snapshot, the same entries read again): kept as they are.
            if keep is not None and keep != self.current_entry_id():
                self.select_entry(keep)
            return
        self._shown, self._touched = shown, False
        self._filling = True
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            self.running_item = self.running_day = None
            self.setColumnHidden(TASK, not show_tasks)
            current: QTreeWidgetItem | None = None
            self._bold = QFont(self.font())  # the font may have changed (the theme)
            self._bold.setBold(True)
            self._italic = QFont(self.font())
            self._italic.setItalic(True)
            for day in sheet.days:
                head = self._day_item(day, today)
                self.addTopLevelItem(head)
                items = [self._entry_item(row, row.id in unsent or is_unsent(row.entry))
                         for row in day.rows]
                head.addChildren(items)
                head.setExpanded(True)
                for row, item in zip(day.rows, items, strict=True):
                    if row.running:
                        self.running_item, self.running_day = item, head
                    if row.id == keep:
                        current = item
            first = self.topLevelItem(0)
            if current is None and first is not None:
                current = first.child(0) if first.childCount() else first
            if current is not None:
                self.setCurrentItem(current)
        finally:
            self.setUpdatesEnabled(True)
            self._filling = False

    def _day_item(self, day: Day, today: date) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        item.setData(0, ID, day.day)
        item.setData(0, KIND, "day")
        item.setFlags(DAY_FLAGS)
        item.setText(DESCRIPTION, day_title(day.day, today))
        item.setText(DURATION, format_short(day.seconds))
        font = self._bold
        for column in range(len(HEADERS)):
            item.setFont(column, font)
            item.setBackground(column, HEADER_BRUSH)
        item.setTextAlignment(DURATION, RIGHT)
        item.setToolTip(DESCRIPTION, "Enter: add an entry to this day")
        return item

    def _entry_item(self, row: Row, unsent: bool = False) -> QTreeWidgetItem:
        entry = row.entry
        description = shown(entry.description)
        project, tags = row.project, entry.tags
        texts = [""] * len(HEADERS)
        texts[DESCRIPTION] = description or "(no description)"
        if project is not None:
            texts[PROJECT] = elided(project.name, 40)
        elif entry.project_id:
            texts[PROJECT] = "(unknown project)"
        if row.client:
            texts[CLIENT] = elided(row.client, 30)
        if row.task:
            texts[TASK] = elided(row.task, 30)
        if tags:
            texts[TAGS] = elided(", ".join(tags), 40)
        if entry.billable:
            texts[BILLABLE] = "$"
        texts[TIMES] = row.times()
        texts[DURATION] = format_clock(row.seconds)
        item = QTreeWidgetItem(texts)  # every text in one call
        item.setData(0, ID, entry.id)
        item.setData(0, KIND, "entry")
        item.setFlags(ENTRY_FLAGS)
        if description:
            item.setToolTip(DESCRIPTION, tooltip_text(entry.description))
        else:
            item.setForeground(DESCRIPTION, MUTED_BRUSH)
        if project is not None:
            item.setIcon(PROJECT, swatch_icon(project.color))
            color = QColor(project.color)
            if color.isValid():
                item.setForeground(PROJECT, QBrush(color.darker(115)))
            item.setToolTip(PROJECT, tooltip_text(project.label))
        elif entry.project_id:
            item.setForeground(PROJECT, MUTED_BRUSH)
        if row.client:
            item.setForeground(CLIENT, MUTED_BRUSH)
        if tags:
            item.setToolTip(TAGS, tooltip_text(", ".join(tags)))
            item.setForeground(TAGS, MUTED_BRUSH)
        if entry.billable:
            item.setToolTip(BILLABLE, "Billable")
            item.setForeground(BILLABLE, BILLABLE_BRUSH)
        item.setTextAlignment(BILLABLE, CENTRE)
        if row.overlaps:
            item.setForeground(TIMES, WARN_BRUSH)
            item.setIcon(TIMES, self.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning))
            names = ", ".join(f"“{shown(n)}”" for n in row.overlaps[:3])
            item.setToolTip(TIMES, tooltip_text(f"Overlaps {names}"))
        item.setTextAlignment(DURATION, RIGHT)
        if row.running:
            item.setIcon(DESCRIPTION, swatch_icon(RUNNING.name(), 10))
            item.setForeground(DURATION, RUNNING_BRUSH)
            item.setToolTip(DURATION, "Running")
        if unsent:
            item.setFont(DESCRIPTION, self._italic)
            item.setToolTip(DESCRIPTION, tooltip_text(
                f"{entry.description or '(no description)'} — not yet sent"))
        return item

    def tick(self, running_seconds: int, day_seconds: int) -> None:
        """The running entry's duration and its day's total, every second."""
        if self.running_item is not None:
            self.running_item.setText(DURATION, format_clock(running_seconds))
        if self.running_day is not None:
            self.running_day.setText(DURATION, format_short(day_seconds))

    # -- what the current row is ------------------------------------------------------------
    def current_entry_id(self) -> str | None:
        item = self.currentItem()
        if item is None or item.data(0, KIND) != "entry":
            return None
        return str(item.data(0, ID))

    def current_day(self) -> date | None:
        item = self.currentItem()
        if item is None:
            return None
        if item.data(0, KIND) == "day":
            value = item.data(0, ID)
        else:
            parent = item.parent()
            value = parent.data(0, ID) if parent is not None else None
        return value if isinstance(value, date) else None

    def select_entry(self, entry_id: str) -> bool:
        for i in range(self.topLevelItemCount()):
            head = self.topLevelItem(i)
            for j in range(head.childCount() if head is not None else 0):
                child = head.child(j) if head is not None else None
                if child is not None and child.data(0, ID) == entry_id:
                    self.setCurrentItem(child)
                    return True
        return False

    # -- keys and clicks ----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        key = event.key()
        if self.state() != QAbstractItemView.State.EditingState and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                entry_id = self.current_entry_id()
                if entry_id is not None:
                    self.edit_wanted.emit(entry_id)
                elif (day := self.current_day()) is not None:
                    self.day_chosen.emit(day)
                return
            if key == Qt.Key.Key_Delete:
                entry_id = self.current_entry_id()
                if entry_id is not None:
                    self.delete_wanted.emit(entry_id)
                return
        super().keyPressEvent(event)

    def edit(self, index: QModelIndex | QPersistentModelIndex,  # type: ignore[override]
             trigger: QAbstractItemView.EditTrigger, event: object) -> bool:
        """In place for description, tags and duration; elsewhere a double click opens the
        Edit dialog. F2 edits the description."""
        item = self.itemFromIndex(index)
        if item is None or item.data(0, KIND) != "entry":
            return False
        trigger_kind = QAbstractItemView.EditTrigger
        if trigger == trigger_kind.EditKeyPressed and index.column() not in INLINE:
            index = self.indexFromItem(item, DESCRIPTION)
        if trigger == trigger_kind.DoubleClicked and index.column() not in INLINE:
            self.edit_wanted.emit(str(item.data(0, ID)))
            return False
        if trigger in (trigger_kind.DoubleClicked, trigger_kind.EditKeyPressed):
            if index.column() == DURATION and item.text(DURATION) and \
                    item is self.running_item:
                return False  # a running timer's duration grows; stop it at a time instead
            self._before = item.text(index.column())
            self._touched = True  # the editor may change the row: the next fill redraws it
            if index.column() == DESCRIPTION and item.foreground(DESCRIPTION).color() == MUTED:
                self._filling = True
                item.setText(DESCRIPTION, "")
                self._filling = False
                self._before = ""
        return bool(super().edit(index, trigger, event))  # type: ignore[call-overload]

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or item.data(0, KIND) != "entry" or column not in INLINE:
            return
        self._touched = True
        text = item.text(column)
        if text != getattr(self, "_before", None):
            self.inline_edited.emit(str(item.data(0, ID)), column, text)
