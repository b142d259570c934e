"""The timesheet's rules, Qt-free: which days a view shows, entries grouped by local day with
day totals, totals per project, overlapping entries, and the plain-text summary that "Copy as
text" puts on the clipboard. The window (ui/timesheet/) only draws what `build` returns.

Entries belong to the local day they start on (as on Toggl Track and Clockify), and a day's
total is the sum of its entries' durations; a running entry counts up to `now`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property

from ..core.durations import day_start, format_clock, format_short, utcnow, week_start
from ..core.models import Project, Service, Task, TimeEntry
from ..core.text import one_line

DAY, WEEK = "day", "week"
NO_PROJECT = "No project"


@dataclass(frozen=True)
class Period:
    """What the sheet shows: one local day, or the week holding `anchor`."""

    kind: str
    anchor: date
    first_weekday: int = 0  # 0 Monday ... 6 Sunday

    @property
    def first(self) -> date:
        return self.anchor if self.kind == DAY else week_start(self.anchor, self.first_weekday)

    @property
    def days(self) -> list[date]:
        count = 1 if self.kind == DAY else 7
        return [self.first + timedelta(days=n) for n in range(count)]

    @property
    def start(self) -> datetime:
        """Local midnight of the first day (aware)."""
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """Local midnight after the last day (aware, excluded)."""
        return day_start(self.days[-1] + timedelta(days=1))

    def step(self, count: int) -> Period:
        """Earlier (count < 0) or later days or weeks."""
        days = count * (1 if self.kind == DAY else 7)
        return Period(self.kind, self.anchor + timedelta(days=days), self.first_weekday)

    def as_kind(self, kind: str) -> Period:
        return Period(kind, self.anchor, self.first_weekday)

    def holds(self, day: date) -> bool:
        return self.days[0] <= day <= self.days[-1]

    def title(self, today: date) -> str:
        if self.kind == DAY:
            return day_title(self.anchor, today)
        first, last = self.days[0], self.days[-1]
        if today in self.days:
            prefix = "This week"
        elif today - timedelta(days=7) in self.days:
            prefix = "Last week"
        else:
            prefix = "Week"
        return f"{prefix} · {span(first, last)}"


def span(first: date, last: date) -> str:
    """'30 Nov – 6 Dec 2026', '1 – 7 Dec 2026', '28 Dec 2026 – 3 Jan 2027'."""
    if first.year != last.year:
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} – {last.day} {last:%b %Y}"


def day_title(day: date, today: date) -> str:
    """'Today · Tue 1 Dec', 'Yesterday · Mon 30 Nov', 'Fri 27 Nov 2026' further away."""
    plain = f"{day:%a} {day.day} {day:%b}"
    if day == today:
        return f"Today · {plain}"
    if day == today - timedelta(days=1):
        return f"Yesterday · {plain}"
    if day == today + timedelta(days=1):
        return f"Tomorrow · {plain}"
    return plain if day.year == today.year else f"{plain} {day.year}"


@dataclass(frozen=True)
class Row:
    """One entry as the sheet shows it."""

    entry: TimeEntry
    project: Project | None
    task: str | None
    seconds: int
    overlaps: tuple[str, ...] = ()  # descriptions of the entries it overlaps

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def running(self) -> bool:
        return self.entry.running

    @property
    def description(self) -> str:
        return self.entry.description

    @property
    def client(self) -> str | None:
        return self.project.client_name if self.project else None

    def times(self) -> str:
        """'09:00 – 10:30' in local time; a running entry ends 'now'; one that ends on
        another day says which."""
        start = self.entry.start.astimezone()
        text = f"{start.hour:02d}:{start.minute:02d} – "
        if self.entry.stop is None:
            return text + "now"
        stop = self.entry.stop.astimezone()
        days = (stop.date() - start.date()).days
        return text + f"{stop.hour:02d}:{stop.minute:02d}" + (f" (+{days})" if days else "")


@dataclass(frozen=True)
class Day:
    day: date
    rows: tuple[Row, ...]

    @cached_property  # a frozen day: summed once, not at every look
    def seconds(self) -> int:
        return sum(r.seconds for r in self.rows)


@dataclass(frozen=True)
class ProjectTotal:
    project: Project | None
    seconds: int
    billable_seconds: int

    @property
    def name(self) -> str:
        return self.project.label if self.project else NO_PROJECT

    @property
    def color(self) -> str | None:
        return self.project.color if self.project else None


@dataclass(frozen=True)
class Sheet:
    period: Period
    days: tuple[Day, ...]  # newest first; only days with entries
    running: Row | None
    projects: tuple[ProjectTotal, ...]  # largest first
    now: datetime = field(default_factory=utcnow)

    @property
    def seconds(self) -> int:
        return sum(d.seconds for d in self.days)

    @property
    def billable_seconds(self) -> int:
        return sum(p.billable_seconds for p in self.projects)

    @property
    def rows(self) -> list[Row]:
        return [r for d in self.days for r in d.rows]

    def day_seconds(self) -> list[tuple[date, int]]:
        """Every day of the period (oldest first) and its total, zero included."""
        found = {d.day: d.seconds for d in self.days}
        return [(day, found.get(day, 0)) for day in self.period.days]

    def row(self, entry_id: str) -> Row | None:
        return next((r for r in self.rows if r.id == entry_id), None)


def is_unsent(entry: TimeEntry) -> bool:
    """Made on this computer and not on the service yet."""
    return entry.id.startswith(_local_prefix())


@cache
def _local_prefix() -> str:
    from ..store.db import LOCAL_PREFIX  # sqlite comes with the backend, after the icon

    return LOCAL_PREFIX


def local_day(entry: TimeEntry) -> date:
    return entry.start.astimezone().date()


def overlaps(entries: Sequence[TimeEntry], now: datetime) -> dict[str, list[str]]:
    """For each entry that overlaps another: the ids it overlaps (touching ends do not)."""
    ordered = sorted(entries, key=lambda x: x.start)
    found: dict[str, list[str]] = {}
    count = len(ordered)
    for i, entry in enumerate(ordered):
        end = entry.stop or now
        for j in range(i + 1, count):  # no copy of the rest: a week holds thousands
            other = ordered[j]
            if other.start >= end:
                break
            if (other.stop or now) > other.start and end > entry.start:
                found.setdefault(entry.id, []).append(other.id)
                found.setdefault(other.id, []).append(entry.id)
    return found


def build(entries: Iterable[TimeEntry], period: Period, projects: Iterable[Project] = (),
          tasks: Iterable[Task] = (), now: datetime | None = None) -> Sheet:
    """The sheet of `period`: the entries that start in it, grouped by local day."""
    now = now or utcnow()
    by_project = {p.id: p for p in projects}
    task_names = {t.id: t.name for t in tasks}
    days = period.days
    # Each day's local midnight (and the one after the last): an entry's local day is where
    # its start falls among them, without a time zone conversion per entry.
    # In UTC, as the entries' starts are: aware datetimes in one zone compare fastest.
    bounds = [day_start(d).astimezone(UTC)
              for d in (*days, days[-1] + timedelta(days=1))]
    begin, end = bounds[0], bounds[-1]
    on: dict[str, date] = {}  # each entry's local day, worked out once
    shown = []
    for x in entries:
        if not x.deleted and begin <= x.start < end:
            on[x.id] = days[bisect_right(bounds, x.start) - 1]
            shown.append(x)
    shown.sort(key=lambda x: x.start, reverse=True)
    crossing = overlaps(shown, now)
    names = {x.id: x.description or "(no description)" for x in shown}
    rows = [Row(x, by_project.get(x.project_id or ""), task_names.get(x.task_id or ""),
                x.seconds(now), tuple(names[o] for o in crossing.get(x.id, ())))
            for x in shown]
    grouped: dict[date, list[Row]] = {}
    for row in rows:
        grouped.setdefault(on[row.id], []).append(row)
    found = tuple(Day(day, tuple(grouped[day])) for day in sorted(grouped, reverse=True))
    totals: dict[str | None, list[int]] = {}
    for row in rows:
        key = row.project.id if row.project else None
        sums = totals.setdefault(key, [0, 0])
        sums[0] += row.seconds
        sums[1] += row.seconds if row.entry.billable else 0
    project_totals = tuple(sorted(
        (ProjectTotal(by_project.get(k or ""), s, b) for k, (s, b) in totals.items()),
        key=lambda t: (-t.seconds, t.name.casefold())))
    running = next((r for r in rows if r.running), None)
    return Sheet(period, found, running, project_totals, now)


def summary(sheet: Sheet, service: Service | None = None, today: date | None = None) -> str:
    """"Copy as text": a plain summary (no markup, one entry a line, printable)."""
    today = today or sheet.now.astimezone().date()
    title = sheet.period.title(today)
    lines = [f"Timesheet · {title}" + (f" ({service.title})" if service else ""), ""]
    if not sheet.days:
        lines.append("No time tracked.")
    for day in sheet.days:
        lines.append(f"{day_title(day.day, today)} — {format_short(day.seconds)}")
        for row in reversed(day.rows):  # oldest first, as read
            parts = [row.description or "(no description)"]
            if row.project is not None:
                parts.append(row.project.label + (f" / {row.task}" if row.task else ""))
            if row.entry.tags:
                parts.append(" ".join("#" + t for t in row.entry.tags))
            if row.entry.billable:
                parts.append("$")
            text = one_line(" · ".join(parts), 200)
            lines.append(f"  {row.times()}  {format_clock(row.seconds):>8}  {text}")
        lines.append("")
    if sheet.days:
        lines.append("By project")
        width = max(len(one_line(t.name, 60)) for t in sheet.projects)
        for total in sheet.projects:
            lines.append(f"  {one_line(total.name, 60):<{width}}  {format_short(total.seconds)}")
        lines.append("")
    billable = (f" (billable {format_short(sheet.billable_seconds)})"
                if sheet.billable_seconds else "")
    lines.append(f"Total {format_short(sheet.seconds)}{billable}")
    return "\n".join(lines) + "\n"


def split_times(entry: TimeEntry, at: datetime, now: datetime | None = None) -> str | None:
    """Why `entry` cannot be split at `at` (None: it can): strictly inside the entry."""
    end = entry.stop or now or utcnow()
    if not entry.start < at < end:
        return "Choose a time between the entry's start and its end."
    return None


def stop_time(entry: TimeEntry, at: datetime, now: datetime | None = None) -> str | None:
    """Why the running `entry` cannot be stopped at `at` (None: it can)."""
    now = now or utcnow()
    if at < entry.start:
        return "The stop is before the start."
    if at > now + timedelta(minutes=1):
        return "A timer cannot be stopped in the future."
    return None
