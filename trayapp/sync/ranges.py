"""Which time ranges of entries the cache holds completely, and as of when: what lets the
timesheet open a day or a week without a request when the cache is fresh.

Kept in the store's meta (one JSON list per service), dropped with the rest of the cache when
the account or workspace changes. A range counts as known when one record covers it whole.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core.durations import format_timestamp, parse_timestamp
from ..store.db import Store
from .schedule import MENU_FRESH

#: A range loaded this recently is not asked again (the same wait as the menu's re-check).
FRESH_FOR = MENU_FRESH
MAX_RECORDS = 24  # a year of weeks would be absurd to keep; the newest ones matter


@dataclass(frozen=True)
class Loaded:
    start: datetime
    end: datetime
    at: datetime  # when the server last said what is in it
    window: bool = False  # the sync's own range (moves with every sync)

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


class Ranges:
    def __init__(self, store: Store, key: str) -> None:
        self.store, self.key = store, key

    def read(self) -> list[Loaded]:
        try:
            raw = json.loads(self.store.meta(self.key) or "[]")
            return [Loaded(parse_timestamp(r["start"]), parse_timestamp(r["end"]),
                           parse_timestamp(r["at"]), bool(r.get("window"))) for r in raw]
        except (ValueError, TypeError, KeyError):
            return []  # damaged: the ranges are simply asked again

    def _write(self, records: list[Loaded], db: sqlite3.Connection) -> None:
        records = sorted(records, key=lambda r: r.at, reverse=True)[:MAX_RECORDS]
        data = [{"start": format_timestamp(r.start), "end": format_timestamp(r.end),
                 "at": format_timestamp(r.at), "window": r.window} for r in records]
        self.store.set_meta(self.key, json.dumps(data), db)

    def add(self, start: datetime, end: datetime, at: datetime, db: sqlite3.Connection,
            window: bool = False) -> None:
        """[start, end) is now exactly what the server has, as of `at`."""
        kept = [r for r in self.read() if not (window and r.window)
                and not (start <= r.start and r.end <= end)]
        self._write([*kept, Loaded(start, end, at, window)], db)

    def touch(self, at: datetime, db: sqlite3.Connection, reach: datetime) -> None:
        """An incremental sync (every change since the last one, of any date) brought every
        recorded range up to date; the sync's own range now reaches `reach`."""
        self._write([Loaded(r.start, max(r.end, reach) if r.window else r.end, at, r.window)
                     for r in self.read()], db)

    def clear(self, db: sqlite3.Connection) -> None:
        self.store.set_meta(self.key, None, db)

    def known(self, start: datetime, end: datetime) -> Loaded | None:
        """The record that covers [start, end), the most recently asked one."""
        found = [r for r in self.read() if r.covers(start, end)]
        return max(found, key=lambda r: r.at) if found else None

    def fresh(self, start: datetime, end: datetime, now: datetime,
              within: timedelta = FRESH_FOR) -> bool:
        found = self.known(start, end)
        return found is not None and now - found.at < within
