"""The "New timer…", "Edit…" and "Add time entry" dialog.

New and past-entry modes return an EntryDraft (`draft()`), its start (and a past entry's stop)
filled in; edit mode returns only what the user changed (`changes()`), so an edit never resends
fields nobody touched. `times()` is the (start, stop) shown, aware UTC, stop None while running.
In new and past modes the description is read as a quick entry (`Fix login @Website #bug $`,
see core/quick_entry.py): what it names overrides the fields below it, and what was understood
is shown under it, with the problems and their choices; a blocking problem disables OK, as
invalid times do (entry_times.py keeps start, stop and duration consistent).

A project no one has is offered as "Create project 'X'" (in the picker, and beside the
suggestions for `@X`); chosen, it is a stand-in (control/inline.py) in `draft()` and
`changes()`, made before the entry by whoever sends it. Tag names that are new are said
under the tags field ("New tag: x"): the services make them with the entry."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..control.inline import is_new, new_project
from ..core.models import EntryDraft, Project, Service, Task, TimeEntry
from ..core.quick_entry import Choice, Known, Problem, Resolved, parse, replace_mention, resolve
from ..core.text import fit_to_send
from ..sync.snapshot import Snapshot
from .entry_times import EntryTimes, from_qdatetime, to_qdatetime
from .icons import BLANK, swatch_icon
from .project_picker import NO_PROJECT, ProjectPicker
from .text import elided, menu_text, shown
from .understood import ERROR_COLOR, HINT_COLOR, WARNING_COLOR, Understood

__all__ = ["ERROR_COLOR", "WARNING_COLOR", "EntryDialog", "from_qdatetime", "parse_tags",
           "to_qdatetime"]


def parse_tags(text: str, known: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """'a, B ,,a' -> ('a', 'B'); names that match a known tag take its spelling."""
    spelling = {name.casefold(): name for name in known}
    out: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(fit_to_send(part).split())
        if name and name.casefold() not in out:
            out[name.casefold()] = spelling.get(name.casefold(), name)
    return tuple(out.values())


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping the ones before it."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(names, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    _head = ""  # the tags typed before the one being completed

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt name)
        # Called as the user types, not when a highlighted completion is put in the field:
        # the head comes from the typed text, or choosing one would repeat it ("a, a, ").
        self._head = path.rsplit(",", 1)[0] + ", " if "," in path else ""
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(  # noqa: N802 (Qt name)
        self, index: QModelIndex | QPersistentModelIndex
    ) -> str:
        return f"{self._head}{index.data()}, "


class EntryDialog(QDialog):
    tasks_wanted = Signal(str)  # project id: the app fetches its tasks and calls set_tasks()

    def __init__(
        self, snapshot: Snapshot, entry: TimeEntry | None = None, parent: QWidget | None = None,
        *, day: date | None = None, can_create: bool = False,
    ) -> None:
        super().__init__(parent)
        self.snapshot = snapshot
        # "Create project 'X'": only where the caller sends stand-ins (control/inline.py).
        self.can_create = can_create
        self.entry = entry
        self.mode = "edit" if entry is not None else "past" if day is not None else "new"
        self._projects = dict(snapshot.project_by_id)  # with the new ones chosen here
        self._new: list[Project] = []  # "Create project 'X'" chosen: stand-ins
        self._tag_names = [t.name for t in snapshot.tags if not t.archived]
        self._tasks: dict[str, list[Task]] = {}
        for task in snapshot.tasks:
            self._tasks.setdefault(task.project_id, []).append(task)
        self._project_id: str | None = entry.project_id if entry else None
        self._task_id: str | None = entry.task_id if entry else None
        self._billable_touched = entry is not None  # an edit never re-derives billable
        self.picker: ProjectPicker | None = None
        self.resolved: Resolved | None = None  # the description read as a quick entry
        self.setWindowTitle({"edit": "Edit time entry", "past": "Add time entry",
                             "new": "New timer"}[self.mode])
        self.time_fields = EntryTimes(self.mode, entry, day, self)

        self._build()
        self._load(entry)
        self._show_project()
        self._validate()
        self.time_fields.changed.connect(self._validate)
        self.time_fields.ticker.timeout.connect(self._validate)
        if self.uses_tasks and self._project_id:
            # After the caller has connected to tasks_wanted (it does so right after __init__).
            QTimer.singleShot(0, lambda: self._want_tasks(self._project_id))

    @classmethod
    def past_entry(cls, snapshot: Snapshot, day: date, parent: QWidget | None = None,
                   can_create: bool = False) -> EntryDialog:
        """A dialog to add an entry that already happened on `day` (from 09:00, an hour)."""
        return cls(snapshot, None, parent, day=day, can_create=can_create)

    # -- layout ----------------------------------------------------------------------------------
    @property
    def uses_tasks(self) -> bool:
        return self.snapshot.service is Service.CLOCKIFY

    def _build(self) -> None:
        self.description = QLineEdit(placeholderText="What are you working on?")
        self.description.setClearButtonEnabled(True)
        self.completer = QCompleter(list(self.snapshot.descriptions), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.description.setCompleter(self.completer)
        # PySide6's stubs lack SignalInstance.__getitem__ (here: the activated(QString) overload).
        self.completer.activated[str].connect(self._completion_chosen)  # type: ignore[index]

        self.project_button = QPushButton()
        self.project_button.setAutoDefault(False)  # Enter in the form accepts the dialog
        self.project_button.setToolTip("Choose the project (searchable)")
        self.project_button.setStyleSheet("text-align: left; padding: 4px 8px;")
        self.project_button.clicked.connect(self.choose_project)

        self.task_combo = QComboBox()
        self.task_combo.setToolTip("Clockify task within the project")
        self.task_combo.activated.connect(self._task_chosen)

        self.tags = QLineEdit(placeholderText="Comma-separated, e.g. meeting, review")
        self.tags.setClearButtonEnabled(True)
        self.tags.setToolTip("Existing tags are suggested; a new name creates a new tag")
        self.tags.setCompleter(TagCompleter(self._tag_names, self))
        self.new_tags = QLabel()
        self.new_tags.setTextFormat(Qt.TextFormat.PlainText)
        self.new_tags.setStyleSheet(f"color: {HINT_COLOR};")
        self.new_tags.hide()
        self.tags.textChanged.connect(self._say_new_tags)

        self.billable = QCheckBox("&Billable")
        self.billable.toggled.connect(self._billable_toggled)

        self.understood = Understood()
        self.understood.can_create = self.can_create
        self.understood.choice_chosen.connect(self._apply_choice)
        self.understood.create_chosen.connect(lambda problem: self.create_project(problem.name))
        self.syntax = self.mode != "edit"  # an existing description is data, not syntax
        if self.syntax:
            self.description.setToolTip("Add @project, #tag, +task or $ (billable) as you type")
            self.description.textChanged.connect(self._reparse)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.addRow("&Description:", self.description)
        form.addRow("", self.understood)
        form.addRow("&Project:", self.project_button)
        form.addRow("Tas&k:", self.task_combo)
        form.addRow("Ta&gs:", self.tags)
        form.addRow("", self.new_tags)
        form.addRow("", self.billable)
        self.form = form
        form.setRowVisible(self.task_combo, self.uses_tasks)

        times = self.time_fields
        self.start_edit, self.stop_edit = times.start_edit, times.stop_edit
        self.running_label, self.message = times.running_label, times.message
        self.duration_label = self.duration_edit = times.duration
        self.started_ago = times.ago
        times.add_rows(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText({"edit": "&Save", "past": "&Add", "new": "&Start"}[self.mode])
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.description.setFocus()

    def _load(self, entry: TimeEntry | None) -> None:
        if entry is None:
            return
        self.description.setText(entry.description)
        self.tags.setText(", ".join(entry.tags))
        self.billable.setChecked(entry.billable)

    # -- project and tasks ---------------------------------------------------------------------
    def choose_project(self) -> None:
        """Open the searchable picker (window-modal, non-blocking)."""
        picker = ProjectPicker(self.projects(), self, allow_none=True,
                               current=self._project_id, allow_create=self.can_create)
        picker.accepted.connect(lambda: self._picked(picker))
        picker.finished.connect(lambda *_: setattr(self, "picker", None))
        self.picker = picker
        picker.open()

    def projects(self) -> list[Project]:
        """The catalog's projects and the new ones chosen in this dialog."""
        return [*self.snapshot.projects, *self._new]

    def _picked(self, picker: ProjectPicker) -> None:
        if picker.created is not None:
            self._add_new(picker.created)
        self.set_project(picker.selected_project_id)

    def _add_new(self, project: Project) -> Project:
        known = self._projects.get(project.id)
        if known is not None:
            return known
        self._new.append(project)
        self._projects[project.id] = project
        return project

    def create_project(self, name: str) -> None:
        """"Create project 'X'" chosen beside the suggestions: the description's @X now
        names the new project (or, in edit mode, the project field takes it)."""
        project = self._add_new(new_project(name))
        if self.syntax:
            self._reparse()
        else:
            self.set_project(project.id)

    def set_project(self, project_id: str | None) -> None:
        if project_id == self._project_id:
            return
        self._project_id = project_id
        self._task_id = None  # a task belongs to one project
        project = self._projects.get(project_id or "")
        if project is not None and not self._billable_touched:
            self.billable.blockSignals(True)
            self.billable.setChecked(project.billable)
            self.billable.blockSignals(False)
        self._show_project()
        if self.uses_tasks and project_id:
            self._want_tasks(project_id)

    def _show_project(self) -> None:
        named = self.resolved.project if self.resolved is not None and self.syntax else None
        if named is not None and named.id != self._project_id:
            # The description names it: say so where the project is chosen.
            new = "  (new project)" if is_new(named.id) else ""
            self.project_button.setText(menu_text(named.label, 40) + new
                                        + "  (from the description)")
            self.project_button.setIcon(swatch_icon(named.color))
            task = self.resolved.task if self.resolved is not None else None
            self.task_combo.clear()
            self.task_combo.addItem(shown(task.name) if task else "(No task)")
            self.task_combo.setEnabled(False)  # the description says which: +task
            return
        project: Project | None = self._projects.get(self._project_id or "")
        if project is None and self._project_id:
            self.project_button.setText("(Unknown project)")
            self.project_button.setIcon(swatch_icon(""))
        elif project is None:
            self.project_button.setText(NO_PROJECT)
            self.project_button.setIcon(swatch_icon(BLANK))
        else:
            new = "  (new project)" if is_new(project.id) else ""
            self.project_button.setText(menu_text(project.label, 60) + new)
            self.project_button.setIcon(swatch_icon(project.color))
        self._fill_tasks()

    def _want_tasks(self, project_id: str | None) -> None:
        if project_id and not is_new(project_id):  # a new project has no tasks
            self.tasks_wanted.emit(project_id)

    def set_tasks(self, project_id: str, tasks: list[Task] | tuple[Task, ...]) -> None:
        """The app's answer to tasks_wanted; ignored when the project changed meanwhile."""
        self._tasks[project_id] = list(tasks)
        if project_id == self._project_id:
            self._fill_tasks()
        if self.resolved is not None and self.resolved.parsed.task:
            self._reparse()  # "+Testing" may be one of them

    def _fill_tasks(self) -> None:
        combo = self.task_combo
        combo.clear()
        combo.addItem("(No task)", None)
        tasks = [t for t in self._tasks.get(self._project_id or "", [])
                 if t.active or t.id == self._task_id]
        for task in sorted(tasks, key=lambda t: t.name.casefold()):
            combo.addItem(shown(task.name), task.id)
        if self._task_id and combo.findData(self._task_id) < 0:
            combo.addItem("(Current task)", self._task_id)  # not loaded yet: keep it
        combo.setCurrentIndex(max(0, combo.findData(self._task_id)) if self._task_id else 0)
        combo.setEnabled(bool(self._project_id))

    def _task_chosen(self, index: int) -> None:
        self._task_id = self.task_combo.itemData(index)

    # -- description completion ----------------------------------------------------------------
    def _completion_chosen(self, text: str) -> None:
        """A past description: bring back its project and tags unless the user set them."""
        entry = next((x for x in self.snapshot.entries if x.description == text), None)
        if entry is None:
            return
        if self._project_id is None and entry.project_id in self._projects:
            self.set_project(entry.project_id)
            if entry.task_id and self.uses_tasks:
                self._task_id = entry.task_id
                self._fill_tasks()
        if not self.tags.text().strip() and entry.tags:
            self.tags.setText(", ".join(entry.tags))
        if not self._billable_touched:
            self.billable.blockSignals(True)
            self.billable.setChecked(entry.billable)
            self.billable.blockSignals(False)

    def _billable_toggled(self) -> None:
        self._billable_touched = True

    # -- the description as a quick entry --------------------------------------------------------
    def _catalog_tasks(self) -> list[Task] | None:
        return [t for tasks in self._tasks.values() for t in tasks] if self.uses_tasks else None

    def _reparse(self) -> None:
        text = self.description.text()
        tasks = self._catalog_tasks()
        before = self.resolved.project if self.resolved else None
        projects = self.projects()
        parsed = parse(text, Known.of(projects, self.snapshot.tags, tasks))
        self.resolved = resolve(parsed, projects, self.snapshot.tags, tasks)
        self.understood.show_resolved(self.resolved if parsed.mentions or parsed.billable
                                      else None)
        project = self.resolved.project
        self._show_project()
        if self.uses_tasks and project is not None and project != before \
                and not is_new(project.id):
            self._want_tasks(project.id)
        self._validate()

    def _apply_choice(self, problem: Problem, choice: Choice) -> None:
        if problem.mention is not None:
            text = replace_mention(self.description.text(), problem.mention, choice.text)
            self.description.setText(text)
            self.description.setFocus()

    def _say_new_tags(self) -> None:
        known = {t.name.casefold() for t in self.snapshot.tags}
        known |= {t.casefold() for t in (self.entry.tags if self.entry else ())}
        new = [t for t in self.tag_names() if t.casefold() not in known]
        self.new_tags.setText(("New tag: " if len(new) == 1 else "New tags: ")
                              + ", ".join(elided(t, 30) for t in new)
                              + " (made with the entry)" if new else "")
        self.new_tags.setVisible(bool(new))

    # -- validation ------------------------------------------------------------------------------
    def times(self) -> tuple[datetime, datetime | None]:
        """(start, stop) as shown, aware UTC; stop None while running (a new timer starts
        now, or the minutes ago chosen)."""
        return self.time_fields.times()

    _times = times

    def _validate(self) -> None:
        errors, warnings = self.time_fields.problems()
        blocked = self.resolved is not None and self.resolved.blocked
        self.message.setText(" ".join(errors or warnings))
        self.message.setStyleSheet(f"color: {ERROR_COLOR if errors else WARNING_COLOR};")
        self.message.setVisible(bool(errors or warnings))
        self.ok_button.setEnabled(not errors and not blocked)

    @property
    def valid(self) -> bool:
        return self.ok_button.isEnabled()

    def accept(self) -> None:
        self._validate()  # "now" moved on since the last check
        if self.valid:
            super().accept()

    # -- results ---------------------------------------------------------------------------------
    def tag_names(self) -> tuple[str, ...]:
        return parse_tags(self.tags.text(), self._tag_names)

    def description_typed(self) -> str:
        """As typed or pasted, fit to send: a line break or a Tab pasted in is a space."""
        return fit_to_send(self.description.text())

    def draft(self) -> EntryDraft:
        """New and past modes: the entry to create, with what the description names."""
        found = self.resolved if self.syntax else None
        project_id, task_id = self._project_id, self._task_id if self.uses_tasks else None
        description, tags = self.description_typed(), self.tag_names()
        billable = self.billable.isChecked()
        if found is not None:
            description = found.description
            tags = parse_tags(", ".join(tags + found.tags), self._tag_names)
            if found.project is not None and found.project.id != project_id:
                project_id, task_id = found.project.id, None
                if not self._billable_touched:
                    billable = found.project.billable
            if found.task is not None:
                task_id = found.task.id
            billable = billable or found.billable_given
        start, stop = self.times()
        return EntryDraft(
            description=description,
            project_id=project_id,
            task_id=task_id,
            tags=tags,
            billable=billable,
            start=start if self.mode == "past" or self.started_ago.value() else None,
            stop=stop if self.mode == "past" else None,
        )

    def changes(self) -> dict[str, object]:
        """Edit mode: only the fields that differ from the entry."""
        entry = self.entry
        if entry is None:
            return {}
        out: dict[str, object] = {}
        description = self.description_typed()
        if description != fit_to_send(entry.description):  # not a change: what was shown
            out["description"] = description
        if self._project_id != entry.project_id:
            out["project_id"] = self._project_id
        if self.uses_tasks and self._task_id != entry.task_id:
            out["task_id"] = self._task_id
        tags = self.tag_names()
        if sorted(t.casefold() for t in tags) != sorted(t.casefold() for t in entry.tags):
            out["tags"] = tags
        if self.billable.isChecked() != entry.billable:
            out["billable"] = self.billable.isChecked()
        start, stop = self._times()
        if start != entry.start.replace(microsecond=0):
            out["start"] = start
        if stop is not None and entry.stop is not None and stop != entry.stop.replace(
            microsecond=0
        ):
            out["stop"] = stop
        return out
