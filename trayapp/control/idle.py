"""Idle time: when the user was away while a timer ran, and what each answer to the idle
question does. Qt-free and clock-free: the app feeds readings (`IdleWatcher.sample`), the
tests feed them too, with whatever times they like.

The rules (Toggl Desktop's, src/idle.cc, with its known bugs designed out):
- A reading is the seconds since the last keyboard or mouse input. Once it reaches the
  threshold (5 minutes by default; 0 turns idle detection off), the user has been idle since
  `now - idle_seconds`: the time of the last input, not the time the threshold was crossed.
- The user is back when a reading shows input after that moment. The spell ran from the idle
  start to the first input seen (`now - idle_seconds` of that reading: at most one poll late).
- A question is raised only if a timer ran through the whole spell (started before it began
  and still running when the user came back). It stays until answered; while it waits no
  other question is raised, and an answer given later still applies to the spell's times.
- The machine asleep (suspend) is idle too: when a reading comes much later than it was due,
  the user is taken to have been away since the reading before (toggldesktop #2405, #2822:
  "idle shorter than the real absence after sleep").
- Readings are cheap but not free: while the user is active the next one is due when the
  threshold could first be reached (so a working user costs one reading every few minutes),
  while idle every POLL_WHILE_IDLE seconds (to notice the return), and none at all while no
  timer runs or a question waits (issue 14 counts wake-ups).

The four answers, each made of the control Requests the command line also uses (so they go
through the store, the outbox and the service like any other change):
- Keep: nothing changes.
- Discard the idle time: the entry stops at the idle start.
- Discard and continue: the entry stops at the idle start, and the same entry (description,
  project, task, tags, billable) starts again at the moment the user came back, so the work
  done since is kept even when the answer comes later.
- Add the idle time as a new entry: the entry stops at the idle start, the idle time becomes
  an entry of its own (idle start to return; a description can be given, read like quick
  start's: `Lunch @Project #tag`), and the same entry runs on from the return. Toggl Desktop
  instead started an empty running entry at the idle start and opened its editor; here the
  timer goes on with what the user was doing, and the idle time is a finished entry to name
  now or later in the timesheet (toggldesktop #2253: "assign idle to another task, then
  resume").
If the timer was stopped after the return and before the answer, Discard still moves its
stop to the idle start, and the other two are done with a split at the return (the entry
ends there, its copy runs to the stop the user gave) followed by the same changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..config import IDLE_MINUTES_DEFAULT as DEFAULT_MINUTES
from ..core.durations import format_timestamp
from ..core.models import EntryDraft, Service, TimeEntry
from .actions import Request

POLL_WHILE_IDLE = 15.0  # seconds between readings once idle: the return is seen this late
POLL_MIN = 10.0  # never sooner than this while active...
POLL_MAX = 300.0  # ...nor later than this
LATE = 90.0  # a reading this much later than due: the machine slept (or was stopped)
TOLERANCE = 2.0  # seconds of jitter between a clock and the idle counter


@dataclass(frozen=True)
class IdleSpell:
    """Away from `started` to `ended` while `entry` ran (on `service`)."""

    started: datetime
    ended: datetime
    entry: TimeEntry
    service: Service | None = None

    @property
    def seconds(self) -> int:
        return int((self.ended - self.started).total_seconds())

    def text(self, project: str | None = None) -> str:
        """"You were idle from 12:05 to 12:40 (35 min) while tracking “X”"."""
        first, last = (t.astimezone().strftime("%H:%M") for t in (self.started, self.ended))
        what = self.entry.description or project or "(no description)"
        return (f"You were idle from {first} to {last} ({minutes_text(self.seconds)}) while "
                f"tracking “{what}”.")


def minutes_text(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@dataclass
class IdleWatcher:
    """The state between readings. `sample()` answers a spell once the user is back from
    one that a running timer went through; `next_poll()` says when to read again."""

    minutes: int = DEFAULT_MINUTES
    sleep_is_idle: bool = True
    minute: float = 60.0  # seconds in a minute (a test on a real desktop shortens it)
    idle_since: datetime | None = None  # idle (past the threshold) since then
    pending: IdleSpell | None = None  # the question that waits for an answer
    _last_at: datetime | None = field(default=None, repr=False)
    _last_idle: float = field(default=0.0, repr=False)
    _due: datetime | None = field(default=None, repr=False)

    @property
    def threshold(self) -> float:
        return self.minutes * self.minute

    @property
    def enabled(self) -> bool:
        return self.minutes > 0

    def set_minutes(self, minutes: int) -> None:
        if minutes != self.minutes:
            self.minutes = minutes
            self.reset()

    def reset(self) -> None:
        """Forget the readings (a timer stopped, the threshold changed); a question that
        waits stays."""
        self.idle_since, self._last_at, self._due = None, None, None

    def answered(self) -> None:
        self.pending = None
        self.reset()

    def sample(self, now: datetime, idle_seconds: float | None, running: TimeEntry | None,
               service: Service | None = None) -> IdleSpell | None:
        """One reading at `now` (aware); `running`: the timer that runs now, if any. Returns
        the spell to ask about when this reading shows the user back from one."""
        if not self.enabled or idle_seconds is None or running is None or self.pending:
            self.reset()
            return None
        idle_seconds = max(0.0, idle_seconds)
        last_input = now - timedelta(seconds=idle_seconds)
        slept_since: datetime | None = None
        if self.sleep_is_idle and self._last_at is not None and self._due is not None \
                and (now - self._due).total_seconds() > LATE:
            # No reading for much longer than planned: the machine was asleep from just
            # after the last reading; idle since the last input known then.
            slept_since = self._last_at - timedelta(seconds=self._last_idle)
        self._last_at, self._last_idle = now, idle_seconds
        since = self.idle_since
        if since is None and slept_since is not None and \
                (last_input - slept_since).total_seconds() >= self.threshold:
            since = slept_since
        if since is None:
            if idle_seconds >= self.threshold:
                self.idle_since = last_input
            return None
        if (last_input - since).total_seconds() <= TOLERANCE:
            self.idle_since = since  # still away
            return None
        # Input after the idle start: back, at the last input seen (at most a poll late).
        back = last_input
        self.idle_since = last_input if idle_seconds >= self.threshold else None
        if running.start > since + timedelta(seconds=TOLERANCE) or \
                (back - since).total_seconds() < self.threshold:
            return None  # the timer started during the spell: nothing of it was idle
        self.pending = IdleSpell(since, back, running, service)
        return self.pending

    def next_poll(self, idle_seconds: float | None, now: datetime | None = None) -> float | None:
        """Seconds until the next reading, or None for none (off, or a question waits).
        `now`: when this is asked, to notice a late next reading (sleep)."""
        if not self.enabled or self.pending is not None:
            return None
        if self.idle_since is not None:
            delay = POLL_WHILE_IDLE
        else:
            # The earliest the threshold can be reached, a little after it.
            left = self.threshold - (idle_seconds or 0.0) + 1.0
            delay = min(POLL_MAX, max(POLL_MIN, left))
        if now is not None:
            self._due = now + timedelta(seconds=delay)
        return delay


# -- the answers ------------------------------------------------------------------------------

class Answer(enum.Enum):
    KEEP = "keep"
    DISCARD = "discard"
    DISCARD_CONTINUE = "discard_continue"
    ADD = "add"


LABELS = {
    Answer.KEEP: "&Keep the idle time",
    Answer.DISCARD: "&Discard the idle time",
    Answer.DISCARD_CONTINUE: "Discard and &continue",
    Answer.ADD: "&Add as a new entry",
}


def same_entry(a: TimeEntry, b: TimeEntry) -> bool:
    """The same entry, although its id changes when the service numbers it."""
    return a.id == b.id or abs((a.start - b.start).total_seconds()) < 1


def requests(answer: Answer, spell: IdleSpell, running: TimeEntry | None,
             description: str = "") -> list[Request]:
    """The requests that carry out `answer`, to be sent one after the other (each once the
    one before was applied). `running`: the timer that runs now on the spell's service.
    `description`: of the new entry (Answer.ADD)."""
    if answer is Answer.KEEP:
        return []
    where: dict[str, Any] = {"service": spell.service.value} if spell.service else {}
    idle_start, back = format_timestamp(spell.started), format_timestamp(spell.ended)
    entry = spell.entry
    runs = running is not None and same_entry(running, entry)
    if runs:
        ends = [Request("stop", {"at": idle_start, **where})]
    else:  # stopped since the return: its stop moves back to the idle start
        ends = [Request("edit", {"id": entry.id, "stop": idle_start, **where})]
    if answer is Answer.DISCARD:
        return ends
    if not runs:  # keep the work after the return: a copy from the return to the stop
        ends.insert(0, Request("split", {"id": entry.id, "at": back, **where}))
    again = [] if not runs else [
        Request("start", {"at": back, **where}, draft=EntryDraft.from_entry(entry))]
    if answer is Answer.DISCARD_CONTINUE:
        return ends + again
    added = Request("add", {"description": description, "start": idle_start, "stop": back,
                            **where})
    return ends + [added] + again


def still_applies(spell: IdleSpell, running: TimeEntry | None, entries: list[TimeEntry]
                  ) -> bool:
    """Whether the question still means something: its entry runs, or ran on past the
    return and is known (not deleted, not already stopped before the idle start)."""
    if running is not None and same_entry(running, spell.entry):
        return True
    for entry in entries:
        if same_entry(entry, spell.entry):
            return entry.stop is None or entry.stop > spell.started
    return False
