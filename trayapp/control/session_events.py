"""Sleep, shutdown and the screen lock while a timer runs: what each does, as the user chose
(config `on_sleep`, `on_shutdown`, `on_lock`). Qt-free; the clock is injected.

- "nothing": the timer runs on (idle detection still works as usual).
- "stop": the timer stops at the moment of the event (sleep and shutdown: before the machine
  goes, with the stop on disk first; the service hears of it when the network is back).
- "ask": the time away is idle time: on return the idle question is raised for the spell from
  the event to the return, and its answers apply at those times, however late they come.
  Not for shutdown: trayapp is not running when the user comes back.

The user is back only when nothing keeps them away: locked, then asleep, then woken up on the
lock screen is one spell, from the lock to the unlock. A spell shorter than the idle threshold
asks nothing (the same rule as idle: a minute at the coffee machine is work time); with idle
detection off any spell asks. A timer stopped or replaced meanwhile asks nothing either.

Why these defaults (config.py): sleep and lock ask, as Toggl Desktop treats both as idle time
(src/idle.cc: a locked screen counts as idle; a sleeping machine was away, toggldesktop
#2405, #2822) and an answer loses nothing; shutdown stops, as nobody is there to answer and a
timer left running on the service grows through the night ("stop on shutdown" was asked for
in toggldesktop #1606, #2253).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..core.models import Service, TimeEntry
from .idle import IdleSpell, same_entry


class Event(enum.Enum):
    SLEEP = "sleep"
    SHUTDOWN = "shutdown"
    LOCK = "lock"


class Choice(enum.Enum):
    NOTHING = "nothing"
    STOP = "stop"
    ASK = "ask"


LABELS = {Choice.NOTHING: "Do nothing", Choice.STOP: "Stop the timer",
          Choice.ASK: "Treat as idle time and ask on return"}
EVENT_LABELS = {Event.SLEEP: "When the computer &sleeps:",
                Event.SHUTDOWN: "When it &shuts down:",
                Event.LOCK: "When the screen &locks:"}


@dataclass(frozen=True)
class Stop:
    """Stop the running timer at `at` (on `service`)."""

    at: datetime
    service: Service | None
    event: Event


class AwayRules:
    """What to do when the user goes (`left`) and comes back (`back`). `choice(event)`: the
    user's setting; `threshold()`: seconds of the idle threshold (0: idle detection off)."""

    def __init__(self, choice: Callable[[Event], Choice], threshold: Callable[[], float],
                 clock: Callable[[], datetime]) -> None:
        self.choice = choice
        self.threshold = threshold
        self.clock = clock
        self.away: set[Event] = set()  # what keeps the user away now
        self.since: datetime | None = None  # away since then, with `entry` running
        self.entry: TimeEntry | None = None
        self.service: Service | None = None

    def left(self, event: Event, running: TimeEntry | None,
             service: Service | None = None) -> Stop | None:
        """`event` is about to happen (or just did): a Stop to carry out now, or None."""
        now = self.clock()
        choice = self.choice(event)
        if running is None or choice is Choice.NOTHING:
            return None
        if choice is Choice.STOP:
            return Stop(now, service, event)
        self.away.add(event)
        if self.since is None:  # already away (locked, now asleep): the earliest counts
            self.since, self.entry, self.service = now, running, service
        return None

    def back(self, event: Event, running: TimeEntry | None) -> IdleSpell | None:
        """`event` is over (woken up, unlocked, shutdown cancelled): the spell to ask about,
        once nothing else keeps the user away."""
        if event not in self.away:
            return None
        self.away.discard(event)
        if self.away:
            return None  # woken up, but the screen is still locked: not back yet
        since, entry, service = self.since, self.entry, self.service
        self.since, self.entry, self.service = None, None, None
        if since is None or entry is None or running is None or \
                not same_entry(running, entry):
            return None  # stopped or replaced meanwhile: nothing to ask about
        now = self.clock()
        if (now - since).total_seconds() < max(1.0, self.threshold()):
            return None
        return IdleSpell(since, now, entry, service)

    def forget(self) -> None:
        """The timer stopped: nothing to ask about on return."""
        self.since, self.entry, self.service = None, None, None
        self.away.clear()
