"""What the emulator is working on right now, so a test can wait for the server's final state.

A client that timed out has given up on its request, but the server may still be applying it
(the "delay" fault holds a request before committing it). A test that is about to look at the
server, or to move a fake clock past the time a client waits for such a request to land, first
waits until nothing is in flight: it then sees the state the server ends up in, every time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Activity"]


class Activity:
    """Requests in flight and requests held by a "delay" fault. Thread-safe."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._busy = 0
        self._held = 0
        self._hurrying = 0
        self._probes: list[Callable[[], bool]] = []

    @property
    def busy(self) -> int:
        """Requests received and not yet answered (or dropped)."""
        with self._changed:
            return self._busy

    @property
    def held(self) -> int:
        """Of those, the ones waiting in a "delay" fault."""
        with self._changed:
            return self._held

    def enter(self) -> None:
        with self._changed:
            self._busy += 1
            self._changed.notify_all()

    def leave(self) -> None:
        with self._changed:
            self._busy -= 1
            self._changed.notify_all()

    @contextmanager
    def request(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()

    def hold(self, seconds: float) -> None:
        """The "delay" fault: wait `seconds` (real time), or less if a test hurries it."""
        with self._changed:
            self._held += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: self._hurrying > 0, seconds)
            finally:
                self._held -= 1
                self._changed.notify_all()

    def watch(self, probe: Callable[[], bool]) -> None:
        """Also wait while `probe()` is true (a server: bytes of a request not read yet)."""
        with self._changed:
            self._probes.append(probe)

    def unwatch(self, probe: Callable[[], bool]) -> None:
        with self._changed:
            if probe in self._probes:
                self._probes.remove(probe)

    def wait_idle(self, timeout: float, *, hurry: bool = False) -> bool:
        """Wait until no request is in flight; False if that takes longer than `timeout`.

        hurry: meanwhile, requests held by a "delay" fault go on at once instead of waiting
        out their delay (for when no client waits for their answer any more, e.g. it timed
        out: finishing sooner is then all the difference)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            if hurry:
                self._hurrying += 1
                self._changed.notify_all()
        try:
            while True:
                with self._changed:
                    left = deadline - time.monotonic()
                    if not self._changed.wait_for(lambda: self._busy == 0, max(0.0, left)):
                        return False
                    probes = list(self._probes)
                # A request whose bytes arrived but are not read yet is in flight too.
                if not any(probe() for probe in probes):
                    with self._changed:
                        if self._busy == 0:
                            return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.002)
        finally:
            if hurry:
                with self._changed:
                    self._hurrying -= 1

    def wait_held(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until at least `count` requests are held by a "delay" fault."""
        with self._changed:
            return self._changed.wait_for(lambda: self._held >= count, timeout)
