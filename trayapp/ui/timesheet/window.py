"""The timesheet window: a day or a week of entries, grouped by day with totals, the running
timer on top, and every change a row offers. It renders what it is given (a snapshot for the
catalog and the running timer; the entries of the period shown) and hands back what the user
asks for through signals; the host (host.py) loads and sends."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...control.sheet import DAY, WEEK, Period, Row, Sheet, build
from ...core.durations import utcnow
from ...core.models import Service, TimeEntry
from ...sync.snapshot import Snapshot
from .actions import SheetActions, local_today
from .e2e import report_sheet
from .panels import RunningCard, TotalsPanel, UndoBar, plain_label
from .rows import SheetTree

UNDO_SECONDS = 6


class TimesheetWindow(SheetActions):
    wanted = Signal(object)  # a Period to load (shown from the cache first)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timesheet")
        self.snapshot: Snapshot | None = None
        self.period = Period(DAY, local_today())
        self.entries: list[TimeEntry] = []
        self.loaded: Period | None = None  # the period `entries` belong to
        self.unsent: frozenset[str] = frozenset()  # ids with changes not yet sent
        self.sheet: Sheet = build([], self.period)
        self.deleted: dict[str, TimeEntry] = {}  # waiting out the Undo delay
        self._running_then = 0  # the running entry's seconds when the sheet was built
        self._ticks = 0
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._undo = QTimer(self)
        self._undo.setSingleShot(True)
        self._undo.setInterval(UNDO_SECONDS * 1000)
        self._undo.timeout.connect(self.commit_deletes)
        self.resize(1100, 660)
        self.setMinimumSize(780, 420)

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.prev_button = self._tool("‹", "Previous day (Alt+Left)", lambda: self.go(-1))
        self.today_button = self._tool("Today", "Go to today (Alt+Home)", self.go_today)
        self.next_button = self._tool("›", "Next day (Alt+Right)", lambda: self.go(1))
        arrow = QFont(self.font())
        arrow.setPointSizeF(arrow.pointSizeF() * 1.6)
        for button in (self.prev_button, self.next_button):
            button.setFont(arrow)
            button.setFixedWidth(34)
        self.title = plain_label()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.day_button = self._tool("Day", "Show one day (Ctrl+1)", lambda: self.set_kind(DAY))
        self.week_button = self._tool("Week", "Show the week (Ctrl+2)",
                                      lambda: self.set_kind(WEEK))
        group = QButtonGroup(self)
        for button in (self.day_button, self.week_button):
            button.setCheckable(True)
            group.addButton(button)
        self.day_button.setChecked(True)
        self.add_button = self._tool("Add entry…", "Add a past entry (Ctrl+N)", self.add_entry)
        self.copy_button = self._tool("Copy as text", "Copy a plain summary (Ctrl+Shift+C)",
                                      self.copy_text)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for widget in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(10)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.day_button)
        bar.addWidget(self.week_button)
        bar.addSpacing(10)
        bar.addWidget(self.add_button)
        bar.addWidget(self.copy_button)

        self.card = RunningCard()
        self.card.hide()
        self.card.stop_clicked.connect(self.stop_now)
        self.card.stop_at_clicked.connect(self.stop_at)
        self.card.discard_clicked.connect(self.discard_running)
        self.card.edit_clicked.connect(self.edit_running)

        self.tree = SheetTree()
        self.tree.edit_wanted.connect(self.edit_entry)
        self.tree.day_chosen.connect(self.add_wanted)
        self.tree.delete_wanted.connect(self.delete_entry)
        self.tree.inline_edited.connect(self._inline_edited)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.empty = plain_label()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        self.totals = TotalsPanel()
        middle = QHBoxLayout()
        middle.setSpacing(0)
        middle.addWidget(self.stack, 1)
        middle.addWidget(self.totals)

        self.undo_bar = UndoBar()
        self.undo_bar.undo_clicked.connect(self.undo)
        self.status = plain_label()
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 8)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(self.card)
        layout.addLayout(middle, 1)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.status)
        self._actions()
        self.tree.setFocus()

    def _tool(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(False)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.clicked.connect(slot)
        button.setMinimumHeight(30)
        return button

    def _actions(self) -> None:
        def act(text: str, keys: str | QKeySequence.StandardKey, slot: object) -> QAction:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.edit_action = act("Edit…", "Return", self.edit_current)
        self.edit_action.setShortcut(QKeySequence())  # Enter is the list's own (rows.py)
        self.continue_action = act("Continue", "Ctrl+R", self.continue_current)
        self.duplicate_action = act("Duplicate", "Ctrl+D", self.duplicate_current)
        self.split_action = act("Split at…", "Ctrl+K", self.split_current)
        self.delete_action = act("Delete…", "Del", self.delete_current)
        self.delete_action.setShortcut(QKeySequence())  # the list's own (rows.py)
        self.undo_action = act("Undo delete", QKeySequence.StandardKey.Undo, self.undo)
        self.add_action = act("Add entry…", "Ctrl+N", self.add_entry)
        self.stop_action = act("Stop", "Ctrl+S", self.stop_now)
        self.stop_at_action = act("Stop at…", "Ctrl+Shift+S", self.stop_at)
        self.discard_action = act("Discard timer…", "Ctrl+Shift+Del", self.discard_running)
        act("Previous", "Alt+Left", lambda: self.go(-1))
        act("Next", "Alt+Right", lambda: self.go(1))
        act("Today", "Alt+Home", self.go_today)
        act("Day", "Ctrl+1", lambda: self.set_kind(DAY))
        act("Week", "Ctrl+2", lambda: self.set_kind(WEEK))
        act("Copy as text", "Ctrl+Shift+C", self.copy_text)
        act("Reload", "F5", lambda: self.wanted.emit(self.period))
        act("Close", "Esc", self.close)

    # -- what is shown ----------------------------------------------------------------------
    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.period = replace(self.period, first_weekday=snapshot.first_weekday)
        title = f"Timesheet — {snapshot.service.title}"
        self.setWindowTitle(title)
        self.redraw()

    def set_entries(self, period: Period, entries: list[TimeEntry],
                    unsent: frozenset[str] = frozenset()) -> None:
        """The entries of `period` (ignored when another period is shown by now), and which
        of them hold changes not yet sent."""
        if period != self.period:
            return
        if period == self.loaded and unsent == self.unsent and entries == self.entries:
            return  # the same again (the cache read, then the service's answer): as shown
        self.entries, self.loaded, self.unsent = list(entries), period, unsent
        self.redraw()

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def redraw(self) -> None:
        snapshot, today = self.snapshot, local_today()
        shown = [x for x in self.entries if x.id not in self.deleted] \
            if self.loaded == self.period else []
        running = snapshot.running if snapshot is not None else None
        if running is not None and running.id in self.deleted:
            running = None
        # One timer runs: the snapshot's is the newest word on it (a start a moment ago, its
        # local id just replaced by the service's), whatever the last cache read said.
        shown = [x for x in shown if not x.running]
        if running is not None and self.period.start <= running.start < self.period.end:
            shown.append(running)
        projects = snapshot.projects if snapshot is not None else ()
        tasks = snapshot.tasks if snapshot is not None else ()
        self.sheet = build(shown, self.period, projects, tasks)
        keep = self.tree.current_entry_id()
        show_tasks = snapshot is not None and snapshot.service is Service.CLOCKIFY and any(
            r.task for r in self.sheet.rows)  # a column only where some entry has one
        self.tree.fill(self.sheet, today, show_tasks, keep, self.unsent)
        self.totals.show_sheet(self.sheet)
        self.title.setText(self.period.title(today))
        unit = "day" if self.period.kind == DAY else "week"
        self.prev_button.setToolTip(f"Previous {unit} (Alt+Left)")
        self.next_button.setToolTip(f"Next {unit} (Alt+Right)")
        self.today_button.setEnabled(not self.period.holds(today))
        self.day_button.setChecked(self.period.kind == DAY)
        self.week_button.setChecked(self.period.kind == WEEK)
        if self.loaded != self.period:
            self.empty.setText("Loading…")
        else:
            when = "on this day" if self.period.kind == DAY else "this week"
            self.empty.setText(f"No time tracked {when}.\nPress Ctrl+N to add an entry.")
        self.stack.setCurrentWidget(self.tree if self.sheet.days else self.empty)
        row = self._running_row(running)
        label = snapshot.project_label(running.project_id) if snapshot and running else None
        color = None
        if snapshot is not None and running is not None and running.project_id:
            project = snapshot.project_by_id.get(running.project_id)
            color = project.color if project else None
        self.card.show_row(row, label, color)
        self._running_then = self.sheet.running.seconds if self.sheet.running else 0
        for action in (self.stop_action, self.stop_at_action, self.discard_action):
            action.setEnabled(running is not None)
        if running is not None:
            self._tick()
            self._timer.start()
        else:
            self._timer.stop()
        report_sheet(self)

    def _running_row(self, running: TimeEntry | None) -> Row | None:
        if running is None:
            return None
        return Row(running, None, None, running.seconds(utcnow()))

    def _tick(self) -> None:
        snapshot = self.snapshot
        running = snapshot.running if snapshot is not None else None
        if running is None:
            return
        now = utcnow()
        seconds = running.seconds(now)
        self.card.tick(seconds)
        shown = self.sheet.running
        if shown is None:
            return
        grown = shown.entry.seconds(now) - self._running_then
        day = next((d for d in self.sheet.days if shown in d.rows), None)
        self.tree.tick(shown.entry.seconds(now), (day.seconds if day else 0) + grown)
        self._ticks += 1
        if self._ticks % 30 == 0:  # the totals beside, by the minute
            self.sheet = build([r.entry for r in self.sheet.rows], self.period,
                               snapshot.projects if snapshot else (),
                               snapshot.tasks if snapshot else ())
            self._running_then = self.sheet.running.seconds if self.sheet.running else 0
            self.totals.show_sheet(self.sheet)

    def show_and_raise(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.tree.setFocus()

    # -- navigation -------------------------------------------------------------------------
    def show_period(self, period: Period) -> None:
        self.period = period
        self.redraw()
        self.wanted.emit(period)

    def go(self, step: int) -> None:
        self.show_period(self.period.step(step))

    def go_today(self) -> None:
        self.show_period(Period(self.period.kind, local_today(), self.period.first_weekday))

    def set_kind(self, kind: str) -> None:
        if kind != self.period.kind:
            day = self.tree.current_day() or self.period.anchor
            self.show_period(Period(kind, day if kind == DAY else self.period.anchor,
                                    self.period.first_weekday))
        else:
            self.redraw()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        self.commit_deletes()
        self._timer.stop()
        super().closeEvent(event)

    def hideEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        self._timer.stop()
        super().hideEvent(event)  # type: ignore[arg-type]

