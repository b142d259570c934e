"""Time arithmetic: timestamps in every form the services send, ISO 8601 durations,
human formatting, and the today / this-week totals shown in the tray."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import TimeEntry

_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def bounded_seconds(value: object, most: float, default: float) -> float:
    """A wait the server asked for, as seconds from 0 to `most`: a number it sent that is not
    one (or is infinite, or absurd) must not pause anything for years."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default
    if seconds != seconds:  # NaN
        return default
    return min(max(0.0, seconds), most)


def format_moment(when: datetime, now: datetime | None = None) -> str:
    """`14:30` today, `3 Dec 14:30` another day (local time)."""
    local, today = when.astimezone(), (now or utcnow()).astimezone().date()
    return f"{local:%H:%M}" if local.date() == today else f"{local.day} {local:%b %H:%M}"


def parse_timestamp(value: str) -> datetime:
    """Parse any RFC 3339 form the services use: `Z` or `+00:00`, with or without fractions,
    and a bare date. Always returns an aware UTC datetime; raises ValueError otherwise."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        if len(text) == 10:  # a bare date means midnight UTC
            return parsed.replace(tzinfo=UTC)
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """UTC, whole seconds, `Z` suffix: the form both services accept."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_duration(value: str) -> int:
    """'PT1H2M3S' -> 3723 seconds (Clockify's durations)."""
    match = _ISO_DURATION.match(value or "")
    if not match or value in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return int(parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"])


def format_iso_duration(seconds: int) -> str:
    if seconds <= 0:
        return "PT0S"
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")


def format_clock(seconds: int) -> str:
    """1:23:45 (the running timer)."""
    h, rest = divmod(max(0, int(seconds)), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}"


def format_short(seconds: int) -> str:
    """5h 12m / 12m / 0m (totals)."""
    minutes = max(0, int(seconds)) // 60
    h, m = divmod(minutes, 60)
    return f"{h}h {m:02d}m" if h else f"{m}m"


def day_start(day: date, tz: tzinfo | None = None) -> datetime:
    """Local midnight of `day` as an aware datetime (local zone unless `tz` is given)."""
    naive = datetime.combine(day, time())
    return naive.replace(tzinfo=tz) if tz else naive.astimezone()


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of the week containing `day`; first_weekday 0 = Monday, 6 = Sunday."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def seconds_between(
    entries: Iterable[TimeEntry], start: datetime, end: datetime, now: datetime | None = None
) -> int:
    """Tracked seconds inside [start, end), clipping entries that cross the edges;
    a running entry counts up to `now`. Deleted entries do not count."""
    now = now or utcnow()
    total = 0.0
    for entry in entries:
        if entry.deleted:
            continue
        lo = max(entry.start, start)
        hi = min(entry.stop or now, end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return int(total)


def totals(
    entries: Iterable[TimeEntry],
    now: datetime | None = None,
    first_weekday: int = 0,
    tz: tzinfo | None = None,
) -> tuple[int, int]:
    """(today, this week) in seconds, in the user's local time."""
    now = now or utcnow()
    local_today = now.astimezone(tz).date() if tz else now.astimezone().date()
    entries = list(entries)
    today_from = day_start(local_today, tz)
    week_from = day_start(week_start(local_today, first_weekday), tz)
    far = now + timedelta(days=1)
    return (
        seconds_between(entries, today_from, far, now),
        seconds_between(entries, week_from, far, now),
    )
