"""The interface every sleep / shutdown / lock backend implements."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

# logind gives a delay lock at most InhibitDelayMaxSec (5 s by default); Windows about 2 s.
# Past this the lock is let go whatever happened: the machine must not be kept awake.
RELEASE_AT_THE_LATEST_MS = 4000


class SessionEvents(QObject):
    """`going(event)`: "sleep", "shutdown" or "lock" is about to happen (sleep and shutdown:
    the backend holds them back, where it can, until `release()`); `back(event)`: woken up,
    shutdown cancelled, unlocked. Signals arrive on the GUI thread."""

    going = Signal(str)
    back = Signal(str)
    name = "none"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = False
        # What does not work here (shown in Settings), or "" when everything does.
        self.reason = ""
        self.can_delay = False  # sleep and shutdown wait for `release()`
        self._latest = QTimer(self)
        self._latest.setSingleShot(True)
        self._latest.setInterval(RELEASE_AT_THE_LATEST_MS)
        self._latest.timeout.connect(self.release)

    def _going(self, event: str) -> None:
        if event in ("sleep", "shutdown"):
            self._latest.start()
        self.going.emit(event)

    def release(self) -> None:
        """The stop is on disk: let the machine sleep or shut down (safe to repeat)."""
        self._latest.stop()

    def close(self) -> None:
        """Let go of every connection and lock (safe to repeat)."""
        self.release()


class NullEvents(SessionEvents):
    """Nothing is told on this desktop; `reason` says why."""

    def __init__(self, reason: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reason = reason
