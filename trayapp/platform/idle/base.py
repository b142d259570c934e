"""The interface every idle backend implements."""

from __future__ import annotations


class IdleSource:
    """Seconds since the last keyboard or mouse input of this user's session."""

    name = "none"

    def __init__(self) -> None:
        self.available = False
        # Why it does not work here (shown in Settings), or "" when it does.
        self.reason = ""

    def idle_seconds(self) -> float | None:
        """Seconds since the last input; None when it cannot be read now."""
        raise NotImplementedError

    def probe(self) -> None:
        """Ask once: available if an answer comes, else `reason` says why not."""
        try:
            value = self.idle_seconds()
        except Exception as exc:  # any failure of a first call means "not this backend"
            self.reason = self.reason or f"{self.name}: {exc}"
            return
        self.available = value is not None
        if not self.available and not self.reason:
            self.reason = f"{self.name} gave no idle time"

    def close(self) -> None:
        """Let go of any connection (safe to repeat)."""


class NullSource(IdleSource):
    """No idle time on this desktop; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def idle_seconds(self) -> float | None:
        return None
