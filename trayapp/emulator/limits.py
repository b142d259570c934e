"""Rate limits and quotas, all driven by the emulator's clock so tests can move time."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

__all__ = ["HourlyQuota", "PerSecondLimit", "QuotaState"]


class PerSecondLimit:
    """At most `limit` accepted requests in any sliding 1-second window, per key.

    Rejected requests are not counted, so a client that backs off for a second recovers.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str, now: float) -> bool:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - 1.0:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


@dataclass
class QuotaState:
    allowed: bool
    remaining: int
    resets_in: int  # whole seconds until the window ends


class HourlyQuota:
    """Toggl's hourly quota: a 60-minute window opened by the first request, per bucket.

    Toggl calls it "sliding" but describes it as counted from the first request, so the window
    starts at the first request after the previous one expired and resets entirely at its end.
    """

    WINDOW = 3600.0

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._windows: dict[str, tuple[float, int]] = {}  # bucket -> (window start, used)

    def _current(self, bucket: str, now: float) -> tuple[float, int]:
        start, used = self._windows.get(bucket, (now, 0))
        if now >= start + self.WINDOW:
            start, used = now, 0
        return start, used

    def consume(self, bucket: str, now: float) -> QuotaState:
        start, used = self._current(bucket, now)
        resets_in = max(0, math.ceil(start + self.WINDOW - now))
        if used >= self.limit:
            self._windows[bucket] = (start, used)
            return QuotaState(False, 0, resets_in)
        used += 1
        self._windows[bucket] = (start, used)
        return QuotaState(True, self.limit - used, resets_in)

    def peek(self, bucket: str, now: float) -> QuotaState:
        start, used = self._current(bucket, now)
        resets_in = max(0, math.ceil(start + self.WINDOW - now))
        return QuotaState(used < self.limit, max(0, self.limit - used), resets_in)
