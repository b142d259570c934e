"""Sending the outbox: each queued change replayed on the service exactly once, in order (a
project before the entries that use it), a lost answer looked up before it is tried again,
and a switch of timers sent as one request where the service allows. A mixin only to keep
session.py to one job (local-first actions and what the user sees); it uses the Session's
store, tracker and helpers, declared below for the type checker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core import errors as e
from ..core.durations import parse_timestamp
from ..core.models import EntryDraft, TimeEntry
from ..store.db import LOCAL_PREFIX, OutboxItem
from .catalog import CREATES, catalog_first
from .payloads import decode_changes, payload_draft

if TYPE_CHECKING:
    from ..api.tracker import Tracker
    from ..store.db import Store
    from .snapshot import Snapshot

log = logging.getLogger(__name__)

# An action sent within this may use the server's "now" (Toggl's PATCH .../stop, a start that
# stops the running entry): the request leaves right after the click. Anything later carries
# the time the user acted at, or the entry would gain the minutes it waited.
FRESH = timedelta(seconds=5)


class ReplayMixin:
    if TYPE_CHECKING:
        store: Store
        tracker: Tracker
        svc: str
        clock: Callable[[], datetime]
        confirm_after: timedelta
        error: e.TrackerError | None
        _after_stop: set[int]

        def snapshot(self) -> Snapshot: ...
        def prepare(self) -> str: ...
        def _row(self, entry_id: str) -> TimeEntry | None: ...
        def _guard(self, fn: Callable[..., None], *args: Any) -> bool: ...
        def _with_server_ids(self, payload: dict[str, Any]) -> dict[str, Any]: ...
        def _waits_for_catalog(self, item: OutboxItem, blocked: set[str]) -> bool: ...
        def _replay_catalog(self, wid: str, item: OutboxItem) -> None: ...

    # -- outbox replay --------------------------------------------------------------------
    def flush(self) -> Snapshot:
        if self._guard(self._flush):
            self.error = None
        return self.snapshot()

    def _flush(self) -> None:
        if not self.store.outbox(self.svc):
            return
        with self.store.sender() as alone:
            if not alone:  # another trayapp process is sending this outbox right now
                raise e.OutcomeUnknown("Another trayapp process is sending your changes.",
                                     hint="They are sent once, by that process.")
            self._send_outbox()

    def _send_outbox(self) -> None:
        items = catalog_first(self.store.outbox(self.svc))  # a project before its entries
        wid = self.prepare()
        blocked: set[str] = set()
        self._after_stop = set()  # new for each flush
        held: OutboxItem | None = None  # a stop Toggl will do itself when the next start goes
        for index, item in enumerate(items):
            if (item.error_title or item.held or item.entry_id in blocked
                    or self._waits_for_catalog(item, blocked)):
                blocked.add(item.entry_id)  # a refused action holds back its entry's later ones
                continue
            following = items[index + 1] if index + 1 < len(items) else None
            if self._start_stops_it(wid, item, following, blocked):
                held = item
                continue
            try:
                self._replay(wid, item, following, held if item.action == "start" else None)
            except (e.RequestError, e.MalformedResponse) as exc:
                if isinstance(exc, e.MalformedResponse) and not self._give_up(item):
                    raise
                log.warning("%s %s refused: %s", self.svc, item.action, exc.message)
                self.store.mark_outbox(item.seq, error=exc.message, title=exc.title,
                                       attempt=False)
                blocked.add(item.entry_id)
            except e.TrackerError as exc:
                # Offline, throttled, server trouble: keep the order and try later (a held
                # stop is then no longer fresh, and goes out on its own next time).
                self.store.mark_outbox(item.seq, error=exc.message, attempt=False)
                raise
            if held is not None and item is not held:
                self._release(wid, held)  # the start did not stop it (refused, or gone)
                held = None

    def _release(self, wid: str, held: OutboxItem) -> None:
        """Send a held stop explicitly, unless the start after it already did the job."""
        if self.store.outbox_item(held.seq) is None:
            return
        server_id = self.store.server_id(self.svc, held.entry_id)
        if server_id is not None:
            self._replay_stop(wid, held, server_id, None)

    def _start_stops_it(self, wid: str, item: OutboxItem, following: OutboxItem | None,
                        blocked: set[str]) -> bool:
        """A stop made by switching timers: sending the next start stops it on the server,
        saving a request (a start that ends the running entry at the server's "now" only
        when the switch is fresh, and in another workspace only where one timer runs per
        user). Only if that start really goes out now; otherwise the stop is sent on its
        own."""
        if item.action != "stop" or not item.payload.get("implicit"):
            return False
        if not (self.tracker.one_timer_per_user or self._workspace_of(item.entry_id, wid) == wid):
            return False
        fresh = self.clock() - parse_timestamp(item.payload["at"]) < FRESH
        return ((fresh or self.tracker.start_ends_running_at_its_start)
                and following is not None and following.action == "start"
                and not following.error_title and following.attempts == 0
                and following.entry_id not in blocked)

    def _give_up(self, item: OutboxItem) -> bool:
        """A malformed answer: try again a few times, then show it as a problem."""
        current = self.store.outbox_item(item.seq)
        tries = (current.attempts if current else item.attempts)
        if item.action not in ("start", "create"):  # starts count their tries before sending
            tries += 1
            self.store.mark_outbox(item.seq, error=None, attempt=True)
        return tries >= 3

    def _replay(self, wid: str, item: OutboxItem, following: OutboxItem | None,
                held: OutboxItem | None) -> None:
        if item.action in CREATES:
            self._replay_catalog(wid, item)
            return
        item = replace(item, payload=self._with_server_ids(item.payload))
        server_id = self.store.server_id(self.svc, item.entry_id)
        if item.action in ("start", "create"):
            self._replay_start(wid, item, held)
        elif server_id is None:
            raise e.NotFound("Its start never reached the server.")
        elif item.action == "stop":
            self._replay_stop(wid, item, server_id, following)
        elif item.action == "update":
            row = self._row(item.entry_id)
            base = replace(row or self.tracker.entry(wid, server_id), id=server_id,
                           workspace_id=self._workspace_of(item.entry_id, wid))
            entry = self.tracker.update(base, **decode_changes(item.payload))
            self._commit(item, entry)
        elif item.action == "delete":
            try:
                self.tracker.delete(self._workspace_of(item.entry_id, wid), server_id)
            except e.NotFound:
                pass  # already gone: the goal is reached
            with self.store.transaction() as db:
                self.store.delete_entry(self.svc, server_id, db)
                self.store.remove_outbox(item.seq, db)
        else:  # written by a newer trayapp, or damaged: shown, so it can be discarded
            raise e.BadRequest(f"trayapp does not know this change ({item.action!r}).")

    def _workspace_of(self, entry_id: str, wid: str) -> str:
        """The workspace an entry lives in: a timer started in another workspace is stopped
        and changed there. An entry made here goes to `wid`, this session's."""
        row = self._row(entry_id)
        if row is None or not row.workspace_id or row.id.startswith(LOCAL_PREFIX):
            return wid
        return row.workspace_id

    def _replay_start(self, wid: str, item: OutboxItem, held: OutboxItem | None) -> None:
        draft = payload_draft(item.payload)
        if item.attempts:  # an earlier try may have reached the server: look first
            found = self._find(wid, draft)
            if found is not None:
                self._commit(item, found)
                return
            if item.tried_at and self.clock() - item.tried_at < self.confirm_after:
                # A slow server may still be applying that try: sending again now could
                # make a second entry. Look again later.
                raise e.OutcomeUnknown(
                    "Waiting to confirm that the server got the change.",
                    hint="trayapp looks again shortly, and sends it only if the server does "
                         "not have it.")
        # Write-ahead: count the try before sending, so that after a crash mid-request
        # (kill -9, power loss) the next run looks for the entry instead of making another.
        # From here on no change folds into this item; take it as it is now.
        current = self.store.mark_tried(item.seq, self.clock())
        if current is None:
            return  # deleted before it was ever sent
        if current.attempts != item.attempts:
            raise e.OutcomeUnknown("Another trayapp process tried this change meanwhile.",
                                   hint="It is sent once, by that process.")
        tried = replace(current, attempts=current.attempts + 1)
        draft = payload_draft(self._with_server_ids(current.payload))
        try:
            if current.action == "create":
                entry = self.tracker.create(wid, draft)
            else:
                entry = self.tracker.start(wid, draft,
                                           stop_running=current.seq not in self._after_stop)
        except e.OutcomeUnknown:
            # The answer was lost. If the server has it (the usual case), adopt it;
            # if not, it may still be on its way: the next flush looks again.
            found = self._find(wid, draft)
            if found is None:
                raise
            entry = found
        except (e.NetworkError, e.Throttled, e.AuthError, e.ConnectionError_, e.RequestError):
            # Refused before anything was made (offline, 429, quota, key, or invalid): no
            # look-up is needed next time, and the user's fix can still fold into it.
            self.store.set_attempts(item.seq, item.attempts, item.tried_at)
            raise
        # A running start has stopped the previous entry: its held stop is done.
        done = held if held is not None and current.action == "start" else None
        self._commit(tried, entry, also_done=done)

    def _find(self, wid: str, draft: EntryDraft) -> TimeEntry | None:
        """The entry this draft made on an earlier, unanswered try (one request); never one
        that is already known here (e.g. the previous entry with the same description)."""
        assert draft.start is not None
        window = timedelta(seconds=2)
        known = {x.id for x in self.store.entries(self.svc, since=draft.start - window)}
        for entry in self.tracker.entries(wid, draft.start - window, draft.start + window):
            if (entry.id not in known and entry.workspace_id == wid
                    and abs((entry.start - draft.start).total_seconds()) <= 2
                    and entry.description == draft.description):
                return entry
        return None

    def _replay_stop(self, wid: str, item: OutboxItem, server_id: str,
                     following: OutboxItem | None) -> None:
        at = parse_timestamp(item.payload["at"])
        where = self._workspace_of(item.entry_id, wid)
        # A stop at the server's clock says Conflict if the entry was stopped elsewhere
        # meanwhile; it is right for a fresh stop. A late (replayed) stop carries the time the
        # user actually stopped.
        server_now = self.clock() - at < FRESH and self.tracker.stops_at_server_time
        try:
            entry = self.tracker.stop(where, server_id, at=None if server_now else at)
        except e.Conflict:
            entry = self.tracker.entry(where, server_id)  # stopped elsewhere: take the server's
            if self.clock() - at < FRESH and not item.payload.get("implicit"):
                self._stop_the_one_running(where, at)
        except e.OutcomeUnknown:
            entry = self.tracker.entry(where, server_id)
            if entry.running:
                entry = self.tracker.stop(where, server_id, at=at)
        # The next start need not stop what runs in its workspace: this stop did (a stop in
        # another workspace did not).
        if following is not None and following.action == "start" and where == wid:
            self._after_stop.add(following.seq)
        self._commit(item, entry)

    def _stop_the_one_running(self, wid: str, at: datetime) -> None:
        """The user has just said stop, but the timer this app knew was stopped elsewhere:
        another may have been started there since (the web, a phone). Stop means that none
        runs, so stop that one too, if it began before the user said stop. Only for a fresh
        stop: a late one, replayed from the outbox, must never end today's timer."""
        running = self.tracker.current(wid)
        if running is None or running.start > at:
            return
        try:
            entry = self.tracker.stop(running.workspace_id or wid, running.id, at=None
                                      if self.tracker.stops_at_server_time else at)
        except e.Conflict:
            return  # stopped meanwhile, too: the goal is reached
        with self.store.transaction() as db:
            self.store.put_entries(self.svc, [entry], db)

    def _commit(self, item: OutboxItem, entry: TimeEntry,
                also_done: OutboxItem | None = None) -> None:
        """Record the server's answer: map the local id, update the local row, and drop the
        outbox item, in one transaction."""
        with self.store.transaction() as db:
            if self.tracker.made_tags:  # tags the service made for this entry: keep them
                self.store.put_catalog(self.svc, "tag", self.tracker.made_tags, db=db)
                self.tracker.made_tags = []
            local = self._row(item.entry_id)
            if item.entry_id.startswith(LOCAL_PREFIX) and item.entry_id != entry.id:
                self.store.map_id(self.svc, item.entry_id, entry.id, db)
                self.store.delete_entry(self.svc, item.entry_id, db)
            self.store.remove_outbox(item.seq, db)
            if also_done is not None:
                self.store.remove_outbox(also_done.seq, db)
            ids = {item.entry_id, entry.id}
            queued = [i for i in self.store.outbox(self.svc) if i.entry_id in ids
                      or self.store.server_id(self.svc, i.entry_id) == entry.id]
            if any(i.action == "delete" for i in queued):
                self.store.delete_entry(self.svc, entry.id, db)  # deleted meanwhile: no ghost
            elif queued and local is not None:
                # Later changes to it are still queued: keep what the user sees, re-keyed.
                self.store.put_entries(self.svc, [replace(local, id=entry.id,
                                                          workspace_id=entry.workspace_id,
                                                          user_id=entry.user_id)], db)
            else:
                self.store.put_entries(self.svc, [entry], db)
