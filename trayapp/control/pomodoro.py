"""Pomodoro: focus and break phases that follow the running timer. Qt-free and clock-free:
the app says what runs and what time it is (`Pomodoro.timer`, `Pomodoro.advance`), the
tests do too, with whatever times they like.

The rules (Toggl Desktop's Pomodoro, focus and break only: no long break):
- Switched on, a cycle runs while a timer runs: focus (25 minutes by default), break (5),
  focus, break... A cycle begins at the running entry's start, or when Pomodoro was switched
  on if that is later; so a cycle that the app was restarted in goes on where it was.
- Starting another entry while a cycle runs keeps the cycle (it is about the user's time,
  not one entry); stopping the timer ends it, and the next timer begins a new one.
- At each phase change the user is told ("Time for a break", "Break over"), once per change;
  a change missed while the machine slept is told once, about the phase it is now.
- Break entries (a setting, off by default): at a break the focus entry stops and a "Break"
  entry starts, both at the moment the break began; when the break ends, the Break entry
  stops and the focus entry goes on (the same description, project, task, tags, billable),
  again at that moment. If the user started something else during the break, that runs on.
  These are the same `stop` and `start` requests the command line sends (through the store,
  the outbox and the service like any other change); while they are applied, the timer
  seen stopped in between does not end the cycle (`switching`).
- Changing the lengths applies from the phase that runs now: it keeps its start.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..config import POMODORO_BREAK_DEFAULT, POMODORO_FOCUS_DEFAULT
from ..core.durations import format_timestamp
from ..core.models import EntryDraft, Service, TimeEntry
from .actions import Request
from .notices import Notice

BREAK_DESCRIPTION = "Break"
TOLERANCE = 1.0  # seconds: an entry started this close to a moment started at it


class Phase(enum.Enum):
    FOCUS = "focus"
    BREAK = "break"


@dataclass(frozen=True)
class Current:
    """The phase that runs: the `index`-th of the cycle (0: the first focus)."""

    phase: Phase
    index: int
    started: datetime
    ends: datetime

    @property
    def number(self) -> int:
        """Which focus (or the break after it), from 1."""
        return self.index // 2 + 1

    def left(self, now: datetime) -> int:
        """Whole seconds to the end, rounded up (0:01 until it is over)."""
        seconds = (self.ends - now).total_seconds()
        return max(0, int(seconds) + (seconds % 1 > 0))

    def progress(self, now: datetime) -> float:
        length = (self.ends - self.started).total_seconds()
        done = (now - self.started).total_seconds()
        return max(0.0, min(1.0, done / length)) if length > 0 else 1.0

    @property
    def title(self) -> str:
        return f"Focus {self.number}" if self.phase is Phase.FOCUS else "Break"


@dataclass(frozen=True)
class Change:
    """What a phase change does: what to tell, and the requests to send one after the other
    (each once the one before was applied)."""

    current: Current
    notice: Notice
    requests: list[Request] = field(default_factory=list)


@dataclass
class Pomodoro:
    focus_minutes: int = POMODORO_FOCUS_DEFAULT
    break_minutes: int = POMODORO_BREAK_DEFAULT
    break_entries: bool = False
    enabled: bool = False
    minute: float = 60.0  # seconds in a minute (a test on a real desktop may shorten it)
    switching: bool = False  # our own stop/start requests are being applied
    _anchor: datetime | None = field(default=None, repr=False)  # a phase's start...
    _anchor_index: int = field(default=0, repr=False)  # ...and which phase it is
    _told: int = field(default=-1, repr=False)  # the phase last told (and acted on)
    _on_since: datetime | None = field(default=None, repr=False)  # switched on (this run)
    _focus: EntryDraft | None = field(default=None, repr=False)  # to go on after a break
    _break_start: datetime | None = field(default=None, repr=False)  # of our Break entry

    # -- settings ---------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """A cycle runs (on, with a timer)."""
        return self._anchor is not None

    def length(self, index: int) -> float:
        """Seconds of the `index`-th phase."""
        minutes = self.focus_minutes if index % 2 == 0 else self.break_minutes
        return max(1, minutes) * self.minute

    def switch(self, on: bool, now: datetime, running: TimeEntry | None) -> None:
        """Pomodoro switched on or off (the tray's toggle); `running`: the timer, if any."""
        if on == self.enabled:
            return
        self.enabled = on
        self._end()
        self._on_since = now if on else None
        if on:
            self.timer(now, running)

    def set_lengths(self, focus: int, brk: int, now: datetime) -> None:
        """New lengths (minutes), from the phase that runs now (it keeps its start)."""
        current = self.current(now)
        self.focus_minutes, self.break_minutes = focus, brk
        if current is not None:
            self._anchor, self._anchor_index = current.started, current.index

    # -- the timer --------------------------------------------------------------------------------
    def timer(self, now: datetime, running: TimeEntry | None) -> None:
        """What runs now (a new snapshot): a timer begins a cycle, none ends it."""
        if not self.enabled or self.switching:
            return
        if running is None:
            self._end()
        elif self._anchor is None:
            begin = running.start if self._on_since is None else max(running.start,
                                                                      self._on_since)
            self._anchor, self._anchor_index = min(begin, now), 0
            current = self.current(now)
            self._told = current.index if current is not None else 0  # nothing to tell yet

    def _end(self) -> None:
        self._anchor, self._anchor_index, self._told = None, 0, -1
        self._focus = self._break_start = None

    def current(self, now: datetime) -> Current | None:
        """The phase at `now`, or None when no cycle runs."""
        if self._anchor is None:
            return None
        index, start = self._anchor_index, self._anchor
        elapsed = (now - start).total_seconds()
        pair = self.length(index) + self.length(index + 1)
        if elapsed >= pair:  # whole focus + break pairs at once (a night asleep)
            whole = int(elapsed // pair)
            index += 2 * whole
            start += timedelta(seconds=whole * pair)
        while (now - start).total_seconds() >= self.length(index):
            start += timedelta(seconds=self.length(index))
            index += 1
        ends = start + timedelta(seconds=self.length(index))
        return Current(Phase.FOCUS if index % 2 == 0 else Phase.BREAK, index, start, ends)

    def next_change(self, now: datetime) -> float | None:
        """Seconds until the next phase change (None: no cycle runs)."""
        current = self.current(now)
        if current is None:
            return None
        return max(0.0, (current.ends - now).total_seconds())

    def advance(self, now: datetime, running: TimeEntry | None,
                service: Service | None = None) -> Change | None:
        """The phase change due at `now`, once (None when the phase was told already).
        `running`: the timer that runs now; `service`: where (for the requests)."""
        current = self.current(now)
        if current is None or current.index == self._told:
            return None
        before = Phase.FOCUS if self._told % 2 == 0 else Phase.BREAK
        self._told = current.index
        notice = self._notice(current, running)  # (before the focus entry is forgotten)
        requests: list[Request] = []
        if self.break_entries and running is not None and current.phase is not before:
            requests = self._entries(current, running, service)
        return Change(current, notice, requests)

    def _entries(self, current: Current, running: TimeEntry,
                 service: Service | None) -> list[Request]:
        where: dict[str, Any] = {"service": service.value} if service else {}
        at = max(current.started, running.start)
        moment = format_timestamp(at)
        stop = Request("stop", {"at": moment, **where})
        if current.phase is Phase.BREAK:
            self._focus = EntryDraft.from_entry(running)
            self._break_start = at
            return [stop, Request("start", {"at": moment, **where},
                                  draft=EntryDraft(BREAK_DESCRIPTION))]
        focus, ours = self._focus, self._break_start
        self._focus = self._break_start = None
        if focus is None or ours is None or running.description != BREAK_DESCRIPTION or \
                abs((running.start - ours).total_seconds()) > TOLERANCE:
            return []  # the user started something else during the break: it runs on
        return [stop, Request("start", {"at": moment, **where}, draft=focus)]

    def _notice(self, current: Current, running: TimeEntry | None) -> Notice:
        back = current.ends.astimezone().strftime("%H:%M")
        if current.phase is Phase.BREAK:
            minutes = round(self.length(current.index) / self.minute)
            return Notice("Time for a break",
                          f"Focus {current.number} is done. Take {minutes} min: back at {back}.")
        what = ""
        if self._focus is not None:
            what = f" on “{self._focus.description}”" if self._focus.description else ""
        elif running is not None and running.description:
            what = f" on “{running.description}”"
        return Notice("Break over", f"Focus {current.number}{what} until {back}.")


def countdown(seconds: int) -> str:
    """24:59, or 1:02:03 past an hour."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def menu_line(current: Current, now: datetime) -> str:
    """"Focus 2 · 12:34 left (break at 14:05)" for the menu."""
    after = "break" if current.phase is Phase.FOCUS else "focus"
    at = current.ends.astimezone().strftime("%H:%M")
    return f"{current.title} · {countdown(current.left(now))} left ({after} at {at})"


def tooltip_part(current: Current, now: datetime) -> str:
    return f"{current.title} {countdown(current.left(now))} left"
