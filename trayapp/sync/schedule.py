"""When to ask the server, so that a day of use stays far inside Toggl's free quota
(about 30 requests an hour): never poll blindly, look when the user looks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core import errors as e
from .snapshot import Snapshot

IDLE_INTERVAL = timedelta(minutes=15)  # 4 requests an hour while nobody touches the app
MENU_FRESH = timedelta(minutes=5)  # opening the menu re-checks at most this often
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=5)
LOW_QUOTA = 5  # requests left in the hour: slow down to keep them for the user's actions


@dataclass
class SyncPolicy:
    idle_interval: timedelta = IDLE_INTERVAL
    menu_fresh: timedelta = MENU_FRESH
    backoff: timedelta = FIRST_BACKOFF

    def worth_a_look(self, snapshot: Snapshot | None, now: datetime) -> bool:
        """The user looks (opens the menu, asks the running app something): is what we know
        old enough to ask the server first?"""
        if snapshot is None or snapshot.paused_until:
            return False
        if snapshot.error is not None and snapshot.error.needs_user:
            return False  # asking again changes nothing until the user acts
        last = snapshot.last_sync
        return last is None or now - last > self.menu_fresh

    def next_delay(self, snapshot: Snapshot, now: datetime) -> timedelta | None:
        """The wait before the next automatic sync after this result; None: do not retry
        by itself (a bad key or a missing connection needs the user, not another request)."""
        if snapshot.error is not None and snapshot.error.needs_user:
            return None
        if snapshot.paused_until:
            return max(timedelta(seconds=1), snapshot.paused_until - now + timedelta(seconds=1))
        if snapshot.error is not None and snapshot.error.transient:  # clears by itself
            delay = self.backoff
            self.backoff = min(self.backoff * 2, MAX_BACKOFF)
            if isinstance(snapshot.error, e.RateLimited):
                delay = max(delay, timedelta(seconds=snapshot.error.retry_in))
            return delay
        self.backoff = FIRST_BACKOFF
        left = snapshot.quota_remaining
        if left is not None and left <= LOW_QUOTA:
            return self.idle_interval * 2
        return self.idle_interval
