"""Helpers for tests that drive the emulator: a controllable clock.

Kept in the package (not in a conftest) so any test module can import it.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["DEFAULT_NOW", "FakeClock"]

# A Monday noon, so the seeded "7 days before today" holds a full Mon-Fri week.
DEFAULT_NOW = datetime(2024, 12, 16, 12, 0, 0, tzinfo=UTC).timestamp()


class FakeClock:
    """A clock that only moves when told to; pass it as `Emulator(clock=...)`."""

    def __init__(self, now: float = DEFAULT_NOW) -> None:
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now

    def utcnow(self) -> datetime:
        """The same instant as an aware datetime, for code whose clock returns one."""
        return datetime.fromtimestamp(self.now, UTC)
