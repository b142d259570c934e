"""Reminders (control/reminders.py) with an injected clock: when each is due, the weekdays
and the time of day, repeats, snooze, the long timer asked once per timer."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

from trayapp.control.reminders import Kind, Reminders, Rules, is_clock, parse_clock
from trayapp.core.models import TimeEntry

TZ = timezone(timedelta(hours=2))  # the user's zone: the window is local time
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday, 10:00 local


def at(day_offset: int, hh: int, mm: int = 0) -> datetime:
    return (MON + timedelta(days=day_offset)).replace(hour=hh, minute=mm).astimezone(UTC)


def entry(start: datetime, description: str = "Write report") -> TimeEntry:
    return TimeEntry(id="e1", workspace_id="w", start=start, description=description)


def reminders(since: datetime, **rules: object) -> Reminders:
    defaults: dict[str, object] = {"minutes": 30}
    return Reminders(Rules(**{**defaults, **rules}), idle_since=since, tz=TZ)  # type: ignore[arg-type]


def test_not_tracking_is_due_minutes_after_the_last_stop_and_repeats():
    r = reminders(at(0, 10))
    assert r.next_at(at(0, 10)) == at(0, 10, 30)
    assert r.due(at(0, 10, 29)) is None
    shown = r.due(at(0, 10, 30))
    assert shown is not None and shown.kind is Kind.NOT_TRACKING
    assert shown.title == "You're not tracking" and "30 min" in shown.text
    assert r.due(at(0, 10, 31)) is None  # not again at once...
    assert r.next_at(at(0, 10, 31)) == at(0, 11, 0)  # ...but every 30 minutes


def test_a_running_timer_ends_it_and_a_stop_starts_the_count_again():
    r = reminders(at(0, 10))
    r.update(at(0, 10, 5), entry(at(0, 10, 5)))
    assert r.next_at(at(0, 10, 5)) is None  # no long-timer rule: nothing at all
    r.update(at(0, 12), None)
    assert r.next_at(at(0, 12)) == at(0, 12, 30)


def test_only_inside_the_window_on_chosen_days():
    r = reminders(at(0, 16, 50), start=time(9), end=time(17))
    # 17:20 is past the window: the next opening is Tuesday 09:00.
    assert r.next_at(at(0, 16, 50)) == at(1, 9)
    # Friday evening: the next chosen day is Monday.
    r = reminders(at(4, 18))
    assert r.next_at(at(4, 18)) == at(7, 9)
    # Weekends chosen: Saturday.
    r = reminders(at(4, 18), days=frozenset({5}))
    assert r.next_at(at(4, 18)) == at(5, 9)
    # Before the window opens the same day: at the opening.
    r = reminders(at(1, 6))
    assert r.next_at(at(1, 6)) == at(1, 9)


def test_no_days_an_empty_window_or_zero_minutes_never_remind():
    assert reminders(at(0, 10), days=frozenset()).next_at(at(0, 10)) is None
    assert reminders(at(0, 10), start=time(17), end=time(9)).next_at(at(0, 10)) is None
    assert reminders(at(0, 10), minutes=0).next_at(at(0, 10)) is None


def test_snooze_puts_it_off():
    r = reminders(at(0, 10))
    assert r.due(at(0, 10, 30)) is not None
    r.snoozed(at(0, 10, 31))
    assert r.next_at(at(0, 10, 31)) == at(0, 10, 46)


def test_a_long_timer_is_asked_about_once():
    r = reminders(at(0, 8), minutes=0, hours=3)
    running = entry(at(0, 9))
    r.update(at(0, 9), running)
    assert r.next_at(at(0, 9)) == at(0, 12)
    assert r.due(at(0, 11, 59)) is None
    asked = r.due(at(0, 12, 1))
    assert asked is not None and asked.kind is Kind.LONG_TIMER and asked.entry == running
    assert asked.title == "Still working on “Write report”?" and "3 h 1 min" in asked.text
    assert r.next_at(at(0, 12, 2)) is None  # once for this timer
    other = entry(at(0, 13), "Other")
    r.update(at(0, 13), other)
    assert r.next_at(at(0, 13)) == at(0, 16)  # a new timer is asked about again
    r.kept(other)
    assert r.next_at(at(0, 13)) is None


def test_new_rules_plan_again():
    r = reminders(at(0, 10))
    r.due(at(0, 10, 30))
    r.set_rules(Rules(minutes=10))
    assert r.next_at(at(0, 10, 31)) == at(0, 10, 40)  # 10 min after the last one shown
    r = reminders(at(0, 10))
    r.set_rules(Rules(minutes=10))
    assert r.next_at(at(0, 10, 31)) == at(0, 10, 10)  # overdue: at once


def test_clock_text():
    assert parse_clock("09:30") == time(9, 30)
    assert is_clock("23:59") and not is_clock("9:3") and not is_clock("24:00")
