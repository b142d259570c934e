"""The times a person types (DESIGN.md WHEN, DAY, DUR), read in a fixed zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from trayapp.core.when import day_range, parse_day, parse_duration, parse_when

PARIS = timezone(timedelta(hours=1))  # a fixed zone: the test does not depend on the machine
NOW = datetime(2026, 3, 4, 15, 20, 30, tzinfo=UTC)  # 16:20:30 in PARIS


@pytest.mark.parametrize("text,expected", [
    ("14:30", datetime(2026, 3, 4, 13, 30, tzinfo=UTC)),
    ("09:05", datetime(2026, 3, 4, 8, 5, tzinfo=UTC)),
    ("-25m", NOW - timedelta(minutes=25)),
    ("-1h30m", NOW - timedelta(hours=1, minutes=30)),
    ("now", NOW),
    ("2026-03-01T09:00:00+01:00", datetime(2026, 3, 1, 8, 0, tzinfo=UTC)),
    ("2026-03-01T09:00:00Z", datetime(2026, 3, 1, 9, 0, tzinfo=UTC)),
    ("2026-03-01T09:00", datetime(2026, 3, 1, 8, 0, tzinfo=UTC)),  # no offset: local
])
def test_when(text, expected):
    assert parse_when(text, NOW, PARIS) == expected


@pytest.mark.parametrize("text", ["", "25:00", "12:60", "yesterday", "-", "-abc", "2026-03-01",
                                  "noon", "1h"])
def test_when_refused_with_a_sentence(text):
    with pytest.raises(ValueError) as caught:
        parse_when(text, NOW, PARIS)
    assert str(caught.value).endswith(".")


def test_day():
    assert parse_day("today", NOW, PARIS) == date(2026, 3, 4)
    assert parse_day("yesterday", NOW, PARIS) == date(2026, 3, 3)
    assert parse_day("2026-02-28", NOW, PARIS) == date(2026, 2, 28)
    late = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)  # already the 5th in PARIS
    assert parse_day("today", late, PARIS) == date(2026, 3, 5)
    with pytest.raises(ValueError):
        parse_day("2026-02-30", NOW, PARIS)


@pytest.mark.parametrize("text,minutes", [("1h30m", 90), ("90m", 90), ("1:30", 90),
                                          ("2h", 120), ("0:45", 45), ("1:00:30", 60.5)])
def test_duration(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0m", "abc", "1:75", "200h", "-5m"])
def test_duration_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_day_range_is_local_midnights():
    start, end = day_range(date(2026, 3, 2), date(2026, 3, 8), PARIS)
    assert start == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
