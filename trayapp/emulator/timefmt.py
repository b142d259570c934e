"""Timestamp formatting and parsing in the exact forms each service uses.

The services disagree on formats (and Toggl even disagrees with itself between read and write
responses), so every form lives here under a name saying where it is used.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

__all__ = [
    "BadTime",
    "iso_duration",
    "micro_z",
    "parse_date_or_time",
    "parse_rfc3339",
    "plus00",
    "utc_date",
    "z_seconds",
]


class BadTime(ValueError):
    """A client-supplied timestamp could not be parsed."""


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def plus00(epoch: float) -> str:
    """Toggl read form: `2024-12-16T02:18:20+00:00` (sub-seconds truncated)."""
    return _dt(int(epoch)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def z_seconds(epoch: float) -> str:
    """Toggl write form and Clockify everywhere: `2024-12-16T02:18:20Z`."""
    return _dt(int(epoch)).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_z(epoch: float) -> str:
    """Toggl `at` and Maton timestamps: `2024-12-16T02:11:58.489116Z`."""
    return _dt(epoch).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_date(epoch: float) -> str:
    """`YYYY-MM-DD` of the UTC day (Toggl project `start_date`)."""
    return _dt(epoch).strftime("%Y-%m-%d")


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$"
)


def parse_rfc3339(text: object) -> float:
    """Parse an RFC 3339 timestamp with any offset into epoch seconds."""
    if not isinstance(text, str) or not _RFC3339.match(text.strip()):
        raise BadTime(f"invalid timestamp {text!r}")
    value = text.strip().replace("z", "Z").replace("t", "T")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError as exc:
        raise BadTime(f"invalid timestamp {text!r}") from exc


def parse_date_or_time(text: str) -> float:
    """Toggl list filters accept `YYYY-MM-DD` (UTC midnight) or RFC 3339."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise BadTime(f"invalid date {text!r}") from exc
        return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    return parse_rfc3339(text)


def iso_duration(seconds: float) -> str:
    """Clockify durations: `PT1H2M3S`, hours never rolled into days, `PT0S` for zero."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs}S"
    return out
