"""What the timesheet asks of a session, run on the app's workers: the entries of a range
(from the cache at once, then from the service when the range is not fresh), and the changes
its rows offer as control Plans, applied like any other (local first, then sent)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..core import errors as e
from ..core.models import EntryDraft, Service, TimeEntry
from .actions import Plan

if TYPE_CHECKING:
    from ..sync.session import Session
    from ..sync.snapshot import Snapshot


def in_range(entry: TimeEntry, start: datetime, end: datetime) -> bool:
    return start <= entry.start < end


def cached(session: Session, start: datetime, end: datetime) -> list[TimeEntry]:
    """The entries starting in [start, end) that this computer knows: no request."""
    between = getattr(session, "entries_between", None)
    if between is not None:
        found: list[TimeEntry] = between(start, end)
    else:
        found = list(session.snapshot().entries)
    return [x for x in found if in_range(x, start, end)]


def load(session: Session, start: datetime, end: datetime) -> list[TimeEntry]:
    """The same, asked of the service when the range is not fresh (on the `net` worker)."""
    fetch = getattr(session, "load", None)
    if fetch is None:
        return cached(session, start, end)
    return [x for x in fetch(start, end) if in_range(x, start, end)]


def entry_of(session: Session, entry_id: str) -> TimeEntry:
    between = getattr(session, "entries_between", None)
    snapshot = session.snapshot()
    found = next((x for x in snapshot.entries if x.id == entry_id), None)
    if found is None and between is not None:
        far = datetime.min.replace(tzinfo=snapshot.last_sync.tzinfo) if snapshot.last_sync \
            else None
        if far is not None:
            found = next((x for x in between(far, datetime.max.replace(tzinfo=far.tzinfo))
                          if x.id == entry_id), None)
    if found is None:
        raise e.NotFound("That entry is no longer here.")
    return found


def add(session: Session, draft: EntryDraft, start: datetime, stop: datetime) -> Snapshot:
    """A finished entry in the past: the running timer, if any, keeps running."""
    if stop < start:
        raise e.BadRequest("The entry would end before it starts.")
    adder = getattr(session, "add", None)
    if adder is None:
        raise e.Conflict("Adding a past entry is not available in this version yet.")
    result: Snapshot = adder(draft, start, stop)
    return result


def continue_entry(session: Session, entry_id: str) -> Snapshot:
    again = getattr(session, "continue_entry", None)
    if again is not None:
        result: Snapshot = again(entry_id)
        return result
    return session.start(EntryDraft.from_entry(entry_of(session, entry_id)))


def duplicate(session: Session, entry_id: str) -> Snapshot:
    entry = entry_of(session, entry_id)
    if entry.stop is None:
        raise e.Conflict("A running entry cannot be duplicated; continue it instead.")
    return add(session, EntryDraft.from_entry(entry), entry.start, entry.stop)


def split(session: Session, entry_id: str, at: datetime) -> Snapshot:
    cut = getattr(session, "split", None)
    if cut is not None:
        result: Snapshot = cut(entry_id, at)
        return result
    entry = entry_of(session, entry_id)
    if entry.stop is None:
        raise e.Conflict("A running entry cannot be split; stop it first.")
    if not entry.start < at < entry.stop:
        raise e.BadRequest("The split must fall inside the entry.")
    add(session, EntryDraft.from_entry(entry), at, entry.stop)
    return session.update(entry_id, stop=at)


def stop_at(session: Session, at: datetime) -> Snapshot:
    if session.snapshot().running is None:
        raise e.Conflict("No timer is running.")
    return session.stop(at=at)


def plan_for(command: str, service: Service, **args: object) -> Plan:
    """A Plan for one of the sheet's row actions (the ones control's `plan` has no command
    for yet): `duplicate` {id}, `split` {id, at}, `add` {draft, start, stop}, `stop_at` {at},
    `continue` {id}, `delete` {id}."""
    if command == "duplicate":
        entry_id = str(args["id"])
        return Plan(command, service, lambda s: duplicate(s, entry_id))
    if command == "split":
        entry_id, at = str(args["id"]), args["at"]
        assert isinstance(at, datetime)
        return Plan(command, service, lambda s: split(s, entry_id, at))
    if command == "add":
        draft, start, stop = args["draft"], args["start"], args["stop"]
        assert isinstance(draft, EntryDraft) and isinstance(start, datetime)
        assert isinstance(stop, datetime)
        return Plan(command, service, lambda s: add(s, draft, start, stop))
    if command == "stop_at":
        when = args["at"]
        assert isinstance(when, datetime)
        return Plan(command, service, lambda s: stop_at(s, when))
    if command == "continue":
        entry_id = str(args["id"])
        return Plan(command, service, lambda s: continue_entry(s, entry_id))
    if command == "delete":
        entry_id = str(args["id"])
        return Plan(command, service, lambda s: s.delete(entry_id))
    raise e.TrackerError(f"Unknown timesheet action {command!r}.")
