"""Quick start: a small keyboard-driven popup near the cursor.

Type to filter recent entries and projects; Enter starts the highlighted one. What you type is
read as a quick entry (core/quick_entry.py): `Fix login @Website #bug $` starts "Fix login" on
Website, tagged and billable, and the line under the field says what was understood and what
was not (with the choices). While a name after `@`, `#` or `+` is being typed, the list offers
the names that fit; Enter or a click puts the chosen one in the text. A project no one has
(`@Webiste2`) is offered as "Create project 'Webiste2'" beside the suggestions: choosing it
starts the entry on a stand-in project (control/inline.py), made before the entry is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from ..control.inline import new_project
from ..core.models import EntryDraft, Service
from ..core.quick_entry import (
    MARKS,
    Choice,
    Known,
    Mention,
    Problem,
    Resolved,
    match_rank,
    mention_text,
    name_key,
    natural_key,
    parse,
    project_mention,
    resolve,
)
from ..sync.snapshot import Snapshot
from .icons import BLANK, swatch_icon
from .text import elided, shown
from .understood import HINT_COLOR, Understood, creatable, create_label

ROLE = Qt.ItemDataRole.UserRole
MAX_COMPLETIONS = 30
HINT = "Type what you are working on; add @project, #tag, +task or $ (billable). Enter starts."
EMPTY_HINT = ("No recent entries or projects yet.\nType what you are working on and press "
              "Enter to start; add @project, #tag or $ (billable).")
Pinned = Sequence[tuple[str, EntryDraft, "str | None"]]


@dataclass(frozen=True)
class Rewrite:
    """A row that rewrites the text (a completion, a problem's choice) instead of starting."""

    start: int
    end: int
    text: str


class QuickStart(QDialog):
    start_requested = Signal(object)  # EntryDraft

    def __init__(self, snapshot: Snapshot, parent=None, pinned: Pinned = ()) -> None:
        """`pinned`: the first rows, (label, draft, colour): the favorites."""
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Quick start")
        self.snapshot = snapshot
        self._pinned = list(pinned)
        self._active = [p for p in snapshot.projects if p.active]
        self._tags = [t for t in snapshot.tags if not t.archived]
        self._tasks = list(snapshot.tasks) if snapshot.service is Service.CLOCKIFY else None
        self._known = Known.of(snapshot.projects, snapshot.tags, self._tasks)
        self.search = QLineEdit(placeholderText="What are you working on?")
        self.search.setClearButtonEnabled(True)
        self.understood = Understood()
        self.understood.choice_chosen.connect(self._apply_choice)
        self.understood.create_chosen.connect(lambda problem: self._create(problem.name))
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(12, 12))
        self.list.setStyleSheet("QListWidget::item { padding: 2px 4px; }")
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.search)
        layout.addWidget(self.understood)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        self.resize(440, 380)
        self._items = self._candidates()
        self.resolved: Resolved | None = None
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(self._activate)
        self.list.itemClicked.connect(self._activate)
        self._filter("")

    def _candidates(self) -> list[tuple[str, str, EntryDraft, str | None]]:
        """(label, search text, draft, colour) for the favorites, recent entries, then
        every project."""
        snap = self.snapshot
        projects = snap.project_by_id
        out = [(label, label.casefold(), draft, colour)
               for label, draft, colour in self._pinned]
        for draft in snap.recent():
            project = projects.get(draft.project_id or "")
            label = shown(draft.description or "(no description)")
            if project:
                label += f" · {shown(project.label)}"
            out.append((label, label.casefold(), draft, project.color if project else None))
        for project in sorted(self._active, key=lambda p: natural_key(p.label)):
            draft = EntryDraft(project_id=project.id, billable=project.billable)
            out.append((f"▶ {shown(project.label)}", project.label.casefold(), draft,
                        project.color))
        return out

    # -- what the list shows ------------------------------------------------------------------
    def _filter(self, text: str) -> None:
        self.list.clear()
        parsed = parse(text, self._known)
        found = resolve(parsed, self.snapshot.projects, self.snapshot.tags, self._tasks)
        self.resolved = found if text.strip() else None
        self.understood.show_resolved(self.resolved)
        typing = self._partial(text, parsed.mentions)
        if typing is not None and self._complete(text, *typing):
            # A name still being typed is not a problem yet.
            rest = tuple(p for p in found.problems
                         if p.mention is None or p.mention.end != len(text))
            self.understood.show_resolved(replace(found, problems=rest))
            self._finish(text)
            return
        syntax = bool(parsed.mentions or parsed.billable)
        if syntax:
            self._add_start(found)  # what was written out is what is wanted: first
            self._add_choices(found.problems)
        words = text.casefold().split()
        for label, haystack, draft, colour in self._items:
            if syntax or words and not all(word in haystack for word in words):
                continue
            self._add(label, draft, colour)
        if words and not syntax:
            self._add_start(found)  # below the recent entries that match
            self._add("“" + elided(found.description, 40) + "” in a project… (or type @)",
                      Rewrite(len(text), len(text), " @" if not text.endswith(" ") else "@"))
        self._finish(text)

    def _finish(self, text: str) -> None:
        empty = not self._items and not text.strip()
        self.hint.setText(EMPTY_HINT if empty else HINT if not text.strip() else "")
        self.hint.setVisible(bool(self.hint.text()))
        self.list.setVisible(self.list.count() > 0)
        for row in range(self.list.count()):
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsSelectable:
                self.list.setCurrentRow(row)
                break

    def _add(self, label: str, data: object, colour: str | None = None,
             enabled: bool = True) -> QListWidgetItem:
        item = QListWidgetItem(label)
        item.setData(ROLE, data)
        item.setIcon(swatch_icon(colour or BLANK))  # a blank one keeps the labels aligned
        if not enabled:
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)
        return item

    def _add_start(self, found: Resolved) -> None:
        label = f"Start “{elided(found.description, 40)}”" if found.description else "Start"
        if found.project is not None:
            label += f" · {elided(found.project.label, 40)}"
        if found.description or found.project is not None or found.tags:
            self._add(label, found.draft(), found.project.color if found.project else None,
                      enabled=not found.blocked)

    def _add_choices(self, problems: tuple[Problem, ...]) -> None:
        for problem in problems:
            mention = problem.mention
            for choice in problem.choices:
                if mention is not None:
                    self._add(f"Use {shown(choice.label)} for “{elided(problem.name, 30)}”",
                              Rewrite(mention.start, mention.end, choice.text))
            if creatable(problem):
                self._add_create(problem.name)

    # -- a project no one has -----------------------------------------------------------------
    def _with_new(self, name: str) -> EntryDraft | None:
        """The entry the text means once project `name` exists; None if still not clear."""
        projects = [*self.snapshot.projects, new_project(name)]
        text = self.search.text()
        found = resolve(parse(text, Known.of(projects, self.snapshot.tags, self._tasks)),
                        projects, self.snapshot.tags, self._tasks)
        if found.blocked or found.project is None:
            return None
        return found.draft()

    def _add_create(self, name: str) -> None:
        draft = self._with_new(name)
        label = create_label(Problem("project", elided(name, 40), ""))
        self._add(f"+ {label} and start" if draft is not None else f"+ {label}",
                  draft, enabled=draft is not None)

    def _create(self, name: str) -> None:
        draft = self._with_new(name)
        if draft is not None:
            self.start_requested.emit(draft)
            self.accept()

    # -- completing a name being typed ---------------------------------------------------------
    def _partial(self, text: str, mentions: tuple[Mention, ...]) -> tuple[str, str, int] | None:
        """(kind, name so far, where its mark is) when the text ends in a name being typed."""
        if text and text[-1] in MARKS and (len(text) == 1 or text[-2].isspace()):
            return MARKS[text[-1]], "", len(text) - 1
        last = mentions[-1] if mentions else None
        if last is None or last.end != len(text):
            return None
        return last.kind, last.name, last.start

    def _complete(self, text: str, kind: str, name: str, start: int) -> bool:
        """List the names that fit; False when none does, or the name is complete already."""
        rows: list[tuple[int, tuple[object, ...], str, str, str | None]] = []
        key = name_key(name)
        if kind == "project":
            if sum(key in (name_key(p.name), name_key(p.label)) for p in self._active) == 1:
                return False
            for p in self._active:
                rank = match_rank(name, p.name, p.label)
                if rank is not None:
                    rows.append((rank, natural_key(p.label), shown(p.label),
                                 project_mention(p, self._active), p.color))
        elif kind == "tag":
            if any(name_key(t.name) == key for t in self._tags):
                return False
            for t in self._tags:
                rank = match_rank(name, t.name)
                if rank is not None:
                    rows.append((rank, natural_key(t.name), "#" + shown(t.name),
                                 mention_text("tag", t.name), None))
        elif self._tasks is not None:
            by_id = {p.id: p for p in self._active}
            owner = self.resolved.project if self.resolved else None
            scope = [t for t in self._tasks if t.active and t.project_id in by_id
                     and (owner is None or t.project_id == owner.id)]
            if sum(name_key(task.name) == key for task in scope) == 1:
                return False
            for task in scope:
                rank = match_rank(name, task.name)
                if rank is not None:
                    project = by_id[task.project_id]
                    written = mention_text("task", task.name)
                    if owner is None:
                        written += " " + project_mention(project, self._active)
                    rows.append((rank, natural_key(task.name), f"+{shown(task.name)} · "
                                 f"{shown(project.label)}", written, project.color))
        if not rows:
            return False
        for _, _, label, written, colour in sorted(rows)[:MAX_COMPLETIONS]:
            self._add(label, Rewrite(start, len(text), written + " "), colour)
        if kind == "project" and name.strip() and not any(
                key in (name_key(p.name), name_key(p.label)) for p in self.snapshot.projects):
            self._add_create(name)  # last: the names that exist come first
        return True

    def _apply_choice(self, problem: Problem, choice: Choice) -> None:
        if problem.mention is not None:
            self._rewrite(Rewrite(problem.mention.start, problem.mention.end, choice.text))

    def _rewrite(self, rewrite: Rewrite) -> None:
        text = self.search.text()
        new = text[:rewrite.start] + rewrite.text + text[rewrite.end:]
        self.search.setText(new)
        self.search.setCursorPosition(rewrite.start + len(rewrite.text))
        self.search.setFocus()

    # -- keys and choosing ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        # Up/Down/Page keys move the list while typing stays in the search field.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key_event = cast(QKeyEvent, event)
            key = key_event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self.list.keyPressEvent(key_event)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None and item.flags() & Qt.ItemFlag.ItemIsSelectable:
                    self._activate(item)
                return True
        return super().eventFilter(watched, event)

    def _activate(self, item: QListWidgetItem) -> None:
        if not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        data = item.data(ROLE)
        if isinstance(data, Rewrite):
            self._rewrite(data)
            return
        self.start_requested.emit(data)
        self.accept()

    def popup_at_cursor(self) -> None:
        pos = QCursor.pos()
        screen = QGuiApplication.screenAt(pos) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x = min(max(area.left(), pos.x() - self.width() // 2), area.right() - self.width())
        y = min(max(area.top(), pos.y()), area.bottom() - self.height())
        self.move(x, y)
        self.show()
        self.activateWindow()
        self.search.setFocus()
