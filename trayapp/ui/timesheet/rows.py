"""The list of the timesheet: one header row per day (its title and total), the entries under
it. Description, tags and duration can be edited in place (F2 or a double click); a double
click elsewhere, or Enter, opens the Edit dialog.

A flat model (SheetModel: a day's header row, then its entries) in a QTreeView: a week of
thousands of entries costs no widget item per row, and a row's texts, colours and icons are
worked out only when the view first asks for them (the rows on screen)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QStyle,
    QTreeView,
    QWidget,
)

from ...control.sheet import Day, Row, Sheet, day_title, is_unsent
from ...core.durations import format_clock, format_short
from ..icons import swatch_icon
from ..text import elided, shown, tooltip_text

DESCRIPTION, PROJECT, CLIENT, TASK, TAGS, BILLABLE, TIMES, DURATION = range(8)
HEADERS = ["Description", "Project", "Client", "Task", "Tags", "", "Time", "Duration"]
COLUMNS = len(HEADERS)
INLINE = {DESCRIPTION, TAGS, DURATION}  # columns edited in place
ID = Qt.ItemDataRole.UserRole  # an entry's id; a header's date
KIND = Qt.ItemDataRole.UserRole + 1  # "day" or "entry"
MUTED = QColor("#6b7280")
WARN = QColor("#b45309")
RUNNING = QColor("#d1242f")
HEADER_BG = QColor(127, 127, 127, 28)
# ItemNeverHasChildren: the view lays the rows out without asking each one for children.
FIXED_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
               | Qt.ItemFlag.ItemNeverHasChildren)  # headers; a running timer's duration
ENTRY_FLAGS = FIXED_FLAGS | Qt.ItemFlag.ItemIsEditable
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTRE = Qt.AlignmentFlag.AlignCenter
MUTED_BRUSH = QBrush(MUTED)
WARN_BRUSH = QBrush(WARN)
RUNNING_BRUSH = QBrush(RUNNING)
BILLABLE_BRUSH = QBrush(QColor("#15803d"))
HEADER_BRUSH = QBrush(HEADER_BG)
R = Qt.ItemDataRole
ROLES = (R.DisplayRole, R.EditRole, R.ForegroundRole, R.FontRole, R.DecorationRole,
         R.ToolTipRole, R.TextAlignmentRole, R.BackgroundRole)
(DISPLAY, EDIT, FOREGROUND, FONT, DECORATION, TOOLTIP, ALIGNMENT, BACKGROUND) = range(8)
SLOT = {int(role): n for n, role in enumerate(ROLES)}
ALIGNED = [LEFT] * COLUMNS
ALIGNED[BILLABLE], ALIGNED[DURATION] = CENTRE, RIGHT
NOTHING = [None] * COLUMNS


class Cells:
    """One row as shown: per role, a value for each column."""

    __slots__ = ("values",)

    def __init__(self, values: list[list[Any]]) -> None:
        self.values = values


class SheetModel(QAbstractTableModel):
    """The sheet as rows: each day's header, then its entries (newest first)."""

    inline_edited = Signal(str, int, str)  # entry id, column, new text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[Day | Row] = []
        self.day_of: list[int] = []  # each line's header line
        self.rows_by_id: dict[str, int] = {}
        self._flags: list[Qt.ItemFlag] = []  # each line's (made once: asked for every row)
        self.running_line: int | None = None
        self.unsent: frozenset[str] = frozenset()
        self.today = date.today()
        self._cells: dict[int, Cells] = {}
        self._ticked: dict[int, dict[int, str]] = {}  # texts changed since the sheet was built
        self._bold = QFont()
        self._italic = QFont()
        self._warn_icon = QIcon()
        self._project_brushes: dict[str, QBrush | None] = {}

    # -- what is shown ----------------------------------------------------------------------
    def show_sheet(self, sheet: Sheet, today: date, unsent: frozenset[str], font: QFont,
                   warn_icon: QIcon) -> None:
        self.beginResetModel()
        lines: list[Day | Row] = []
        day_of: list[int] = []
        for day in sheet.days:
            head = len(lines)
            lines.append(day)
            lines.extend(day.rows)
            day_of.extend([head] * (len(day.rows) + 1))
        self.lines, self.day_of, self.today, self.unsent = lines, day_of, today, unsent
        self.rows_by_id = {line.id: n for n, line in enumerate(lines) if isinstance(line, Row)}
        self._flags = [ENTRY_FLAGS if isinstance(line, Row) else FIXED_FLAGS for line in lines]
        running = sheet.running
        self.running_line = self.rows_by_id.get(running.id) if running is not None else None
        self._cells.clear()
        self._ticked.clear()
        self._bold = QFont(font)  # the font may have changed (the theme)
        self._bold.setBold(True)
        self._italic = QFont(font)
        self._italic.setItalic(True)
        self._warn_icon = warn_icon
        self.endResetModel()

    def entry_id(self, line: int) -> str | None:
        found = self.lines[line] if 0 <= line < len(self.lines) else None
        return found.id if isinstance(found, Row) else None

    def day(self, line: int) -> date | None:
        if not 0 <= line < len(self.lines):
            return None
        head = self.lines[self.day_of[line]]
        return head.day if isinstance(head, Day) else None

    def set_texts(self, line: int, texts: dict[int, str]) -> None:
        """Texts that change in place (the running entry's duration, its day's total)."""
        self._ticked.setdefault(line, {}).update(texts)
        cells = self._cells.get(line)
        if cells is None:
            return  # not shown yet: worked out when first asked for
        for column, text in texts.items():
            cells.values[DISPLAY][column] = text
            cells.values[EDIT][column] = text
            self.dataChanged.emit(self.index(line, column), self.index(line, column))

    # -- QAbstractItemModel -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else COLUMNS

    def index(self, row: int, column: int,
              parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Asked for every row when the view lays them out: one call, not rowCount and
        # columnCount besides (QAbstractTableModel's own).
        if 0 <= row < len(self.lines) and 0 <= column < COLUMNS and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = R.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMNS:
            return None
        if role == R.DisplayRole:
            return HEADERS[section]
        if role == R.TextAlignmentRole:
            return RIGHT if section == DURATION else LEFT
        if role == R.ToolTipRole and section == BILLABLE:
            return "Billable"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        line = index.row()
        if line == self.running_line and index.column() == DURATION:
            return FIXED_FLAGS  # a running timer's duration grows: stop it at a time instead
        return self._flags[line] if 0 <= line < len(self._flags) else FIXED_FLAGS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = R.DisplayRole) -> Any:
        slot = SLOT.get(role)
        line = index.row()
        if slot is None:
            if role == ID or role == KIND:
                found = self.lines[line]
                if isinstance(found, Day):
                    return found.day if role == ID else "day"
                return found.id if role == ID else "entry"
            return None
        cells = self._cells.get(line)
        if cells is None:
            cells = self._cells[line] = self._make(line)
        return cells.values[slot][index.column()]

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = R.EditRole) -> bool:
        """What the in-place editor commits: shown at once, handed on when it changed."""
        line, column = index.row(), index.column()
        entry_id = self.entry_id(line)
        if role != R.EditRole or entry_id is None or column not in INLINE:
            return False
        text = str(value)
        cells = self._cells.get(line) or self._make(line)
        self._cells[line] = cells
        if text == cells.values[EDIT][column]:
            return False
        cells.values[DISPLAY][column] = cells.values[EDIT][column] = text
        if column == DESCRIPTION:
            cells.values[FOREGROUND][column] = None
        self.dataChanged.emit(index, index)
        # Handed on once the editor is closed: the answer may redraw the whole sheet.
        QTimer.singleShot(0, lambda: self.inline_edited.emit(entry_id, column, text))
        return True

    # -- a row's cells ----------------------------------------------------------------------
    def _make(self, line: int) -> Cells:
        found = self.lines[line]
        cells = self._day_cells(found) if isinstance(found, Day) \
            else self._entry_cells(found, line)
        for column, text in self._ticked.get(line, {}).items():
            cells.values[DISPLAY][column] = cells.values[EDIT][column] = text
        return cells

    def _day_cells(self, day: Day) -> Cells:
        texts = [""] * COLUMNS
        texts[DESCRIPTION] = day_title(day.day, self.today)
        texts[DURATION] = format_short(day.seconds)
        tips: list[Any] = [None] * COLUMNS
        tips[DESCRIPTION] = "Enter: add an entry to this day"
        return Cells([texts, list(texts), list(NOTHING), [self._bold] * COLUMNS,
                      list(NOTHING), tips, [LEFT] * (COLUMNS - 1) + [RIGHT],
                      [HEADER_BRUSH] * COLUMNS])

    def _entry_cells(self, row: Row, line: int) -> Cells:
        entry = row.entry
        description = shown(entry.description)
        project, tags = row.project, entry.tags
        texts = [""] * COLUMNS
        fg: list[Any] = [None] * COLUMNS
        tips: list[Any] = [None] * COLUMNS
        icons: list[Any] = [None] * COLUMNS
        fonts: list[Any] = [None] * COLUMNS
        texts[DESCRIPTION] = description or "(no description)"
        if description:
            tips[DESCRIPTION] = tooltip_text(entry.description)
        else:
            fg[DESCRIPTION] = MUTED_BRUSH
        if project is not None:
            texts[PROJECT] = elided(project.name, 40)
            icons[PROJECT] = swatch_icon(project.color)
            fg[PROJECT] = self._project_brush(project.color)
            tips[PROJECT] = tooltip_text(project.label)
        elif entry.project_id:
            texts[PROJECT] = "(unknown project)"
            fg[PROJECT] = MUTED_BRUSH
        if row.client:
            texts[CLIENT] = elided(row.client, 30)
            fg[CLIENT] = MUTED_BRUSH
        if row.task:
            texts[TASK] = elided(row.task, 30)
        if tags:
            joined = ", ".join(tags)
            texts[TAGS] = elided(joined, 40)
            tips[TAGS] = tooltip_text(joined)
            fg[TAGS] = MUTED_BRUSH
        if entry.billable:
            texts[BILLABLE] = "$"
            tips[BILLABLE] = "Billable"
            fg[BILLABLE] = BILLABLE_BRUSH
        texts[TIMES] = row.times()
        if row.overlaps:
            fg[TIMES] = WARN_BRUSH
            icons[TIMES] = self._warn_icon
            names = ", ".join(f"“{shown(n)}”" for n in row.overlaps[:3])
            tips[TIMES] = tooltip_text(f"Overlaps {names}")
        texts[DURATION] = format_clock(row.seconds)
        if line == self.running_line:
            icons[DESCRIPTION] = swatch_icon(RUNNING.name(), 10)
            fg[DURATION] = RUNNING_BRUSH
            tips[DURATION] = "Running"
        if row.id in self.unsent or is_unsent(entry):
            fonts[DESCRIPTION] = self._italic
            tips[DESCRIPTION] = tooltip_text(
                f"{entry.description or '(no description)'} — not yet sent")
        edits = list(texts)
        if not description:
            edits[DESCRIPTION] = ""  # the placeholder is not edited
        return Cells([texts, edits, fg, fonts, icons, tips, ALIGNED, NOTHING])

    def _project_brush(self, color: str) -> QBrush | None:
        if color not in self._project_brushes:
            found = QColor(color)
            self._project_brushes[color] = QBrush(found.darker(115)) if found.isValid() \
                else None
        return self._project_brushes[color]


class SheetTree(QTreeView):
    """Emits what the user asks of the current row; the window decides what it means."""

    edit_wanted = Signal(str)  # entry id (Enter, or a double click off the inline columns)
    day_chosen = Signal(object)  # date (Enter on a day's header: add an entry to it)
    delete_wanted = Signal(str)
    inline_edited = Signal(str, int, str)  # entry id, column, new text
    painted = Signal()  # after each paint of the rows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet_model = SheetModel(self)
        self.setModel(self.sheet_model)
        self.sheet_model.inline_edited.connect(self._changed)
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
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("QTreeView::item { padding: 5px 4px; }")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(BILLABLE, QHeaderView.ResizeMode.Fixed)
        for column, width in ((PROJECT, 140), (CLIENT, 84), (TASK, 100), (TAGS, 110),
                              (BILLABLE, 24), (TIMES, 132), (DURATION, 74)):
            self.setColumnWidth(column, width)
        header.setDefaultAlignment(LEFT)
        self._shown: tuple[object, ...] = ()  # what the rows show (fill skips the same again)
        self._touched = False  # a row's text changed in place since: filled again next time

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
        self.setColumnHidden(TASK, not show_tasks)
        warn = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.sheet_model.show_sheet(sheet, today, unsent, self.font(), warn)
        if keep is None or not self.select_entry(keep):
            first = 1 if len(self.sheet_model.lines) > 1 else 0
            if self.sheet_model.lines:
                self.setCurrentIndex(self.sheet_model.index(first, 0))

    def tick(self, running_seconds: int, day_seconds: int) -> None:
        """The running entry's duration and its day's total, every second."""
        model, line = self.sheet_model, self.sheet_model.running_line
        if line is None:
            return
        model.set_texts(line, {DURATION: format_clock(running_seconds)})
        model.set_texts(model.day_of[line], {DURATION: format_short(day_seconds)})

    # -- what the rows are --------------------------------------------------------------------
    def row_of(self, entry_id: str, column: int = DESCRIPTION) -> QModelIndex:
        """The index of that entry's row (invalid when it is not shown)."""
        line = self.sheet_model.rows_by_id.get(entry_id)
        return QModelIndex() if line is None else self.sheet_model.index(line, column)

    def running_index(self) -> QModelIndex:
        """The running entry's row (invalid when none is shown)."""
        line = self.sheet_model.running_line
        return QModelIndex() if line is None else self.sheet_model.index(line, DESCRIPTION)

    def entry_rows(self) -> list[tuple[str, QModelIndex]]:
        """Every entry shown, in order, with its row."""
        model = self.sheet_model
        return [(entry_id, model.index(line, DESCRIPTION))
                for entry_id, line in sorted(model.rows_by_id.items(), key=lambda x: x[1])]

    def current_entry_id(self) -> str | None:
        index = self.currentIndex()
        return self.sheet_model.entry_id(index.row()) if index.isValid() else None

    def current_day(self) -> date | None:
        index = self.currentIndex()
        return self.sheet_model.day(index.row()) if index.isValid() else None

    def select_entry(self, entry_id: str) -> bool:
        index = self.row_of(entry_id)
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        return True

    def rename(self) -> None:
        """Edit the current entry's description in place."""
        index = self.currentIndex()
        if index.isValid() and self.sheet_model.entry_id(index.row()) is not None:
            QAbstractItemView.edit(self, index.siblingAtColumn(DESCRIPTION))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        super().paintEvent(event)
        self.painted.emit()

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
        entry_id = self.sheet_model.entry_id(index.row()) if index.isValid() else None
        if entry_id is None:
            return False
        trigger_kind = QAbstractItemView.EditTrigger
        if trigger == trigger_kind.EditKeyPressed and index.column() not in INLINE:
            index = self.sheet_model.index(index.row(), DESCRIPTION)
        if trigger == trigger_kind.DoubleClicked and index.column() not in INLINE:
            self.edit_wanted.emit(entry_id)
            return False
        ok = bool(super().edit(index, trigger, event))  # type: ignore[call-overload]
        if ok:
            self._touched = True  # the editor may change the row: the next fill redraws it
        return ok

    def _changed(self, entry_id: str, column: int, text: str) -> None:
        self._touched = True
        self.inline_edited.emit(entry_id, column, text)
