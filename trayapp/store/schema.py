"""The store's tables and their history: how a file of any older version becomes current.

Why versioned: the file outlives the program. An update must carry the cache and, above all,
the outbox of unsent changes along; an older trayapp must never write into a newer file."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from typing import Any

from ..core.errors import LocalDataError

# sqlite's primary result codes for a file that is not a database, or is damaged.
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26


class DamagedStore(LocalDataError):
    """The file is not a database, or pages of it are damaged. It is a cache: it can be kept
    aside and made again from the server (store/rebuild.py), carrying over what it still has
    of the changes not yet sent."""

    hint = ("trayapp keeps the file aside and makes a new one from the server the next time "
            "it opens it; changes not yet sent are carried over when they can be read.")
    reason = ""  # what sqlite said, for the notice that the file was made again

    @classmethod
    def found(cls, path: str, reason: str) -> DamagedStore:
        error = cls(f"{path} is damaged or is not a trayapp database ({reason}).")
        error.reason = reason
        return error


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether sqlite says the file itself is broken (not busy, read-only or full)."""
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (SQLITE_CORRUPT, SQLITE_NOTADB)


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    service TEXT NOT NULL, id TEXT NOT NULL, workspace_id TEXT NOT NULL,
    start TEXT NOT NULL, stop TEXT, description TEXT NOT NULL DEFAULT '',
    project_id TEXT, task_id TEXT, tag_ids TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]', billable INTEGER NOT NULL DEFAULT 0,
    user_id TEXT, PRIMARY KEY (service, id));
CREATE INDEX IF NOT EXISTS entries_start ON entries (service, start);
CREATE TABLE IF NOT EXISTS catalog (
    service TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    parent_id TEXT, PRIMARY KEY (service, kind, id));
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, service TEXT NOT NULL, action TEXT NOT NULL,
    entry_id TEXT NOT NULL, payload TEXT NOT NULL, created TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, tried_at TEXT, error TEXT, error_title TEXT,
    held INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS id_map (
    service TEXT NOT NULL, local_id TEXT NOT NULL, server_id TEXT NOT NULL,
    PRIMARY KEY (service, local_id));
"""


def _json_field(text: str, key: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value.get(key) if isinstance(value, dict) else None


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """catalog.parent_id (a task's project): a project's tasks are found by a column, not by
    a LIKE over the JSON text."""
    db.execute("ALTER TABLE catalog ADD COLUMN parent_id TEXT")
    rows = db.execute("SELECT service, id, data FROM catalog WHERE kind='task'").fetchall()
    db.executemany("UPDATE catalog SET parent_id=? WHERE service=? AND kind='task' AND id=?",
                   [(_json_field(data, "project_id"), service, id_) for service, id_, data in rows])


def _v2_to_v3(db: sqlite3.Connection) -> None:
    """outbox.held: changes made with another Maton key wait for the user, apart from the
    ones the service refused (fixing an entry must not send a held change along)."""
    db.execute("ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0")


#: UPGRADES[n] turns a version n+1 file into version n+2. Append only; never edit a step
#: that has shipped (files out there went through it as it was).
UPGRADES: list[Callable[[sqlite3.Connection], None]] = [_v1_to_v2, _v2_to_v3]
SCHEMA_VERSION = len(UPGRADES) + 1


def open_store(path: str, wait: float = 5.0) -> sqlite3.Connection:
    """A connection to the store at `path` (or ":memory:") at SCHEMA_VERSION: created when
    new, upgraded when older (after a backup beside it). `wait`: seconds to wait for another
    program that holds the file. Raises LocalDataError, leaving the
    file as it was, when it is newer than this code, and DamagedStore when it is not a
    database or has a damaged page."""
    db = sqlite3.connect(path, timeout=wait, check_same_thread=False, isolation_level=None)
    db.row_factory = sqlite3.Row
    try:
        _prepare(db, path)
    except BaseException:
        db.close()
        raise
    return db


def _prepare(db: sqlite3.Connection, path: str) -> None:
    try:
        found = _version(db)  # reads only: a file we must not use stays byte-identical
        if found > SCHEMA_VERSION:
            raise LocalDataError.newer(path, found, SCHEMA_VERSION)
        _check_pages(db, path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # an acknowledged action survives power loss
        if found != SCHEMA_VERSION:
            _migrate(db, path)
    except sqlite3.Error as exc:
        if is_damage(exc):  # "file is not a database", "database disk image is malformed"
            raise DamagedStore.found(path, str(exc)) from exc
        raise  # locked, read-only, disk full: about the place, not the data in it
    except ValueError as exc:  # a schema version that is not a number
        raise DamagedStore.found(path, str(exc)) from exc


def _check_pages(db: sqlite3.Connection, path: str) -> None:
    """Every page of the file is read once (a few milliseconds for a cache of this size): a
    damaged page is found now, while the whole file can still be kept aside, instead of in
    the middle of an action."""
    problem = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if problem != "ok":  # e.g. "*** in database main ***\nPage 4: btreeInitPage() ..."
        detail = " ".join(line for line in problem.splitlines() if not line.startswith("*"))
        raise DamagedStore.found(path, f"a damaged page: {detail}")


def _version(db: sqlite3.Connection) -> int:
    """The file's schema version; 0 for a new, empty file."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" in tables:
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is not None:
            return int(row[0])
    # Version 1 made its tables before writing its version: a first run cut short in between.
    return 1 if "catalog" in tables else 0


def _migrate(db: sqlite3.Connection, path: str) -> None:
    """Create or upgrade in one transaction: a crash or an error leaves the file as it was.
    The write lock is held throughout, so of two processes opening an old file at once, one
    upgrades it and the other then finds it current."""
    db.execute("BEGIN IMMEDIATE")
    try:
        found = _version(db)
        if found > SCHEMA_VERSION:
            raise LocalDataError.newer(path, found, SCHEMA_VERSION)
        if 0 < found < SCHEMA_VERSION:
            if path != ":memory:":
                _backup(path, f"{path}.v{found}.bak")
            for step in UPGRADES[found - 1:]:
                step(db)
        # A new file's tables, or any that a first run cut short never made.
        for statement in SCHEMA.split(";"):
            db.execute(statement)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
    except BaseException:
        if db.in_transaction:  # sqlite ends it by itself after some errors (disk full)
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _backup(path: str, target: str) -> None:
    """A consistent copy of the file (WAL included) for going back by hand, made while the
    caller holds the write lock: exactly the version about to be upgraded. Read through a
    second connection (sqlite refuses to back up from one with a write transaction open);
    written aside and renamed, so a crash never leaves half a backup under the real name."""
    partial = f"{target}.partial"
    if os.path.lexists(partial):  # left by a crash (a link is removed, never followed)
        os.remove(partial)
    # Private, as the store; O_EXCL: made here, not anything put in its place meanwhile.
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    source, copy = sqlite3.connect(path), sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
