"""Create where you type: an entry started, added or edited onto a project that does not
exist yet ("Create project 'Webiste2'" in the picker, Quick start, the entry dialog and the
timesheet's Edit/Add dialogs).

A window cannot know the project's local id before the session makes it, so it names the
new project with a placeholder id (`new_project(name)`), and hands its entry to one of the
plans below. Each plan's local change makes the project first (`Session.create_project`:
local id at once, queued like an entry), then the entry with that id, both in one step on
the `local` worker; then the outbox is sent, catalog creations first. Offline the two wait
together and the project is made on the service exactly once, before the entry that uses
it. A project of that name made meanwhile (a sync, another window) is used, not doubled.

Run like control's other plans (the app's `execute`, or control/oneshot.py's `execute`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core import errors as e
from ..core.models import EntryDraft, Project, Service
from ..core.quick_entry import name_key
from ..core.text import fit_to_send
from .actions import Plan, cleaned, cleaned_changes

if TYPE_CHECKING:
    from ..sync.session import Session
    from ..sync.snapshot import Snapshot

#: A project id meaning "the project named after the prefix, to be made first".
NEW = "new-project:"


def new_project(name: str, workspace_id: str = "", billable: bool = False) -> Project:
    """The stand-in a window shows and chooses for a project it will create."""
    name = " ".join(fit_to_send(name).split())
    return Project(id=NEW + name, workspace_id=workspace_id, name=name, billable=billable)


def is_new(project_id: object) -> bool:
    return isinstance(project_id, str) and project_id.startswith(NEW) and len(project_id) > len(NEW)


def new_name(project_id: str) -> str:
    return project_id.removeprefix(NEW)


def made(session: Session, project_id: str) -> str:
    """The real (local or server) id for `project_id`: a placeholder's project is made now,
    or found when one of that name exists already (active)."""
    if not is_new(project_id):
        return project_id
    name = new_name(project_id)
    key = name_key(name)
    for project in session.catalog_items("project"):
        if project.active and key in (name_key(project.name), name_key(project.label)):
            return str(project.id)
    return str(session.create_project(name).id)


def start_plan(service: Service, draft: EntryDraft) -> Plan:
    """Start `draft`, whose project may be new (made first)."""
    if draft.project_id is None:
        raise e.BadRequest("No project to create.")
    project_id = draft.project_id

    def apply(session: Session) -> Snapshot:
        real = made(session, project_id)
        return session.start(cleaned(replace(draft, project_id=real, task_id=None)))

    return Plan("start", service, apply)


def add_plan(service: Service, draft: EntryDraft, start: datetime, stop: datetime) -> Plan:
    """A finished entry in the past on a project that may be new (the timesheet's Add)."""
    if stop <= start:
        raise e.BadRequest("The entry would end before it starts.")
    project_id = draft.project_id or ""

    def apply(session: Session) -> Snapshot:
        real = made(session, project_id) if project_id else None
        return session.add(cleaned(replace(draft, project_id=real, task_id=None
                                           if is_new(project_id) else draft.task_id)),
                           start, stop)

    return Plan("add", service, apply)


def update_plan(service: Service, entry_id: str, changes: Mapping[str, Any]) -> Plan:
    """An entry's changes, its project moved to one that may be new."""
    wanted = dict(changes)
    project_id = wanted.get("project_id")

    def apply(session: Session) -> Snapshot:
        out = cleaned_changes(wanted)
        if is_new(project_id):
            out["project_id"] = made(session, str(project_id))
            out.pop("task_id", None)  # a new project has no tasks
            if session.service is Service.CLOCKIFY:
                out["task_id"] = None
        return session.update(entry_id, **out)

    return Plan("update", service, apply)


def needs_creating(draft_or_changes: EntryDraft | Mapping[str, Any] | None) -> bool:
    """Whether what a window hands back names a project to create first."""
    if isinstance(draft_or_changes, EntryDraft):
        return is_new(draft_or_changes.project_id)
    if isinstance(draft_or_changes, Mapping):
        return is_new(draft_or_changes.get("project_id"))
    return False
