"""The demo dataset, service-neutral: both stores load the same content from here.

Deterministic for a given "now": entries are laid out on the weekdays among the 7 days before
today (UTC), 09:00-17:00, from a random generator seeded by the day, so a demo looks the same
every time it is run on the same day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

__all__ = ["SeedEntry", "SeedProject", "SeedTask", "demo_entries", "DEMO"]

# Toggl's free-plan palette; Clockify accepts any hex, so both use these.
PALETTE = (
    "#0b83d9",
    "#9e5bd9",
    "#d94182",
    "#e36a00",
    "#bf7000",
    "#2da608",
    "#06a893",
    "#c9806b",
    "#465bb3",
    "#990099",
    "#566614",
    "#525266",
)


@dataclass(frozen=True)
class SeedProject:
    name: str
    client: str | None
    color: str
    active: bool = True
    billable: bool = False


@dataclass(frozen=True)
class SeedTask:
    project: str
    name: str


@dataclass(frozen=True)
class SeedEntry:
    description: str
    project: str | None
    tags: tuple[str, ...]
    start: int  # epoch seconds
    stop: int


@dataclass(frozen=True)
class DemoData:
    user_name: str = "Demo User"
    user_email: str = "demo@example.com"
    workspace_name: str = "Demo Workspace"
    teammate_name: str = "Sam Teammate"
    teammate_email: str = "sam@example.com"
    clients: tuple[str, ...] = ("Acme", "Globex", "Initech")
    projects: tuple[SeedProject, ...] = field(
        default_factory=lambda: (
            SeedProject("Website", "Acme", PALETTE[0], billable=True),
            SeedProject("Mobile app", "Acme", PALETTE[1], billable=True),
            SeedProject("Data migration", "Globex", PALETTE[2], billable=True),
            SeedProject("Support", "Globex", PALETTE[3]),
            SeedProject("Reports", "Initech", PALETTE[4]),
            SeedProject("Internal", None, PALETTE[5]),
            SeedProject("Hiring", None, PALETTE[6]),
            SeedProject("Research", None, PALETTE[7]),
            SeedProject("Open source", None, PALETTE[8]),
            SeedProject("Admin", None, PALETTE[9]),
            SeedProject("Legacy CRM", "Acme", PALETTE[10], active=False),
        )
    )
    tags: tuple[str, ...] = ("meeting", "deep-work", "email", "review", "urgent")
    tasks: tuple[SeedTask, ...] = (
        SeedTask("Website", "Homepage redesign"),
        SeedTask("Website", "Blog section"),
        SeedTask("Data migration", "Schema mapping"),
        SeedTask("Data migration", "Cutover rehearsal"),
    )
    # The teammate's running timer (Clockify only): the in-progress endpoint is workspace-wide.
    teammate_running: tuple[str, str, int] = ("Customer call", "Support", 25 * 60)


DEMO = DemoData()

# (description, project, tags) pools the day generator draws from.
_ACTIVITIES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("Standup", "Internal", ("meeting",)),
    ("Code review", "Website", ("review",)),
    ("Writing report", "Reports", ("deep-work",)),
    ("Email triage", "Admin", ("email",)),
    ("Landing page layout", "Website", ("deep-work",)),
    ("Push notifications", "Mobile app", ("deep-work",)),
    ("Migration dry run", "Data migration", ()),
    ("Customer tickets", "Support", ("urgent",)),
    ("Interview candidate", "Hiring", ("meeting",)),
    ("Read papers on caching", "Research", ()),
    ("Fix issue in upstream library", "Open source", ("review",)),
    ("Sprint planning", "Internal", ("meeting",)),
    ("Invoice clients", "Admin", ("email",)),
    ("Quarterly report charts", "Reports", ()),
    ("Bug bash", "Mobile app", ("urgent", "review")),
)


def demo_entries(now: float) -> list[SeedEntry]:
    """4-6 entries per weekday for the 7 days before today, then today's entries that have
    already ended (so the demo's "Today" total is not empty), oldest first."""
    today = datetime.fromtimestamp(now, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    entries: list[SeedEntry] = []
    for back in range(7, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        entries.extend(e for e in _day_entries(day) if e.stop <= now)
    return entries


def _day_entries(day: datetime) -> list[SeedEntry]:
    rng = random.Random(day.toordinal())
    count = rng.randint(4, 6)
    day_start = int(day.timestamp()) + 9 * 3600
    day_end = int(day.timestamp()) + 17 * 3600
    # Cut the 8-hour day into `count` slots at quarter-hour boundaries, leaving short gaps.
    quarters = sorted(rng.sample(range(2, 32), count - 1))
    bounds = [0, *quarters, 32]
    first = ("Standup", "Internal", ("meeting",))
    picks = [first, *rng.sample(_ACTIVITIES[1:], count - 1)]
    out: list[SeedEntry] = []
    for i, (description, project, tags) in enumerate(picks):
        start = day_start + bounds[i] * 900
        stop = min(day_end, day_start + bounds[i + 1] * 900 - rng.choice((0, 300, 600)))
        if i == 0:
            stop = start + 900  # standups are short
        out.append(SeedEntry(description, project, tags, start, max(stop, start + 300)))
    return out
