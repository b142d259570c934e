"""What to tell the user by notification, and when to stay quiet: each refused change once,
each lasting problem (key, connection) once until it changes, a failed action every time."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import errors as e
from ..core.models import Service
from ..sync.snapshot import Problem, Snapshot
from .actions import Request


@dataclass(frozen=True)
class Notice:
    title: str
    text: str
    # Told again, a notice of the same key replaces the one shown ("" : each its own).
    key: str = ""
    # Buttons where the desktop shows them: (label, the request it sends). The same choices
    # are in the tray menu, for desktops without buttons.
    actions: tuple[tuple[str, Request], ...] = ()


def refused_actions(problem: Problem) -> tuple[tuple[str, Request], ...]:
    """Try again and Discard, as the tray menu offers them for a refused change (the app
    asks before a discard: a discarded start is gone for good)."""
    where = {"service": problem.service.value} if problem.service else {}
    return (("Try again", Request("retry", {"seq": problem.seq, **where})),
            ("Discard…", Request("drop", {"seq": problem.seq, **where})))


class Notices:
    def __init__(self) -> None:
        self._told: set[int] = set()  # refused changes already notified (outbox seqs)
        self._lasting: dict[Service, type[e.TrackerError]] = {}  # the lasting problem told

    def after_snapshot(self, snapshot: Snapshot) -> list[Notice]:
        out: list[Notice] = []
        fresh = [p for p in snapshot.problems if p.seq not in self._told]
        if fresh:  # the menu offers retry and discard for each
            self._told.update(p.seq for p in fresh)
            first = fresh[0]
            out.append(Notice(f"Not saved: {first.title}",
                              f"“{first.description}”: {first.message} Open the menu to try "
                              "again or discard the change.",
                              key=f"refused-{first.seq}-{first.service}",
                              actions=refused_actions(first)))
        error = snapshot.error
        if error is None or error.transient:
            # Over, or it clears by itself (offline, throttled): the icon's badge says so.
            if error is None:
                self._lasting.pop(snapshot.service, None)
            return out
        if type(error) is not self._lasting.get(snapshot.service):
            self._lasting[snapshot.service] = type(error)
            out.append(Notice(error.title, error.text))
        return out

    def after_failure(self, error: e.TrackerError) -> Notice:
        """Something the user just asked for could not be done: always say so."""
        return Notice(error.title, error.text)
