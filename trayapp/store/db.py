"""The SQLite store, one file per user: cache + outbox, written with one transaction per change
so a kill -9 at any moment leaves either the old or the new state, never half of one."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from ..core.durations import format_timestamp, parse_timestamp
from ..core.errors import LocalDataError
from ..core.models import Client, Project, Tag, Task, TimeEntry
from .guard import as_local_error as _as_local_error
from .guard import locked as _locked
from .guard import reading as _reading
from .outbox import LOCAL_PREFIX as LOCAL_PREFIX  # (and the ids made here)
from .outbox import OutboxItem as OutboxItem  # where the rest of trayapp finds it
from .outbox import OutboxMixin, _ts
from .outbox import new_local_id as new_local_id
from .schema import open_store

T = TypeVar("T")

CATALOG_TYPES: dict[str, type] = {"project": Project, "client": Client, "tag": Tag, "task": Task}
#: The field kept in catalog.parent_id, per kind: what the rows are looked up by.
CATALOG_PARENTS = {"task": "project_id"}
#: Meta keys (as Session names them, "<service>:<name>") that describe the cached data.
CACHE_META = ("last_sync", "catalog_sync", "user", "ranges")
#: Fields of a payload or a catalog record that name another record by its id.
ID_FIELDS = ("project_id", "task_id", "client_id")


def _entry_row(service: str, e: TimeEntry) -> tuple[Any, ...]:
    return (service, e.id, e.workspace_id, _ts(e.start), _ts(e.stop), e.description,
            e.project_id, e.task_id, json.dumps(list(e.tag_ids)), json.dumps(list(e.tags)),
            int(e.billable), e.user_id)


def _moment(text: str) -> datetime:
    """A time as this store writes it (isoformat, +00:00), read without the general parser;
    anything else (an older file's form) goes through it."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return parse_timestamp(text)
    return moment if moment.tzinfo is UTC else parse_timestamp(text)


@functools.lru_cache(maxsize=512)
def _names(text: str) -> tuple[str, ...]:
    """A stored list of tags (or their ids): the same few lists come back on most entries."""
    return tuple(json.loads(text))


def _entry_from(row: sqlite3.Row) -> TimeEntry:
    stop = row["stop"]
    return TimeEntry(
        id=row["id"], workspace_id=row["workspace_id"], start=_moment(row["start"]),
        stop=_moment(stop) if stop else None,
        description=row["description"], project_id=row["project_id"], task_id=row["task_id"],
        tag_ids=_names(row["tag_ids"]), tags=_names(row["tags"]),
        billable=bool(row["billable"]), user_id=row["user_id"],
    )


class Store(OutboxMixin):
    """Shared by the worker threads (local actions, network): one connection, and one
    re-entrant lock around every use, so a transaction of one thread is never interleaved
    with statements of the other."""

    def __init__(self, path: Path | str, wait: float = 5.0) -> None:
        self.path: str | None = None if str(path) == ":memory:" else str(path)
        with _as_local_error(self.path):
            if self.path is not None:
                _private_file(Path(path))  # time entries are nobody else's business
            self._db = open_store(str(path), wait)  # LocalDataError: unusable, left as it is
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def sender(self) -> Iterator[bool]:
        """Whether this process may send the outbox now: an exclusive lock on a file beside
        the store, so two processes (the tray and a one-shot command) never send the same
        action twice. Yields False when another process holds it."""
        if self.path is None:
            yield True
            return
        with _as_local_error(self.path):
            fd = os.open(f"{self.path}.send-lock", os.O_CREAT | os.O_RDWR | NOFOLLOW, 0o600)
            handle = os.fdopen(fd, "a+b")
        with handle:
            if not _try_lock(handle):
                yield False
                return
            try:
                yield True
            finally:
                _unlock(handle)

    @property
    def version(self) -> int:
        """Grows with every change: newer snapshots have higher versions."""
        with self._lock:
            return self._db.total_changes

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _as_local_error(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # sqlite may have ended it already
                    self._db.execute("ROLLBACK")
                raise

    # -- meta -----------------------------------------------------------------------------
    @_locked
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row["value"] if row else default

    @_locked
    def set_meta(self, key: str, value: str | None, db: sqlite3.Connection | None = None) -> None:
        conn = db or self._db
        if value is None:
            conn.execute("DELETE FROM meta WHERE key=?", (key,))
        else:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @_reading
    def meta_time(self, key: str) -> datetime | None:
        value = self.meta(key)
        return parse_timestamp(value) if value else None

    @_locked
    def set_meta_time(self, key: str, value: datetime | None,
                      db: sqlite3.Connection | None = None) -> None:
        self.set_meta(key, format_timestamp(value) if value else None, db)

    # -- entries --------------------------------------------------------------------------
    @_locked
    def put_entries(self, service: str, entries: Iterable[TimeEntry],
                    db: sqlite3.Connection | None = None) -> None:
        conn = db or self._db
        conn.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [_entry_row(service, e) for e in entries],
        )

    @_locked
    def delete_entry(self, service: str, entry_id: str,
                     db: sqlite3.Connection | None = None) -> None:
        (db or self._db).execute("DELETE FROM entries WHERE service=? AND id=?",
                                 (service, entry_id))

    @_reading
    def entry(self, service: str, entry_id: str) -> TimeEntry | None:
        row = self._db.execute("SELECT * FROM entries WHERE service=? AND id=?",
                               (service, entry_id)).fetchone()
        return _entry_from(row) if row else None

    @_reading
    def entries(self, service: str, since: datetime | None = None,
                limit: int | None = None) -> list[TimeEntry]:
        """Newest first."""
        sql = "SELECT * FROM entries WHERE service=?"
        args: list[Any] = [service]
        if since is not None:
            sql += " AND start >= ?"
            args.append(_ts(since))
        sql += " ORDER BY start DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_entry_from(r) for r in self._db.execute(sql, args)]

    @_reading
    def entries_between(self, service: str, start: datetime, end: datetime) -> list[TimeEntry]:
        """Entries that start in [start, end), newest first."""
        rows = self._db.execute(
            "SELECT * FROM entries WHERE service=? AND start>=? AND start<? ORDER BY start DESC",
            (service, _ts(start.astimezone(UTC)), _ts(end.astimezone(UTC))))
        return [_entry_from(r) for r in rows]

    @_reading
    def unnumbered_ids(self, service: str) -> set[str]:
        """The ids of entries the service has not numbered yet (made here, not yet sent)."""
        rows = self._db.execute(
            "SELECT id FROM entries WHERE service=? AND substr(id, 1, ?)=?",
            (service, len(LOCAL_PREFIX), LOCAL_PREFIX))
        return {r["id"] for r in rows}

    @_reading
    def running(self, service: str) -> list[TimeEntry]:
        rows = self._db.execute(
            "SELECT * FROM entries WHERE service=? AND stop IS NULL ORDER BY start DESC",
            (service,))
        return [_entry_from(r) for r in rows]

    @_locked
    def replace_entries(self, service: str, start: datetime, end: datetime,
                        entries: Iterable[TimeEntry], keep: set[str],
                        db: sqlite3.Connection) -> None:
        """Make the cache equal the server for [start, end), keeping ids in `keep` (unsynced)."""
        rows = db.execute("SELECT id FROM entries WHERE service=? AND start>=? AND start<?",
                          (service, _ts(start), _ts(end))).fetchall()
        # Rows with a local id were made here and not yet confirmed: never the server's to drop.
        stale = {r["id"] for r in rows if not r["id"].startswith(LOCAL_PREFIX)} - keep
        db.executemany("DELETE FROM entries WHERE service=? AND id=?",
                       [(service, i) for i in stale])
        self.put_entries(service, entries, db)

    # -- catalog: projects, clients, tags, tasks ------------------------------------------
    @_locked
    def put_catalog(self, service: str, kind: str, items: Iterable[Any],
                    replace_all: bool = False, db: sqlite3.Connection | None = None) -> None:
        conn = db or self._db
        if replace_all:
            conn.execute("DELETE FROM catalog WHERE service=? AND kind=?", (service, kind))
        parent = CATALOG_PARENTS.get(kind)
        conn.executemany(
            "INSERT OR REPLACE INTO catalog (service, kind, id, data, parent_id) "
            "VALUES (?,?,?,?,?)",
            [(service, kind, item.id, json.dumps(_fields(item)),
              getattr(item, parent) if parent else None) for item in items],
        )

    @_locked
    def replace_catalog(self, service: str, kind: str, items: Iterable[Any],
                        workspace_id: str, db: sqlite3.Connection) -> None:
        """One workspace's projects, clients or tags as the server lists them now: that
        workspace's other cached rows go (other workspaces' stay, and so do rows made here
        and not yet sent)."""
        db.execute("DELETE FROM catalog WHERE service=? AND kind=? AND id NOT LIKE ? AND "
                   "json_extract(data, '$.workspace_id') IN (?, '')",
                   (service, kind, LOCAL_PREFIX + "%", workspace_id))
        self.put_catalog(service, kind, items, db=db)

    @_locked
    def delete_catalog(self, service: str, kind: str, item_id: str,
                       db: sqlite3.Connection | None = None) -> None:
        (db or self._db).execute("DELETE FROM catalog WHERE service=? AND kind=? AND id=?",
                                 (service, kind, item_id))

    @_locked
    def replace_id(self, service: str, old: str, new: str | None,
                   db: sqlite3.Connection) -> None:
        """A project, client, tag or task made here reached the server (or was given up:
        `new` None): every reference to its local id, in the cache and in the changes not
        yet sent, now names the server's id."""
        for column in ("project_id", "task_id"):
            db.execute(f"UPDATE entries SET {column}=? WHERE service=? AND {column}=?",
                       (new, service, old))
        pattern = f"%{old}%"
        for row in db.execute("SELECT kind, id, data FROM catalog WHERE service=? AND data LIKE ?",
                              (service, pattern)).fetchall():
            data = json.loads(row["data"])
            changed = {k: (new if v == old and k in ID_FIELDS else v) for k, v in data.items()}
            db.execute("UPDATE catalog SET data=?, parent_id=? WHERE service=? AND kind=? AND id=?",
                       (json.dumps(changed), changed.get(CATALOG_PARENTS.get(row["kind"], "")),
                        service, row["kind"], row["id"]))
        for row in db.execute("SELECT seq, payload FROM outbox WHERE service=? AND payload LIKE ?",
                              (service, pattern)).fetchall():
            payload = json.loads(row["payload"])
            changed = {k: (new if v == old and k in ID_FIELDS else v) for k, v in payload.items()}
            db.execute("UPDATE outbox SET payload=? WHERE seq=?", (json.dumps(changed), row["seq"]))

    @_locked
    def replace_tasks(self, service: str, project_id: str, tasks: Iterable[Task],
                      db: sqlite3.Connection) -> None:
        """A project's tasks as the server lists them now: its other cached tasks go."""
        db.execute("DELETE FROM catalog WHERE service=? AND kind='task' AND parent_id=?",
                   (service, project_id))
        self.put_catalog(service, "task", tasks, db=db)

    @_reading
    def catalog(self, service: str, kind: str) -> list[Any]:
        cls = CATALOG_TYPES[kind]
        rows = self._db.execute("SELECT data FROM catalog WHERE service=? AND kind=?",
                                (service, kind))
        return [cls(**json.loads(r["data"])) for r in rows]

    # -- a whole service ------------------------------------------------------------------
    @_locked
    def switch_workspace(self, service: str, workspace_id: str | None,
                         db: sqlite3.Connection) -> None:
        """Track in another workspace of the same account: each workspace keeps its cached
        entries and catalog (rows carry their workspace), only the times they were loaded
        go, so the new one is asked afresh. The outbox and the id map stay."""
        for name in CACHE_META:
            if name != "user":
                self.set_meta(f"{service}:{name}", None, db)
        self.set_meta(f"{service}:workspace", workspace_id, db)

    @_locked
    def forget_service(self, service: str, workspace_id: str | None,
                       db: sqlite3.Connection) -> None:
        """Another workspace or account: drop what the server can give again (its entries,
        the catalog, the times they were loaded) and keep what only this file has (entries
        made here and not yet sent, the outbox, the id map)."""
        db.execute("DELETE FROM entries WHERE service=? AND id NOT LIKE ?",
                   (service, LOCAL_PREFIX + "%"))
        db.execute("DELETE FROM catalog WHERE service=?", (service,))
        for name in CACHE_META:
            self.set_meta(f"{service}:{name}", None, db)
        self.set_meta(f"{service}:workspace", workspace_id, db)


def _fields(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


def _try_lock(handle: Any) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: Any) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows
#: The files sqlite and trayapp keep beside the store.
COMPANIONS = ("-wal", "-shm", ".send-lock")


def _private_file(path: Path) -> None:
    """The folder and the file readable by this user only (made so, or made so again: an
    older trayapp left them readable by all). A symbolic link in their place is refused:
    following it would write entries (and change permissions) wherever it points."""
    _refuse_link(path.parent)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for place in (path, *(Path(f"{path}{end}") for end in COMPANIONS)):
        _refuse_link(place)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | NOFOLLOW, 0o600))
    if sys.platform == "win32":
        return  # the user's profile folder is private already
    for place, mode in ((path.parent, 0o700), (path, 0o600)):
        with contextlib.suppress(OSError):  # not ours to change (a shared folder): leave it
            if place.stat().st_mode & 0o777 != mode and place.stat().st_uid == os.getuid():
                place.chmod(mode)


def _refuse_link(place: Path) -> None:
    if place.is_symlink():
        error = LocalDataError(f"{place} is a symbolic link, and trayapp does not follow one "
                               "to its data.")
        error.hint = ("Put the real folder or file there (trayapp left the link and what it "
                      "points to as they are).")
        raise error
