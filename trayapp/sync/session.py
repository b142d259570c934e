"""A session with one service: every user action is applied to the local store and queued in the
outbox in one transaction, then the outbox is replayed in order, exactly once.

Why local-first: the tray must answer at once, work offline, and survive kill -9 without losing
or doubling a minute. The server is asked only when something changed or the user looks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..api.tracker import Tracker
from ..core import errors as e
from ..core.durations import format_moment, format_timestamp, parse_timestamp, utcnow
from ..core.models import EntryDraft, Service, TimeEntry
from ..store.db import LOCAL_PREFIX, OutboxItem, Store, new_local_id
from .catalog import CREATES, CatalogMixin
from .payloads import decode_changes, draft_payload, encode_changes
from .ranges import Ranges
from .replay import ReplayMixin
from .sheet import SheetMixin
from .snapshot import Problem, Snapshot

log = logging.getLogger(__name__)

HISTORY = timedelta(days=14)  # what the menus, totals and "recent" need
AHEAD = timedelta(days=7)  # the sync's range reaches this far after now
CATALOG_MAX_AGE = timedelta(hours=12)  # projects, clients and tags change rarely
SINCE_MARGIN = timedelta(seconds=60)  # clock skew between us and the server
CONFIRM_AFTER = timedelta(seconds=30)  # longer than any request can take (timeouts + retries)
# How soon the workspaces' names may be asked again for a workspace they did not name (one
# made since): on Toggl that request counts against the small per-user quota.
NAMES_AGAIN_AFTER = timedelta(hours=1)
# Other workspaces asked for a running timer at each sync, where each costs a request
# (Clockify): the first ones listed. The server decides how many there are.
MAX_OTHER_WORKSPACES = 20


def in_workspace(entry: TimeEntry, wid: str | None) -> bool:
    """Whether `entry` belongs to the workspace tracked in. An entry made here does, whatever
    workspace was current when it was made: its start goes to this one."""
    return (wid is None or not entry.workspace_id or entry.workspace_id == wid
            or entry.id.startswith(LOCAL_PREFIX))


class Session(CatalogMixin, SheetMixin, ReplayMixin):
    def __init__(
        self,
        tracker: Tracker,
        store: Store,
        *,
        workspace_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        confirm_after: timedelta = CONFIRM_AFTER,
    ) -> None:
        self.tracker = tracker
        self.confirm_after = confirm_after
        self.store = store
        self.svc = tracker.service.value
        self.clock = clock
        self.error: e.TrackerError | None = None
        #: The other services' sessions (set by the Account), for a status of both.
        self.others: Callable[[], list[Session]] = list
        self._after_stop: set[int] = set()  # starts whose previous timer this flush stopped
        self.ranges = Ranges(store, self._key("ranges"))  # what the timesheet may show unasked
        if workspace_id:
            self.store.set_meta(self._key("workspace"), workspace_id)
        user = self.store.meta(self._key("user"))
        if user:
            tracker.use_user(user)  # saves Clockify a request
        tracker.know_tags(store.catalog(self.svc, "tag"))  # Clockify entries carry tag ids only

    @property
    def service(self) -> Service:
        return self.tracker.service

    def _key(self, name: str) -> str:
        return f"{self.svc}:{name}"

    @property
    def wid(self) -> str | None:
        return self.store.meta(self._key("workspace"))

    def _now(self) -> datetime:
        return self.clock().replace(microsecond=0)

    # -- reading --------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The local truth, from the store alone: no request."""
        version = self.store.version
        since = self._now() - HISTORY
        wid = self.wid
        rows = self.store.entries(self.svc, since=since)
        entries = tuple(x for x in rows if in_workspace(x, wid))
        outbox = self.store.outbox(self.svc)
        problems = tuple(
            Problem(i.seq, i.action, self._describe(i), i.error_title or "", i.error or "",
                    self.service)
            for i in outbox if i.error_title
        )
        # This workspace's timer, else one started in another (on the web, another device).
        running = next((x for x in entries if x.running), None) or next(
            (x for x in rows if x.running), None)
        descriptions = tuple(dict.fromkeys(x.description for x in entries if x.description))
        return Snapshot(
            service=self.service,
            workspace_id=wid,
            running=running,
            running_workspace=self._workspace_name(running, wid),
            entries=entries,
            projects=tuple(sorted(self._catalog("project"),
                                  key=lambda p: (p.client_name or "", p.name.casefold()))),
            clients=tuple(self._catalog("client")),
            tags=tuple(sorted(self._catalog("tag"), key=lambda t: t.name)),
            tasks=tuple(self._catalog("task")),
            last_sync=self.store.meta_time(self._key("last_sync")),
            pending=len(outbox) - len(problems),
            problems=problems,
            error=self.error,
            paused_until=self.paused_until,
            descriptions=descriptions,
            version=version,
            quota_remaining=self.tracker.quota_remaining,
        )

    def _workspace_name(self, entry: TimeEntry | None, wid: str | None) -> str | None:
        """The name of `entry`'s workspace when it is not this one (its id when not known)."""
        if entry is None or in_workspace(entry, wid):
            return None
        return self._workspace_list()[0].get(entry.workspace_id, entry.workspace_id)

    def _workspace_list(self) -> tuple[dict[str, str], datetime | None]:
        """The account's workspaces (id -> name) as last asked, and when; nothing when they
        were never asked, or were asked for another user."""
        try:
            data = json.loads(self.store.meta(self._key("workspaces")) or "{}")
            if not data or data.get("user") != self.store.meta(self._key("user")):
                return {}, None
            names = {str(k): str(v) for k, v in data["names"].items()}
            return names, parse_timestamp(data["at"])
        except (ValueError, TypeError, KeyError, AttributeError):
            return {}, None  # damaged: asked again

    def _list_workspaces(self) -> dict[str, str]:
        """Ask the account's workspaces (one request) and keep their names."""
        names = {w.id: w.name for w in self.tracker.workspaces()}
        record = {"user": self.store.meta(self._key("user")), "names": names,
                  "at": format_timestamp(self.clock())}
        self.store.set_meta(self._key("workspaces"), json.dumps(record))
        return names

    def _describe(self, item: OutboxItem) -> str:
        if item.action in CREATES:
            return f"{CREATES[item.action]} “{item.payload.get('name') or ''}”"
        entry = self._row(item.entry_id)
        text = (entry.description if entry else "") or item.payload.get("description") or ""
        return text or "(no description)"

    def _row(self, entry_id: str) -> TimeEntry | None:
        found = self.store.entry(self.svc, entry_id)
        if found is None:
            server = self.store.server_id(self.svc, entry_id)
            if server and server != entry_id:
                found = self.store.entry(self.svc, server)
        return found

    @property
    def paused_until(self) -> datetime | None:
        until = self.store.meta_time(self._key("paused_until"))
        return until if until and until > self.clock() else None

    # -- talking to the server ------------------------------------------------------------
    def prepare(self) -> str:
        """Know the workspace (and Clockify's user id): one request, on first use only."""
        wid = self.wid
        needs_user = self.tracker.needs_user_id and not self.store.meta(self._key("user"))
        if wid is None or needs_user:
            me = self.tracker.me()
            wid = wid or me.default_workspace_id or self.tracker.workspaces()[0].id
            with self.store.transaction() as db:
                self.store.set_meta(self._key("workspace"), wid, db)
                self.store.set_meta(self._key("user"), me.id, db)
        assert wid is not None
        return wid

    def sync(self, catalog: bool | None = None) -> Snapshot:
        """Send what is pending, then bring the cache up to date with as few requests as
        the service allows (Toggl: one `since` request; Clockify: one page of two weeks).

        catalog: True reloads projects, clients and tags; None reloads them when older than
        CATALOG_MAX_AGE; False never (background syncs: nobody is looking at them)."""
        if self._guard(self._flush_and_sync, catalog):
            self.error = None
        return self.snapshot()

    def _flush_and_sync(self, catalog: bool | None) -> None:
        self._flush()
        wid = self.prepare()
        last = self.store.meta_time(self._key("catalog_sync"))
        stale = last is None or self.clock() - last > CATALOG_MAX_AGE
        reload = bool(catalog or (catalog is None and stale))
        if reload:
            self.refresh_catalog(wid)
        self.refresh_entries(wid)
        self.refresh_elsewhere(wid, list_again=reload)

    def refresh_entries(self, wid: str) -> None:
        started = self.clock()
        last = self.store.meta_time(self._key("last_sync"))
        # `busy` is read inside each write transaction: a local action made while the request
        # was on its way must win over the (older) server answer.
        if self.tracker.supports_since and last and started - last < HISTORY:
            changed = self.tracker.changed_since(wid, last - SINCE_MARGIN)
            with self.store.transaction() as db:
                busy = self._busy_ids()
                for entry in changed:
                    if entry.id in busy:
                        continue  # our own unsent change wins until it is sent
                    if entry.deleted:
                        self.store.delete_entry(self.svc, entry.id, db)
                    else:
                        self.store.put_entries(self.svc, [entry], db)
                self.store.set_meta_time(self._key("last_sync"), started, db)
                # Every change of any date came: each range loaded before is current again.
                self.ranges.touch(started, db, reach=started + AHEAD)
        else:
            # A week ahead too (entries planned ahead are rare, and come in the same
            # request): any day of this week is then known without asking it on its own.
            start, end = started - HISTORY, started + AHEAD
            found = self.tracker.entries(wid, start, end)
            with self.store.transaction() as db:
                busy = self._busy_ids()
                found = [x for x in found if x.id not in busy]
                keep = busy | self._asked_apart(wid)
                self.store.replace_entries(self.svc, start, end, found, keep, db)
                self.store.set_meta_time(self._key("last_sync"), started, db)
                if self.tracker.supports_since:  # the chain of changes broke: ask them again
                    self.ranges.clear(db)
                self.ranges.add(start, end, started, db, window=True)

    def _asked_apart(self, wid: str) -> set[str]:
        """Entries of other workspaces that this workspace's list does not give: each
        workspace's own request keeps them right (see refresh_elsewhere)."""
        if self.tracker.entries_span_workspaces:
            return set()
        return {x.id for x in self.store.entries(self.svc) if not in_workspace(x, wid)}

    def refresh_elsewhere(self, wid: str, list_again: bool = False) -> None:
        """Timers running in the account's other workspaces, which the user must see and can
        stop. Toggl's lists span workspaces: only their names are needed, asked when one is
        not known. Clockify is asked once per other workspace, from the list of workspaces
        kept with the catalog (asked again with it: `list_again`)."""
        if self.tracker.entries_span_workspaces:
            self._name_workspaces(wid)
            return
        names, asked = self._workspace_list()
        if list_again or asked is None:
            names = self._list_workspaces()
        for other in [w for w in names if w != wid][:MAX_OTHER_WORKSPACES]:
            self._refresh_running_in(other)

    def _name_workspaces(self, wid: str) -> None:
        """Names are only shown: a failure leaves the workspace's id in their place, and
        must not pause syncing (on Toggl, the names come from the per-user quota)."""
        names, asked = self._workspace_list()
        shown = {x.workspace_id for x in self.store.running(self.svc)} - {wid, ""}
        if not shown - names.keys():
            return
        if asked is not None and self.clock() - asked < NAMES_AGAIN_AFTER:
            return
        try:
            self._list_workspaces()
        except e.TrackerError as exc:
            log.info("%s workspaces not named: %s", self.svc, exc.title)

    def _refresh_running_in(self, other: str) -> None:
        """The user's timer in another workspace (one request): kept while it runs, dropped
        when it no longer does (stopped there, or deleted)."""
        try:
            running = self.tracker.current(other)
        except e.RequestError as exc:  # a workspace left since the list was asked: skip it
            log.info("%s workspace %s not asked: %s", self.svc, other, exc.title)
            return
        with self.store.transaction() as db:
            busy = self._busy_ids()
            for row in self.store.entries(self.svc):
                if (row.workspace_id == other and row.id not in busy
                        and (running is None or row.id != running.id)):
                    self.store.delete_entry(self.svc, row.id, db)
            if running is not None and running.id not in busy:
                self.store.put_entries(self.svc, [running], db)

    def _busy_ids(self) -> set[str]:
        """Entries with unsent actions, by local and server id."""
        ids: set[str] = set()
        for item in self.store.outbox(self.svc):
            ids.add(item.entry_id)
            server = self.store.server_id(self.svc, item.entry_id)
            if server:
                ids.add(server)
        ids.update(self.store.unnumbered_ids(self.svc))  # not every row: one column
        return ids

    def _guard(self, fn: Callable[..., None], *args: Any) -> bool:
        """Run a network step; a failure becomes `self.error` (shown), never an exception."""
        paused = self.paused_until
        if paused:
            self.error = e.QuotaExhausted(retry_at=paused)
            return False
        try:
            fn(*args)
        except e.QuotaExhausted as exc:
            # The wait the server asked for, counted on this session's clock.
            until = self.clock() + timedelta(seconds=exc.retry_in)
            self.store.set_meta_time(self._key("paused_until"), until)
            self.error = exc
            return False
        except e.TrackerError as exc:
            log.info("%s sync: %s", self.svc, exc.title)
            self.error = exc
            return False
        return True

    # -- user actions: local first, then the outbox ---------------------------------------
    def start(self, draft: EntryDraft, at: datetime | None = None) -> Snapshot:
        """A running timer from `at` (else the draft's start, else now); what runs stops
        then. A time before the running timer's start is refused (it would end before it
        began), and so is one in the future."""
        now = self._now()
        begin = (at or draft.start or now).replace(microsecond=0)
        if at is not None:
            self._not_future(begin, "start")
            for running in self.store.running(self.svc):
                if begin < running.start:
                    raise e.BadRequest(
                        f"The running timer started at {format_moment(running.start)}, after "
                        f"{format_moment(begin)}: stop it first, or start later.")
        with self.store.transaction() as db:
            self._start_locally(replace(draft, stop=None), begin, db)
        return self.snapshot()

    def _start_locally(self, draft: EntryDraft, begin: datetime, db: Any) -> TimeEntry:
        entry = TimeEntry(
            id=new_local_id(), workspace_id=self.wid or "", start=begin,
            description=draft.description, project_id=draft.project_id, task_id=draft.task_id,
            tags=draft.tags, billable=draft.billable,
        )
        for running in self.store.running(self.svc):
            self._stop_locally(running, entry.start, db, implicit=True)
        self.store.put_entries(self.svc, [entry], db)
        self.store.add_outbox(self.svc, "start", entry.id,
                              draft_payload(replace(draft, start=entry.start)), self._now(), db)
        return entry

    def stop(self, at: datetime | None = None) -> Snapshot:
        """Stop what runs, now or at `at` (not before its start, not in the future)."""
        running = self.store.running(self.svc)
        if not running:
            raise e.Conflict("No timer is running.")
        if at is not None:
            at = at.replace(microsecond=0)
            self._not_future(at, "stop")
            for entry in running:
                if at < entry.start:
                    raise e.BadRequest(f"The timer started at {format_moment(entry.start)}; "
                                       "it cannot stop before that.")
        with self.store.transaction() as db:
            for entry in running:
                self._stop_locally(entry, at or self._now(), db)
        return self.snapshot()

    def _not_future(self, when: datetime, what: str) -> None:
        if when > self._now() + SINCE_MARGIN:
            raise e.BadRequest(f"A timer cannot {what} in the future ({format_moment(when)}).")

    def continue_last(self) -> Snapshot:
        last = self.snapshot().last_stopped
        if last is None:
            raise e.NotFound("There is no earlier entry to continue.")
        return self.start(EntryDraft.from_entry(last))

    def _stop_locally(self, entry: TimeEntry, at: datetime, db: Any, implicit: bool = False
                      ) -> None:
        at = max(at, entry.start)
        self.store.put_entries(self.svc, [replace(entry, stop=at)], db)
        if self._merge_unsent(entry.id, "stop", {"stop": format_timestamp(at)}, db):
            return
        self.store.add_outbox(self.svc, "stop", entry.id,
                              {"at": format_timestamp(at), "implicit": implicit}, self._now(), db)

    def update(self, entry_id: str, **changes: Any) -> Snapshot:
        """Change any cached entry (fields of EntryDraft; start and stop included). A new
        start alone keeps the stop (the duration changes), a new stop alone keeps the start."""
        entry = self._row(entry_id)
        if entry is None:
            raise e.NotFound("That entry is no longer here.")
        with self.store.transaction() as db:
            self._update_locally(entry, changes, db)
        return self.snapshot()

    def _update_locally(self, entry: TimeEntry, changes: dict[str, Any], db: Any) -> TimeEntry:
        if "stop" in changes and changes["stop"] is None and not entry.running:
            raise e.BadRequest("A finished entry cannot be made running again here.")
        changes = dict(changes)
        if "start" in changes and "stop" not in changes and not entry.running:
            changes["stop"] = entry.stop  # said explicitly: a service may move it otherwise
        elif "stop" in changes and "start" not in changes and changes["stop"] is not None:
            changes["start"] = entry.start
        local = replace(entry, **{k: v for k, v in decode_changes(encode_changes(changes)).items()})
        if local.stop and local.stop < local.start:
            raise e.BadRequest(f"The entry would end ({format_moment(local.stop)}) before it "
                               f"starts ({format_moment(local.start)}).")
        self.store.put_entries(self.svc, [local], db)
        payload = encode_changes(changes)
        if not self._merge_unsent(entry.id, "update", payload, db):
            self.store.add_outbox(self.svc, "update", entry.id, payload, self._now(), db)
        return local

    def delete(self, entry_id: str) -> Snapshot:
        entry = self._row(entry_id)
        if entry is None:
            return self.snapshot()
        with self.store.transaction() as db:
            self.store.delete_entry(self.svc, entry.id, db)
            unsent = self._unsent_start(entry.id)
            if unsent is not None:
                # Never reached the server: forget it and everything queued for it.
                for item in self.store.outbox(self.svc):
                    if item.entry_id == entry.id:
                        self.store.remove_outbox(item.seq, db)
            else:
                self.store.add_outbox(self.svc, "delete", entry.id, {}, self._now(), db)
        return self.snapshot()

    def _unsent_start(self, entry_id: str) -> OutboxItem | None:
        """The queued start of this entry if nothing of it can have reached the server (and
        it is not held: a change folded into a held one would send it along)."""
        for item in self.store.outbox(self.svc):
            if item.entry_id == entry_id and item.action in ("start", "create"):
                return item if item.attempts == 0 and not item.held else None
        return None

    def _merge_unsent(self, entry_id: str, action: str, payload: dict[str, Any], db: Any
                      ) -> bool:
        """Fold a change into a start that was never sent: one request instead of two, and
        a start followed by a stop becomes one finished entry."""
        start = self._unsent_start(entry_id)
        if start is None:
            return False
        merged = dict(start.payload)
        if action == "stop":
            merged["stop"] = payload["stop"]
            self.store.set_outbox_action(start.seq, "create", db)
        else:
            merged.update({k: v for k, v in payload.items() if k in merged})
            if merged.get("stop") and start.action == "start":  # an edit that ends it
                self.store.set_outbox_action(start.seq, "create", db)
        self.store.update_outbox_payload(start.seq, merged, db)
        if start.error_title:  # the user's fix of a refused start: send it again
            self.store.clear_outbox_error(start.seq, db)
        return True

    # -- problems the user decides on -----------------------------------------------------
    def retry(self, seq: int) -> Snapshot:
        """Queue a refused (or held) action again: the next flush sends it."""
        self.store.release_outbox(seq)
        return self.snapshot()

    def drop(self, seq: int) -> Snapshot:
        """Give up an action the server refused; the server's version comes back on sync."""
        item = next((i for i in self.store.outbox(self.svc) if i.seq == seq), None)
        if item is None:
            return self.snapshot()
        with self.store.transaction() as db:
            if item.action in CREATES:
                self._drop_create(item, db)
            elif item.action in ("start", "create"):
                for other in self.store.outbox(self.svc):
                    if other.entry_id == item.entry_id:
                        self.store.remove_outbox(other.seq, db)
                self.store.delete_entry(self.svc, item.entry_id, db)
            else:
                self.store.remove_outbox(seq, db)
                self.store.set_meta(self._key("last_sync"), None, db)  # reload the range
        return self.snapshot()
