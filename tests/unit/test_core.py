"""core/: timestamps, durations, totals and the error texts."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from trayapp.core import errors as e
from trayapp.core.durations import (
    format_clock,
    format_iso_duration,
    format_short,
    format_timestamp,
    parse_iso_duration,
    parse_timestamp,
    totals,
    week_start,
)
from trayapp.core.models import EntryDraft, TimeEntry


@pytest.mark.parametrize(
    "text",
    [
        "2024-12-16T02:18:20+00:00",  # Toggl reads
        "2024-12-16T02:18:20Z",  # Toggl writes, Clockify
        "2024-12-16T02:18:20.489116Z",  # Toggl `at`
        "2024-12-16T03:18:20+01:00",  # any offset
        "2024-12-16T02:18:20.000Z",
    ],
)
def test_every_timestamp_form_parses_to_the_same_utc_instant(text):
    assert parse_timestamp(text).replace(microsecond=0) == datetime(
        2024, 12, 16, 2, 18, 20, tzinfo=UTC
    )


@pytest.mark.parametrize("bad", ["", "yesterday", "2024-12-16T02:18:20", None, 17])
def test_bad_timestamps_raise_value_error(bad):
    with pytest.raises(ValueError):
        parse_timestamp(bad)


def test_format_timestamp_is_utc_z():
    local = datetime(2024, 1, 1, 10, 0, 0, 999, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(local) == "2024-01-01T08:00:00Z"


@pytest.mark.parametrize(
    "text,seconds",
    [("PT1H", 3600), ("PT0S", 0), ("PT86H40M13S", 312013), ("PT1M30S", 90), ("P1DT1S", 86401)],
)
def test_iso_durations(text, seconds):
    assert parse_iso_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "PT", "P", "1H", "PTXS"])
def test_bad_iso_durations(bad):
    with pytest.raises(ValueError):
        parse_iso_duration(bad)


def test_iso_duration_round_trip():
    for seconds in (0, 1, 59, 60, 3599, 3600, 3661, 312013):
        assert parse_iso_duration(format_iso_duration(seconds)) == seconds


def test_human_formats():
    assert format_clock(5025) == "1:23:45"
    assert format_clock(-5) == "0:00:00"
    assert format_short(5 * 3600 + 12 * 60 + 59) == "5h 12m"
    assert format_short(59) == "0m"
    assert format_short(12 * 60) == "12m"


def test_week_start_monday_and_sunday():
    wednesday = datetime(2026, 11, 25).date()
    assert week_start(wednesday).isoformat() == "2026-11-23"
    assert week_start(wednesday, first_weekday=6).isoformat() == "2026-11-22"


def entry(start, stop, **kw):
    return TimeEntry(id="1", workspace_id="w", start=start, stop=stop, **kw)


def test_totals_clip_at_midnight_and_count_running_entry():
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
    entries = [
        entry(now.replace(hour=8), now.replace(hour=9)),  # today: 1 h
        entry(now - timedelta(days=1, hours=-(23 - 10)), now.replace(hour=1)),  # 23:00 -> 01:00
        entry(now - timedelta(days=2), now - timedelta(days=2) + timedelta(hours=2)),  # Mon
        entry(now - timedelta(days=7), now - timedelta(days=7) + timedelta(hours=5)),  # last week
        entry(now.replace(hour=9, minute=30), None),  # running since 9:30
        entry(now.replace(hour=7), now.replace(hour=8), deleted=True),
    ]
    today, week = totals(entries, now=now, tz=UTC)
    assert today == 3600 + 3600 + 1800
    assert week == today + 3600 + 2 * 3600


def test_entry_seconds_and_running():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    running = entry(start, None)
    assert running.running and running.seconds(start + timedelta(seconds=90)) == 90
    assert not entry(start, start + timedelta(hours=1)).running


def test_draft_key_ignores_tag_order_and_whitespace():
    a = EntryDraft(description=" Report ", project_id="p", tags=("b", "a"))
    b = EntryDraft(description="Report", project_id="p", tags=("a", "b"))
    assert a.key == b.key


def test_every_error_has_a_title_and_a_message():
    classes = [e.TrackerError]
    seen = []
    while classes:
        cls = classes.pop()
        seen.append(cls)
        classes.extend(cls.__subclasses__())
    for cls in seen:
        err = cls()
        assert err.title and err.message, cls
        assert str(err) == err.message


def test_quota_error_says_until_when():
    err = e.QuotaExhausted(retry_at=datetime(2026, 1, 1, 12, 30, tzinfo=UTC))
    assert "until" in err.message and err.transient


@pytest.mark.parametrize("header, expected", [
    ("2.5e11", 7200.0), ("inf", 7200.0), ("nan", 3600.0), ("-5", 0.0), ("90", 90.0),
    ("soon", 3600.0), ("1e400", 7200.0),
])
def test_a_quota_wait_the_server_sends_is_bounded(header, expected):
    from trayapp.api.errors import quota_reset_seconds

    assert quota_reset_seconds({"x-toggl-quota-resets-in": header}, "") == expected


def test_retry_after_is_bounded_too():
    from trayapp.api.errors import retry_after_seconds

    assert retry_after_seconds({"retry-after": "99999999"}) == 900.0
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 1.0


def test_a_pause_that_ends_another_day_names_the_day():
    from trayapp.core.durations import format_moment

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    later_today = now + timedelta(minutes=30)
    assert ":" in format_moment(later_today, now) and " " not in format_moment(later_today, now)
    assert format_moment(now + timedelta(days=3), now).split()[1] in ("Mar",)
    err = e.QuotaExhausted(retry_at=datetime(2030, 1, 2, 12, 0, tzinfo=UTC))
    assert "Jan" in err.message
