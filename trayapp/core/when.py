"""The times a person types on the command line (DESIGN.md, "WHEN", "DAY", "DUR"), in the
computer's local time zone. Each parser returns an aware UTC value or raises ValueError with a
sentence that says what was expected: the command line shows it as is."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from .durations import utcnow

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_UNITS = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_COLON = re.compile(r"^(\d+):(\d{2})(?::(\d{2}))?$")
LONGEST = timedelta(days=7)  # no entry lasts longer; more is a typo
MAX_AHEAD = timedelta(days=1)  # the services take later times, but they are almost all typos

WHEN_FORMS = "a time such as 14:30, -25m, -1h30m or 2026-03-01T09:00:00+01:00"
DAY_FORMS = "a day such as 2026-03-01, today or yesterday"
DUR_FORMS = "a duration such as 1h30m, 90m or 1:30"


def _local(now: datetime, tz: tzinfo | None) -> datetime:
    return now.astimezone(tz) if tz else now.astimezone()


def parse_when(text: str, now: datetime | None = None, tz: tzinfo | None = None) -> datetime:
    """`HH:MM` (today, local), `-25m` / `-1h30m` (before now), `now`, or RFC 3339 (a time
    without an offset is local). Whole seconds."""
    now = (now or utcnow()).replace(microsecond=0)
    value = text.strip().lower()
    if value == "now":
        return now
    if value.startswith("-") and len(value) > 1:
        try:
            return now - parse_duration(value[1:])
        except ValueError:
            raise ValueError(f"“{text}” is not {WHEN_FORMS}.") from None
    match = _CLOCK.match(value)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise ValueError(f"“{text}” is not a time of day (00:00 to 23:59).")
        local = _local(now, tz).replace(hour=hour, minute=minute, second=0)
        return _fold_safe(local, tz).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"“{text}” is not {WHEN_FORMS}.") from None
    if len(text.strip()) <= 10:  # a bare date is a DAY, not a moment
        raise ValueError(f"“{text}” is a day; give a time too, as in {text.strip()}T09:00.")
    if parsed.tzinfo is None:
        parsed = _fold_safe(parsed.replace(tzinfo=tz) if tz else parsed.astimezone(), tz)
    return parsed.astimezone(UTC).replace(microsecond=0)


def _fold_safe(local: datetime, tz: tzinfo | None) -> datetime:
    """A wall-clock time in the local zone, re-read through the zone (DST changes)."""
    if tz is not None:
        return local
    return local.replace(tzinfo=None).astimezone()


def parse_day(text: str, now: datetime | None = None, tz: tzinfo | None = None) -> date:
    """`YYYY-MM-DD`, `today`, `yesterday` (local)."""
    today = _local(now or utcnow(), tz).date()
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{text}” is not {DAY_FORMS}.") from None


def parse_duration(text: str) -> timedelta:
    """`1h30m`, `90m`, `45s`, `1:30` (hours:minutes), `1:30:15`. More than zero, less than a
    week."""
    value = text.strip().lower().replace(" ", "")
    seconds: int | None = None
    match = _UNITS.match(value)
    if value and match and any(match.groups()):
        h, m, s = (int(g or 0) for g in match.groups())
        seconds = h * 3600 + m * 60 + s
    else:
        match = _COLON.match(value)
        if match and int(match[2]) < 60 and int(match[3] or 0) < 60:
            seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)
    if seconds is None:
        raise ValueError(f"“{text}” is not {DUR_FORMS}.")
    if seconds <= 0:
        raise ValueError("The duration must be longer than zero.")
    if seconds > LONGEST.total_seconds():
        raise ValueError(f"“{text}” is longer than a week.")
    return timedelta(seconds=seconds)


def day_range(first: date, last: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight after `last`), in UTC."""
    def midnight(day: date) -> datetime:
        naive = datetime(day.year, day.month, day.day)
        return (naive.replace(tzinfo=tz) if tz else naive.astimezone()).astimezone(UTC)

    return midnight(first), midnight(last + timedelta(days=1))
