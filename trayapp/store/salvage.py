"""What a damaged store still holds of the changes not yet sent: the outbox, the local ids the
server already knows (id_map) and the entries those changes act on. Read table by table and,
where a scan meets a damaged page, row by row, skipping what cannot be read. The rest of the
file is a cache that the server gives again."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.durations import parse_timestamp
from ..core.models import TimeEntry
from .db import LOCAL_PREFIX, Store, _entry_from

#: Looking rows up one by one stops after this long: a best effort, not a hang.
PROBE_SECONDS = 2.0

OUTBOX_COLUMNS = ("seq", "service", "action", "entry_id", "payload", "created", "attempts",
                  "tried_at", "error", "error_title", "held")

Row = dict[str, Any]


@dataclass
class Unsent:
    outbox: list[Row] = field(default_factory=list)  # valid rows, by seq
    id_map: list[tuple[str, str, str]] = field(default_factory=list)
    entries: list[tuple[str, TimeEntry]] = field(default_factory=list)
    complete: bool = False  # the whole outbox was read, every row of it valid


def read_unsent(path: str, wait: float = 5.0) -> Unsent:
    """Whatever of the unsent changes can be read from the file at `path`, without writing
    to it (sqlite may add its shared-memory file beside it)."""
    try:
        db = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro", uri=True,
                             timeout=wait)
    except sqlite3.Error:
        return Unsent()
    try:
        db.row_factory = sqlite3.Row
        deadline = time.monotonic() + PROBE_SECONDS
        rows, complete = _rows(db, "outbox", deadline)
        outbox = sorted((r for r in map(_outbox_row, rows) if r is not None),
                        key=lambda r: r["seq"])
        id_map, _ = _rows(db, "id_map", deadline)
        mapped = [(r["service"], r["local_id"], r["server_id"]) for r in id_map
                  if all(isinstance(r.get(k), str) for k in ("service", "local_id", "server_id"))]
        return Unsent(outbox, mapped, _entries(db, outbox, mapped),
                      complete=complete and len(outbox) == len(rows))
    finally:
        db.close()


def carry_over(unsent: Unsent, store: Store) -> int:
    """Write what was read into a new store, in one transaction; how many changes."""
    with store.transaction() as db:
        db.executemany(
            f"INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(OUTBOX_COLUMNS))})",
            [tuple(row[c] for c in OUTBOX_COLUMNS) for row in unsent.outbox])
        for service, local_id, server_id in unsent.id_map:
            store.map_id(service, local_id, server_id, db)
        for service, entry in unsent.entries:
            store.put_entries(service, [entry], db)
    return len(unsent.outbox)


def _rows(db: sqlite3.Connection, table: str, deadline: float) -> tuple[list[Row], bool]:
    """Every row of `table` that can be read, and whether that is all of them. A scan stops
    at the first damaged page; then each row is looked up by its rowid, up to the highest
    one the file still shows, skipping those that cannot be read."""
    try:
        return [dict(zip(r.keys(), r, strict=True)) for r in db.execute(
            f"SELECT * FROM {table}")], True
    except sqlite3.DatabaseError:
        pass
    top = 0
    for sql in (f"SELECT max(rowid) FROM {table}",
                "SELECT seq FROM sqlite_sequence WHERE name=?"):
        try:
            found = db.execute(sql, (table,) if "?" in sql else ()).fetchone()
        except sqlite3.DatabaseError:
            continue
        top = max(top, int(found[0] or 0) if found else 0)
    rows: list[Row] = []
    for rowid in range(1, top + 1):
        if time.monotonic() > deadline:
            break
        try:
            row = db.execute(f"SELECT * FROM {table} WHERE rowid=?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            rows.append(dict(zip(row.keys(), row, strict=True)))
    return rows, False


def _outbox_row(row: Row) -> Row | None:
    """The row as the outbox holds it, or None when it makes no sense any more."""
    out = {"attempts": 0, "tried_at": None, "error": None, "error_title": None, "held": 0,
           **row}
    try:
        texts = all(isinstance(out[k], str) for k in ("service", "action", "entry_id"))
        numbers = all(isinstance(out[k], int) for k in ("seq", "attempts", "held"))
        notes = all(out[k] is None or isinstance(out[k], str) for k in ("error", "error_title"))
        if not (texts and numbers and notes and isinstance(json.loads(out["payload"]), dict)):
            return None
        parse_timestamp(out["created"])
        if out["tried_at"] is not None:
            parse_timestamp(out["tried_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return out


def _entries(db: sqlite3.Connection, outbox: list[Row],
             id_map: list[tuple[str, str, str]]) -> list[tuple[str, TimeEntry]]:
    """The entries the unsent changes act on (by their local id and by their server id),
    and any made here and not yet confirmed: looked up one by one."""
    servers = {(s, local): server for s, local, server in id_map}
    wanted = {(r["service"], r["entry_id"]) for r in outbox}
    wanted |= {(s, servers[(s, i)]) for s, i in list(wanted) if (s, i) in servers}
    try:
        wanted |= {(r[0], r[1]) for r in db.execute(
            "SELECT service, id FROM entries WHERE id LIKE ?", (LOCAL_PREFIX + "%",))}
    except sqlite3.DatabaseError:
        pass  # those the outbox names are looked up all the same
    found: list[tuple[str, TimeEntry]] = []
    for service, entry_id in sorted(wanted):
        try:
            row = db.execute("SELECT * FROM entries WHERE service=? AND id=?",
                             (service, entry_id)).fetchone()
            if row is not None:
                found.append((service, _entry_from(row)))
        except (sqlite3.DatabaseError, KeyError, TypeError, ValueError):
            continue
    return found
