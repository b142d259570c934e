"""Reminders: "You're not tracking" after some minutes without a timer (on chosen weekdays,
within a time of day), and "Still working on X?" once a timer has run for some hours. Qt-free
and clock-free: the app says what runs and what time it is; `next_at` says when anything can
next be due, so the app wakes once for it (one single-shot timer, never a poll: issue 14).

The rules:
- Not tracking: no timer since `idle_since` (the last stop seen, or when trayapp started);
  due `minutes` after it, but only inside the window (a chosen weekday, from `start` to `end`
  local time): outside it, at the next opening of the window. Shown again every `minutes`
  while still not tracking, never more often. Snooze puts it off by `snooze` minutes.
  Starting a timer ends it; stopping starts the count again.
- Long timer: once the running timer is `hours` old, asked once for that timer ("Keep"
  means: stop asking about it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from ..core.models import TimeEntry

SNOOZE_MINUTES = 15
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # date.weekday() order


class Kind(enum.Enum):
    NOT_TRACKING = "not_tracking"
    LONG_TIMER = "long_timer"


@dataclass(frozen=True)
class Reminder:
    kind: Kind
    title: str
    text: str
    entry: TimeEntry | None = None  # the long timer


@dataclass(frozen=True)
class Rules:
    minutes: int = 0  # not tracking for this long: remind (0: never)
    days: frozenset[int] = frozenset(range(5))  # weekdays (0 = Monday) it may remind
    start: time = time(9, 0)  # the window, local time
    end: time = time(17, 0)
    hours: float = 0.0  # a timer this old: ask (0: never)
    snooze: int = SNOOZE_MINUTES

    @classmethod
    def parse(cls, minutes: int, days: list[int], start: str, end: str, hours: float
              ) -> Rules:
        """From the settings (config.py checks their shape)."""
        return cls(minutes, frozenset(days), parse_clock(start), parse_clock(end), hours)


def parse_clock(text: str) -> time:
    """"09:30" -> 09:30; ValueError otherwise."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a time of day: {text!r}")
    return time(int(hours), int(minutes))


def is_clock(text: object) -> bool:
    try:
        return isinstance(text, str) and parse_clock(text) is not None
    except ValueError:
        return False


@dataclass
class Reminders:
    """The state between the app's calls: `update` on every new state (what runs), `due` when
    `next_at` has come, and the answers (`snoozed`, `kept`)."""

    rules: Rules
    idle_since: datetime  # not tracking since (aware)
    tz: tzinfo | None = None  # local time zone (None: the computer's)
    running: TimeEntry | None = None
    _shown: datetime | None = field(default=None, repr=False)  # the last not-tracking one
    _snoozed: datetime | None = field(default=None, repr=False)  # put off until then
    _kept: set[datetime] = field(default_factory=set, repr=False)  # starts of kept timers

    def set_rules(self, rules: Rules) -> None:
        self.rules = rules

    def update(self, now: datetime, running: TimeEntry | None) -> None:
        """What runs now; a stop starts the count of time without a timer."""
        if running is None and self.running is not None:
            self.idle_since, self._shown, self._snoozed = now, None, None
        self.running = running

    # -- when ---------------------------------------------------------------------------------
    def next_at(self, now: datetime) -> datetime | None:
        """The earliest moment a reminder can be due (maybe `now` or before); None: none."""
        if self.running is not None:
            return self._long_timer_at()
        if self.rules.minutes <= 0 or not self.rules.days or self.rules.start >= self.rules.end:
            return None
        every = timedelta(minutes=self.rules.minutes)
        due = max(self.idle_since, self._shown or self.idle_since) + every
        return self.open_at(self._snoozed or due)  # snoozed: then, whatever the repeat

    def _long_timer_at(self) -> datetime | None:
        entry = self.running
        if entry is None or self.rules.hours <= 0 or entry.start in self._kept:
            return None
        return entry.start + timedelta(hours=self.rules.hours)

    def open_at(self, moment: datetime) -> datetime | None:
        """The first moment from `moment` on that is inside the window."""
        local = moment.astimezone(self.tz)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.rules.days:
                continue
            opens, closes = self._at(day, self.rules.start), self._at(day, self.rules.end)
            if moment < closes:
                return max(moment, opens)
        return None

    def _at(self, day: date, clock: time) -> datetime:
        if self.tz is not None:
            return datetime.combine(day, clock, tzinfo=self.tz)
        return datetime.combine(day, clock).astimezone()  # the computer's zone, DST included

    def due(self, now: datetime) -> Reminder | None:
        """The reminder to show now, if any; once shown, the next one is planned."""
        at = self.next_at(now)
        if at is None or at > now:
            return None
        entry = self.running
        if entry is not None:
            self._kept.add(entry.start)  # asked once per timer
            what = entry.description or "(no description)"
            return Reminder(Kind.LONG_TIMER, f"Still working on “{what}”?",
                            f"This timer has run for {hours_text(now - entry.start)}.", entry)
        self._shown, self._snoozed = now, None
        return Reminder(Kind.NOT_TRACKING, "You're not tracking",
                        f"No timer has run for {hours_text(now - self.idle_since)}."
                        if now - self.idle_since < timedelta(hours=12)
                        else "No timer is running.")

    # -- answers ------------------------------------------------------------------------------
    def snoozed(self, now: datetime) -> None:
        self._snoozed = now + timedelta(minutes=self.rules.snooze)

    def kept(self, entry: TimeEntry) -> None:
        self._kept.add(entry.start)


def hours_text(span: timedelta) -> str:
    minutes = max(1, int(span.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
