"""The timesheet's rules (control/sheet.py): the days a view shows, grouping by local day,
day and project totals, overlaps, and the "Copy as text" summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from trayapp.control.sheet import (
    DAY,
    WEEK,
    Period,
    build,
    day_title,
    is_unsent,
    overlaps,
    span,
    split_times,
    stop_time,
    summary,
)
from trayapp.core.models import Project, Service, Task, TimeEntry

MONDAY = date(2026, 11, 30)
WEBSITE = Project("p1", "w", "Website", "#0b83d9", client_id="c1", client_name="Acme",
                  billable=True)
SUPPORT = Project("p2", "w", "Support", "#e36a00")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time, aware (whatever the machine's zone)."""
    return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)


def entry(entry_id: str, day: date, start: tuple[int, int], stop: tuple[int, int] | None,
          description: str = "", project: Project | None = None, **more: object) -> TimeEntry:
    return TimeEntry(id=entry_id, workspace_id="w", start=at(day, *start),
                     stop=at(day, *stop) if stop else None, description=description,
                     project_id=project.id if project else None, **more)  # type: ignore[arg-type]


def test_a_day_and_a_week_and_their_steps():
    day = Period(DAY, date(2026, 12, 2))
    assert day.days == [date(2026, 12, 2)]
    assert day.end - day.start == timedelta(days=1) or day.end > day.start  # DST-proof
    assert day.step(-1).anchor == date(2026, 12, 1) and day.step(1).anchor == date(2026, 12, 3)
    week = day.as_kind(WEEK)
    assert week.days[0] == MONDAY and week.days[-1] == date(2026, 12, 6)
    assert week.step(1).days[0] == date(2026, 12, 7)
    sunday_first = Period(WEEK, date(2026, 12, 2), first_weekday=6)
    assert sunday_first.days[0] == date(2026, 11, 29)


def test_titles_say_today_yesterday_and_the_week():
    today = date(2026, 12, 1)
    assert day_title(today, today) == "Today · Tue 1 Dec"
    assert day_title(MONDAY, today) == "Yesterday · Mon 30 Nov"
    assert day_title(date(2025, 6, 3), today) == "Tue 3 Jun 2025"
    assert Period(WEEK, today).title(today) == "This week · 30 Nov – 6 Dec 2026"
    assert Period(WEEK, today - timedelta(days=7)).title(today).startswith("Last week")
    assert span(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec 2026 – 3 Jan 2027"
    assert span(date(2026, 12, 1), date(2026, 12, 7)) == "1 – 7 Dec 2026"


def test_entries_grouped_by_local_day_newest_first_with_day_totals():
    tuesday = MONDAY + timedelta(days=1)
    entries = [
        entry("a", MONDAY, (9, 0), (10, 30), "Standup", SUPPORT),
        entry("b", MONDAY, (11, 0), (12, 0), "Fix", WEBSITE, billable=True),
        entry("c", tuesday, (9, 0), (9, 15), "Standup", SUPPORT),
        entry("old", MONDAY - timedelta(days=1), (9, 0), (17, 0), "Last week"),
        entry("gone", tuesday, (13, 0), (14, 0), "Deleted", deleted=True),
    ]
    sheet = build(entries, Period(WEEK, MONDAY), [WEBSITE, SUPPORT])
    assert [d.day for d in sheet.days] == [tuesday, MONDAY]
    assert [r.id for r in sheet.days[1].rows] == ["b", "a"]  # newest first
    assert [d.seconds for d in sheet.days] == [15 * 60, 150 * 60]
    assert sheet.seconds == 165 * 60 and sheet.billable_seconds == 3600
    assert dict(sheet.day_seconds())[date(2026, 12, 6)] == 0
    assert [(t.name, t.seconds) for t in sheet.projects] == [("Support", 105 * 60),
                                                             ("Acme / Website", 3600)]
    one_day = build(entries, Period(DAY, MONDAY), [WEBSITE, SUPPORT])
    assert [r.id for r in one_day.rows] == ["b", "a"]


def test_the_running_entry_counts_up_to_now_and_is_found():
    now = at(MONDAY, 12, 0)
    running = entry("r", MONDAY, (11, 0), None, "Writing")
    sheet = build([running, entry("a", MONDAY, (9, 0), (10, 0))], Period(DAY, MONDAY), now=now)
    assert sheet.running is not None and sheet.running.id == "r"
    assert sheet.running.seconds == 3600 and sheet.running.times().endswith("now")
    assert sheet.seconds == 7200
    assert sheet.projects[0].name == "No project"


def test_overlaps_are_found_both_ways_and_touching_ends_are_not():
    now = at(MONDAY, 18, 0)
    a = entry("a", MONDAY, (9, 0), (11, 0))
    b = entry("b", MONDAY, (10, 0), (10, 30))
    c = entry("c", MONDAY, (11, 0), (12, 0))  # starts when a ends
    d = entry("d", MONDAY, (8, 0), (12, 30))  # covers them all
    found = overlaps([a, b, c, d], now)
    assert set(found["a"]) == {"b", "d"} and set(found["c"]) == {"d"}
    assert "c" not in found.get("a", []) and set(found["d"]) == {"a", "b", "c"}
    assert overlaps([a, c], now) == {}
    sheet = build([a, b], Period(DAY, MONDAY), now=now)
    assert sheet.row("a").overlaps == ("(no description)",)  # type: ignore[union-attr]


def test_the_summary_is_plain_text_with_days_projects_and_total():
    entries = [entry("a", MONDAY, (9, 0), (10, 30), "Standup\x1b[2J", SUPPORT, tags=("meeting",)),
               entry("b", MONDAY, (11, 0), (12, 0), "Fix login", WEBSITE, billable=True,
                     task_id="t1")]
    sheet = build(entries, Period(DAY, MONDAY), [WEBSITE, SUPPORT],
                  [Task("t1", "p1", "Backend")], now=at(MONDAY, 18))
    text = summary(sheet, Service.TOGGL, today=MONDAY)
    lines = text.splitlines()
    assert lines[0] == "Timesheet · Today · Mon 30 Nov (Toggl Track)"
    assert "Today · Mon 30 Nov — 2h 30m" in lines
    assert any("Standup?[2J · Support · #meeting" in line for line in lines)  # printable
    assert any("Fix login · Acme / Website / Backend · $" in line for line in lines)
    assert lines.index(next(x for x in lines if "Standup" in x)) < \
        lines.index(next(x for x in lines if "Fix login" in x))  # oldest first, as read
    assert lines[-1] == "Total 2h 30m (billable 1h 00m)"
    assert "\x1b" not in text
    empty = summary(build([], Period(DAY, MONDAY)), today=MONDAY)
    assert "No time tracked." in empty and empty.rstrip().endswith("Total 0m")


def test_split_and_stop_times_are_checked():
    done = entry("a", MONDAY, (9, 0), (10, 0))
    assert split_times(done, at(MONDAY, 9, 30)) is None
    assert split_times(done, at(MONDAY, 9, 0)) is not None
    assert split_times(done, at(MONDAY, 10, 0)) is not None
    running = entry("r", MONDAY, (9, 0), None)
    now = at(MONDAY, 12)
    assert stop_time(running, at(MONDAY, 11), now) is None
    assert stop_time(running, at(MONDAY, 8), now) == "The stop is before the start."
    assert stop_time(running, at(MONDAY, 13), now) is not None


def test_entries_made_here_are_marked_unsent():
    assert is_unsent(TimeEntry("local-abc", "w", at(MONDAY, 9)))
    assert not is_unsent(TimeEntry("12345", "w", at(MONDAY, 9)))
