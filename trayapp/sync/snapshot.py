"""What the UI shows, as plain immutable data: handed from the worker thread to the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..core import errors as e
from ..core.durations import totals
from ..core.models import Client, EntryDraft, Project, Service, Tag, Task, TimeEntry

RECENT_COUNT = 10


@dataclass(frozen=True)
class Problem:
    """An outbox action the server refused: shown so the user can fix or drop it."""

    seq: int
    action: str
    description: str
    title: str
    message: str
    service: Service | None = None  # whose outbox it is in


@dataclass(frozen=True)
class Snapshot:
    service: Service
    workspace_id: str | None = None
    running: TimeEntry | None = None
    # The name of the running timer's workspace when it is not the one tracked in (the web
    # or another device started it there); None when it runs here.
    running_workspace: str | None = None
    entries: tuple[TimeEntry, ...] = ()  # the last two weeks in this workspace, newest first
    projects: tuple[Project, ...] = ()
    clients: tuple[Client, ...] = ()
    tags: tuple[Tag, ...] = ()
    tasks: tuple[Task, ...] = ()
    last_sync: datetime | None = None
    pending: int = 0
    problems: tuple[Problem, ...] = ()
    error: e.TrackerError | None = None  # why syncing is stuck (offline, quota, bad key)
    paused_until: datetime | None = None
    first_weekday: int = 0
    descriptions: tuple[str, ...] = field(default=())
    version: int = 0  # the store's change counter: a higher version is newer
    quota_remaining: int | None = None  # Toggl's hourly quota as last reported
    # Entries a command asked to list (`entries`), newest first, and which of them hold
    # changes not yet sent; None when nothing was asked.
    listing: tuple[TimeEntry, ...] | None = None
    listing_pending: frozenset[str] = frozenset()
    # The other connected service's state (for `status`, which covers both); else empty.
    others: tuple[Snapshot, ...] = ()

    @property
    def project_by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}

    def project_label(self, project_id: str | None) -> str | None:
        project = self.project_by_id.get(project_id or "")
        return project.label if project else None

    def recent(self, count: int = RECENT_COUNT) -> list[EntryDraft]:
        """The last `count` distinct description + project + tags, newest first."""
        seen: set[tuple[str, str | None, tuple[str, ...]]] = set()
        out: list[EntryDraft] = []
        for entry in self.entries:
            draft = EntryDraft.from_entry(entry)
            if not draft.description and not draft.project_id:
                continue
            if draft.key in seen:
                continue
            seen.add(draft.key)
            out.append(draft)
            if len(out) == count:
                break
        return out

    @property
    def last_stopped(self) -> TimeEntry | None:
        return next((x for x in self.entries if not x.running), None)

    def totals(self, now: datetime | None = None) -> tuple[int, int]:
        return totals(self.entries, now=now, first_weekday=self.first_weekday)
