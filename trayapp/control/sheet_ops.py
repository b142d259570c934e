"""What the timesheet asks of a session, run on the app's workers: the entries of a range
(from the cache at once, then from the service when the range is not fresh), and the changes
that control's `plan` has no command for in the window's terms (an entry added or duplicated
with the project and tags already chosen as ids), as Plans applied like any other: local
first, then sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..core import errors as e
from ..core.models import EntryDraft, Service, TimeEntry
from .actions import Plan, cleaned

if TYPE_CHECKING:
    from ..sync.session import Session
    from ..sync.snapshot import Snapshot


@dataclass(frozen=True)
class Range:
    """The entries starting in a range, and which of them hold changes not yet sent."""

    entries: list[TimeEntry]
    unsent: frozenset[str]


def cached(session: Session, start: datetime, end: datetime) -> Range:
    """From this computer only (the `local` worker): no request."""
    return Range(session.entries_between(start, end), frozenset(session.pending_ids()))


def load(session: Session, start: datetime, end: datetime) -> Range | None:
    """Asked of the service first when the range is not fresh (the `net` worker); None when
    it was fresh: the cache read (`cached`) already holds it, and is not read a second time
    (a week of thousands of entries, read while the window paints)."""
    if not session.refresh_range(start, end):
        return None
    return cached(session, start, end)


def add(session: Session, draft: EntryDraft, start: datetime, stop: datetime) -> Snapshot:
    """A finished entry in the past: the running timer, if any, keeps running."""
    if stop <= start:
        raise e.BadRequest("The entry would end before it starts.")
    return session.add(cleaned(draft), start, stop)


def duplicate(session: Session, entry_id: str) -> Snapshot:
    """A copy at the same times (shown as overlapping, to be moved or changed)."""
    entry = session.entry(entry_id)
    if entry.stop is None:
        raise e.Conflict("A running entry cannot be duplicated; continue it instead.")
    return session.add(EntryDraft.from_entry(entry), entry.start, entry.stop)


def plan_for(command: str, service: Service, **args: object) -> Plan:
    """`add` {draft, start, stop} or `duplicate` {id}."""
    if command == "duplicate":
        entry_id = str(args["id"])
        return Plan(command, service, lambda s: duplicate(s, entry_id))
    if command == "add":
        draft, start, stop = args["draft"], args["start"], args["stop"]
        if not (isinstance(draft, EntryDraft) and isinstance(start, datetime)
                and isinstance(stop, datetime)):
            raise e.BadRequest("An entry needs its fields, its start and its stop.")
        return Plan(command, service, lambda s: add(s, draft, start, stop))
    raise e.TrackerError(f"Unknown timesheet action {command!r}.")
