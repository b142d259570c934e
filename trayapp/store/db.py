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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from ..core.durations import format_timestamp, parse_timestamp
from ..core.errors import LocalDataError
from ..core.models import Client, Project, Tag, Task, TimeEntry
from .schema import DamagedStore, is_damage, open_store

T = TypeVar("T")

CATALOG_TYPES: dict[str, type] = {"project": Project, "client": Client, "tag": Tag, "task": Task}
#: The field kept in catalog.parent_id, per kind: what the rows are looked up by.
CATALOG_PARENTS = {"task": "project_id"}
#: Meta keys (as Session names them, "<service>:<name>") that describe the cached data.
CACHE_META = ("last_sync", "catalog_sync", "user", "ranges")
#: Fields of a payload or a catalog record that name another record by its id.
ID_FIELDS = ("project_id", "task_id", "client_id")


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    service: str
    action: str  # start | stop | update | delete | create
    entry_id: str  # local or server id of the entry it acts on
    payload: dict[str, Any]
    created: datetime
    attempts: int = 0  # tries that may have reached the server
    tried_at: datetime | None = None
    error: str | None = None
    error_title: str | None = None
    held: bool = False  # made with another Maton key: waits for the user (see hold_outbox)


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


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


@contextmanager
def _as_local_error(path: str | None, rows: bool = False) -> Iterator[None]:
    """The file cannot be used as it is now (read-only, disk full, locked too long, damaged):
    a LocalDataError that says so, never a bare sqlite3 error. (A broken constraint is a bug,
    and stays one.) `rows`: values read back that make no sense (a time that is not a time,
    JSON that is not JSON) mean a damaged file too."""
    where = path or ":memory:"
    try:
        yield
    except sqlite3.Error as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise LocalDataError.busy(where) from None  # another process: it passes
        if is_damage(exc):  # found while in use: the next opening keeps it aside
            raise DamagedStore.found(where, str(exc)) from None
        if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
            raise LocalDataError.unusable(where, _plain(path, str(exc))) from None
        raise
    except OSError as exc:
        raise LocalDataError.unusable(where, _plain(path, exc.strerror or str(exc))) from None
    except (ValueError, TypeError, KeyError) as exc:
        if not rows:
            raise
        raise LocalDataError.unreadable(where, f"a damaged record: {exc}") from None


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> T:
        with self._lock, _as_local_error(self.path):
            return method(self, *args, **kwargs)

    return wrapper


def _reading(method: Callable[..., T]) -> Callable[..., T]:
    """Like _locked, for methods that turn rows back into values: a value that cannot be
    read back (a time that is not a time, JSON that is not JSON) is a damaged file."""
    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> T:
        with self._lock, _as_local_error(self.path, rows=True):
            return method(self, *args, **kwargs)

    return wrapper


class Store:
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

    # -- outbox ---------------------------------------------------------------------------
    @_locked
    def add_outbox(self, service: str, action: str, entry_id: str, payload: dict[str, Any],
                   created: datetime, db: sqlite3.Connection) -> int:
        cur = db.execute(
            "INSERT INTO outbox (service, action, entry_id, payload, created) VALUES (?,?,?,?,?)",
            (service, action, entry_id, json.dumps(payload), _ts(created)))
        return int(cur.lastrowid or 0)

    @_reading
    def outbox(self, service: str | None = None) -> list[OutboxItem]:
        sql, args = "SELECT * FROM outbox", []
        if service:
            sql += " WHERE service=?"
            args.append(service)
        rows = self._db.execute(sql + " ORDER BY seq", args).fetchall()
        return [OutboxItem(r["seq"], r["service"], r["action"], r["entry_id"],
                           json.loads(r["payload"]), parse_timestamp(r["created"]),
                           r["attempts"],
                           parse_timestamp(r["tried_at"]) if r["tried_at"] else None,
                           r["error"], r["error_title"], bool(r["held"])) for r in rows]

    @_locked
    def remove_outbox(self, seq: int, db: sqlite3.Connection | None = None) -> None:
        (db or self._db).execute("DELETE FROM outbox WHERE seq=?", (seq,))

    @_locked
    def mark_outbox(self, seq: int, *, error: str | None, title: str | None = None,
                    attempt: bool = True) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + ?, error=?, error_title=? WHERE seq=?",
            (int(attempt), error, title, seq))

    @_locked
    def last_outbox_seq(self) -> int:
        row = self._db.execute("SELECT MAX(seq) FROM outbox").fetchone()
        return int(row[0] or 0)

    @_locked
    def hold_outbox(self, title: str, message: str, upto: int) -> int:
        """Hold the queued actions up to `upto`: they wait for the user (send or discard),
        shown like refused ones, and nothing folds into them. Returns how many."""
        cur = self._db.execute("UPDATE outbox SET held=1, error=?, error_title=? WHERE seq<=?",
                               (message, title, upto))
        return int(cur.rowcount)

    @_locked
    def release_outbox(self, seq: int) -> None:
        """The user says: send it (a refused or held action, queued again)."""
        self._db.execute("UPDATE outbox SET held=0, error=NULL, error_title=NULL WHERE seq=?",
                         (seq,))

    @_locked
    def clear_outbox_error(self, seq: int, db: sqlite3.Connection | None = None) -> None:
        """The user fixed a refused action: it is queued again, its tries kept."""
        (db or self._db).execute("UPDATE outbox SET error=NULL, error_title=NULL "
                                 "WHERE seq=? AND held=0", (seq,))

    @_locked
    def set_outbox_action(self, seq: int, action: str,
                          db: sqlite3.Connection | None = None) -> None:
        """E.g. an unsent start that a stop folded into becomes a `create`."""
        (db or self._db).execute("UPDATE outbox SET action=? WHERE seq=?", (action, seq))

    @_reading
    def outbox_item(self, seq: int) -> OutboxItem | None:
        found = [i for i in self.outbox() if i.seq == seq]
        return found[0] if found else None

    @_locked
    def mark_tried(self, seq: int, when: datetime) -> OutboxItem | None:
        """Written before a non-idempotent request is sent (write-ahead). Returns the item as
        it is now (another thread may have folded a change into it), None if it is gone."""
        with self.transaction() as db:
            item = self.outbox_item(seq)
            if item is not None:
                db.execute("UPDATE outbox SET attempts = attempts + 1, tried_at=? WHERE seq=?",
                           (_ts(when), seq))
            return item

    @_locked
    def set_attempts(self, seq: int, attempts: int, tried_at: datetime | None) -> None:
        self._db.execute("UPDATE outbox SET attempts=?, tried_at=? WHERE seq=?",
                         (attempts, _ts(tried_at), seq))

    @_locked
    def update_outbox_payload(self, seq: int, payload: dict[str, Any],
                              db: sqlite3.Connection | None = None) -> None:
        (db or self._db).execute("UPDATE outbox SET payload=? WHERE seq=?",
                                 (json.dumps(payload), seq))

    # -- local ids ------------------------------------------------------------------------
    @_locked
    def map_id(self, service: str, local_id: str, server_id: str,
               db: sqlite3.Connection) -> None:
        db.execute("INSERT OR REPLACE INTO id_map VALUES (?,?,?)", (service, local_id, server_id))

    @_locked
    def server_id(self, service: str, entry_id: str) -> str | None:
        """The server id for a local id (itself when it already is a server id)."""
        if not entry_id.startswith(LOCAL_PREFIX):
            return entry_id
        row = self._db.execute("SELECT server_id FROM id_map WHERE service=? AND local_id=?",
                               (service, entry_id)).fetchone()
        return row["server_id"] if row else None

    @_locked
    def local_ids(self, service: str, server_id: str) -> list[str]:
        """The local ids an entry had before it reached the server (its aliases)."""
        rows = self._db.execute("SELECT local_id FROM id_map WHERE service=? AND server_id=?",
                                (service, server_id)).fetchall()
        return [r["local_id"] for r in rows]


LOCAL_PREFIX = "local-"


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


def _plain(path: str | None, said: str) -> str:
    """What sqlite or the system said, with the cause in plain words when the folder shows
    it ("disk I/O error" is how sqlite reports a full disk while growing its log)."""
    if path is None:
        return said
    folder = os.path.dirname(path) or "."
    try:
        if not os.access(folder, os.W_OK):
            return f"its folder is read-only ({said})"
        if hasattr(os, "statvfs"):
            space = os.statvfs(folder)
            if space.f_flag & os.ST_RDONLY:
                return f"the disk is read-only ({said})"
            if space.f_bavail == 0:
                return f"the disk is full ({said})"
    except OSError:
        pass
    return said
