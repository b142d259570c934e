"""The timesheet's side of a Session: entries of any day or week, from the cache first and
from the service only when the cache does not know that range fresh; adding past entries,
continuing and splitting any entry. Local first and through the outbox, like the timer.

A mixin only to keep session.py to one job (the timer and the outbox replay); it uses the
Session's store, tracker and helpers, declared below for the type checker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..core import errors as e
from ..core.durations import format_moment
from ..core.models import EntryDraft, TimeEntry
from ..store.db import new_local_id

if TYPE_CHECKING:
    from ..api.tracker import Tracker
    from ..store.db import Store
    from .ranges import Ranges
    from .snapshot import Snapshot


class SheetMixin:
    if TYPE_CHECKING:
        store: Store
        tracker: Tracker
        ranges: Ranges
        svc: str
        clock: Callable[[], datetime]
        error: e.TrackerError | None

        @property
        def wid(self) -> str | None: ...
        @property
        def paused_until(self) -> datetime | None: ...
        def _key(self, name: str) -> str: ...
        def _now(self) -> datetime: ...
        def _row(self, entry_id: str) -> TimeEntry | None: ...
        def _busy_ids(self) -> set[str]: ...
        def _asked_apart(self, wid: str) -> set[str]: ...
        def _guard(self, fn: Callable[..., None], *args: Any) -> bool: ...
        def _not_future(self, when: datetime, what: str) -> None: ...
        def _start_locally(self, draft: EntryDraft, begin: datetime, db: Any) -> TimeEntry: ...
        def _stop_locally(self, entry: TimeEntry, at: datetime, db: Any,
                          implicit: bool = False) -> None: ...
        def _update_locally(self, entry: TimeEntry, changes: dict[str, Any],
                            db: Any) -> TimeEntry: ...
        def prepare(self) -> str: ...
        def refresh_entries(self, wid: str) -> None: ...
        def snapshot(self) -> Snapshot: ...

    # -- reading --------------------------------------------------------------------------
    def entries_between(self, start: datetime, end: datetime) -> list[TimeEntry]:
        """Entries of this workspace that start in [start, end), newest first, from the
        cache only (no request); unsent local changes are in it already."""
        from .session import in_workspace  # session.py imports this module

        wid = self.wid
        return [x for x in self.store.entries_between(self.svc, start, end)
                if in_workspace(x, wid)]

    def load(self, start: datetime, end: datetime) -> list[TimeEntry]:
        """entries_between, after asking the service only when that range is not known
        fresh: nothing when it is; else one incremental request where the service has one
        and the range was loaded before (Toggl), else the range itself (one request on
        Toggl, the pages it needs on Clockify). Unsent local changes are never replaced.
        Raises the TrackerError that stopped it (the cache is then still readable)."""
        self.refresh_range(start, end)
        return self.entries_between(start, end)

    def refresh_range(self, start: datetime, end: datetime) -> bool:
        """The asking part of `load`, without reading the entries back: whether the service
        was asked (False: the cache knew the range fresh, and holds what it did)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            raise e.BadRequest("The range ends before it starts.")
        if self.ranges.fresh(start, end, self.clock()):
            return False
        if not self._guard(self._ask_range, start, end):
            assert self.error is not None
            raise self.error
        self.error = None
        return True

    def _ask_range(self, start: datetime, end: datetime) -> None:
        from .session import HISTORY

        wid = self.prepare()
        last = self.store.meta_time(self._key("last_sync"))
        if (self.tracker.supports_since and last is not None
                and self.clock() - last < HISTORY and self.ranges.known(start, end)):
            self.refresh_entries(wid)  # one request brings every known range up to date
            return
        started = self.clock()
        found = self.tracker.entries(wid, start, end)
        with self.store.transaction() as db:
            busy = self._busy_ids()  # read here: a change made meanwhile wins
            found = [x for x in found if x.id not in busy]
            self.store.replace_entries(self.svc, start, end, found,
                                       busy | self._asked_apart(wid), db)
            self.ranges.add(start, end, started, db)

    def pending_ids(self) -> set[str]:
        """Ids of entries with changes not yet on the server (made here, or edited here)."""
        return self._busy_ids()

    def entry(self, entry_id: str) -> TimeEntry:
        """A cached entry by the id `entries` printed: a local id keeps naming the entry
        once it has reached the server."""
        found = self._row(entry_id)
        if found is None:
            raise e.NotFound(f"No entry “{entry_id}” is known here. `trayapp entries` "
                             "lists the ids (add --date, --week or --since for other days).")
        return found

    # -- changes --------------------------------------------------------------------------
    def add(self, draft: EntryDraft, start: datetime, stop: datetime) -> Snapshot:
        """A finished past entry, saved here and queued (sent as one request)."""
        start, stop = start.replace(microsecond=0), stop.replace(microsecond=0)
        if stop <= start:
            raise e.BadRequest(f"The entry would end ({format_moment(stop)}) before it "
                               f"starts ({format_moment(start)}).")
        with self.store.transaction() as db:
            self._add_locally(draft, start, stop, db)
        return self.snapshot()

    def _add_locally(self, draft: EntryDraft, start: datetime, stop: datetime,
                     db: Any) -> TimeEntry:
        from .payloads import draft_payload

        entry = TimeEntry(
            id=new_local_id(), workspace_id=self.wid or "", start=start,
            stop=stop, description=draft.description, project_id=draft.project_id,
            task_id=draft.task_id, tags=draft.tags, billable=draft.billable)
        self.store.put_entries(self.svc, [entry], db)
        self.store.add_outbox(self.svc, "create", entry.id,
                              draft_payload(replace(draft, start=start, stop=stop)),
                              self._now(), db)
        return entry

    def continue_entry(self, entry_id: str) -> Snapshot:
        """A new timer, now, with this entry's description, project, task, tags, billable."""
        found = self.entry(entry_id)
        with self.store.transaction() as db:
            self._start_locally(EntryDraft.from_entry(found), self._now(), db)
        return self.snapshot()

    def split(self, entry_id: str, at: datetime) -> Snapshot:
        """In one transaction: the entry ends at `at`, and a copy takes over from `at` to its
        old stop (or runs on, when it was running)."""
        found = self.entry(entry_id)
        at = at.replace(microsecond=0)
        end = found.stop or self._now()
        if not found.start < at < end:
            raise e.BadRequest(f"Split at a time inside the entry, after "
                               f"{format_moment(found.start)} and before {format_moment(end)}.")
        draft = EntryDraft.from_entry(found)
        with self.store.transaction() as db:
            if found.running:
                # Stopped on its own (not folded into the copy's start: it must end at `at`,
                # not when the service gets the start), then the copy runs on from `at`.
                self._stop_locally(found, at, db)
                self._start_locally(draft, at, db)
            else:
                self._update_locally(found, {"stop": at}, db)
                assert found.stop is not None
                self._add_locally(draft, at, found.stop, db)
        return self.snapshot()
