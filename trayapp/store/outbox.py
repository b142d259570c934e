"""The outbox: the user's changes, each kept until the service has it (one row each, in
order), and the map from the ids given here to the ones the service gave. Part of Store
(store/db.py); a mixin only to keep one job per module."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.durations import parse_timestamp
from .guard import locked as _locked
from .guard import reading as _reading

if TYPE_CHECKING:
    import threading
    from contextlib import AbstractContextManager


LOCAL_PREFIX = "local-"  # the ids of what was made here and not yet numbered by the service


def new_local_id() -> str:
    """An id for something made here (128 random bits; not uuid, which imports `platform`)."""
    return LOCAL_PREFIX + os.urandom(16).hex()


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


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


class OutboxMixin:
    if TYPE_CHECKING:
        path: str | None
        _db: sqlite3.Connection
        _lock: threading.RLock

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    # -- the queue ---------------------------------------------------------------------------
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

