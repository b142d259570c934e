"""Request budget for a scripted working day, counted from the emulator's request log; and
the timesheet's: what opening a day or a week, and adding, editing and deleting, cost.

The day: launch with a warm cache, 12 timer switches and 40 menu opens over 8 working hours,
then 8 idle hours with the app open and untouched, on a
simulated clock (the same clock for the app's session and the emulator), driving the same
Session and SyncPolicy the tray app uses. Reported per action and per hour, for both services.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import save
from trayapp.core.models import EntryDraft, Service
from trayapp.emulator import Emulator, serve
from trayapp.sync.account import Account
from trayapp.sync.ranges import FRESH_FOR
from trayapp.sync.schedule import SyncPolicy

KEY = "bench-key"
DAY_START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WORK_HOURS = 8
SWITCHES = 12
MENU_OPENS = 40
IDLE_HOURS = 8


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def day(service: Service) -> dict:
    clock = Clock(DAY_START - timedelta(days=1))
    emulator = Emulator(api_key=KEY, seed=True, clock=lambda: clock.now.timestamp())
    server = serve(emulator, "127.0.0.1", 0)
    store = Path(tempfile.mkdtemp(prefix="trayapp-budget-")) / "s.sqlite3"
    try:
        # Yesterday: the first launch fills the cache (cold start), then the app quits.
        account = Account(KEY, server.base_url, store, clock=clock, per_second=0)
        cold_start = len(emulator.requests)
        account.session(service).sync()
        cold = len(emulator.requests) - cold_start
        account.close()

        # Today: launch with a warm cache.
        clock.now = DAY_START
        emulator.clear_requests()
        account = Account(KEY, server.base_url, store, clock=clock, per_second=0)
        session = account.session(service)
        policy = SyncPolicy()
        counts: Counter[str] = Counter()

        def spend(label: str, fn) -> object:
            before = len(emulator.requests)
            result = fn()
            counts[label] += len(emulator.requests) - before
            return result

        snapshot = spend("launch", session.sync)
        next_sync = clock.now + policy.next_delay(snapshot, clock.now)
        end = DAY_START + timedelta(hours=WORK_HOURS)
        rng = random.Random(7)
        span = int((end - DAY_START).total_seconds())
        events = sorted([(rng.randrange(60, span), "switch") for _ in range(SWITCHES)]
                        + [(rng.randrange(60, span), "menu") for _ in range(MENU_OPENS)])
        actions: Counter[str] = Counter()
        for offset, kind in events + [(span, "end")]:
            at = DAY_START + timedelta(seconds=offset)
            while next_sync <= at:  # the idle timer fires on its own schedule
                clock.now = next_sync
                snapshot = spend("idle sync", lambda: session.sync(catalog=False))
                actions["idle sync"] += 1
                next_sync = clock.now + policy.next_delay(snapshot, clock.now)
            clock.now = at
            if kind == "switch":
                session.start(EntryDraft(f"Task {actions['switch']}"))
                spend("switch", session.flush)
                actions["switch"] += 1
            elif kind == "menu":
                actions["menu open"] += 1
                if policy.worth_a_look(session.snapshot(), clock.now):
                    snapshot = spend("menu open", session.sync)
                    # As in the app: any sync restarts the idle timer.
                    next_sync = clock.now + policy.next_delay(snapshot, clock.now)
        session.stop()
        spend("stop", session.flush)
        actions["stop"] += 1
        actions["launch"] = 1

        # Then the app stays open, untouched, for the idle hours.
        idle_end = clock.now + timedelta(hours=IDLE_HOURS)
        idle_from = len(emulator.requests)
        while next_sync <= idle_end:
            clock.now = next_sync
            snapshot = spend("idle sync", lambda: session.sync(catalog=False))
            actions["idle sync"] += 1
            next_sync = clock.now + policy.next_delay(snapshot, clock.now)
        idle_requests = len(emulator.requests) - idle_from

        per_hour: Counter[int] = Counter(
            int((datetime.fromtimestamp(r.time, UTC) - DAY_START).total_seconds() // 3600)
            for r in emulator.requests if r.app == service.value)
        account.close()
        total = sum(counts.values())
        return {
            "service": service.value,
            "cold_start_requests": cold,
            "requests": dict(counts),
            "actions": dict(actions),
            "per_action": {k: round(counts[k] / actions[k], 2) for k in counts if actions[k]},
            "total_day": total,
            "max_per_hour": max(per_hour.values()) if per_hour else 0,
            "per_hour": [per_hour.get(h, 0) for h in range(WORK_HOURS + IDLE_HOURS + 1)],
            "idle_per_hour": round(idle_requests / IDLE_HOURS, 2),
        }
    finally:
        server.close()


BIG_WEEK = 2000  # entries in one past week: the timesheet's heavy case


def fill_week(emulator: Emulator, service: Service, monday: datetime) -> None:
    """BIG_WEEK short entries in the week from `monday`, put on the server directly."""
    step = int(timedelta(days=7).total_seconds()) // BIG_WEEK
    first = int(monday.timestamp())
    for n in range(BIG_WEEK):
        start = first + n * step
        if service is Service.TOGGL:
            emulator.toggl.add_entry(description=f"Bulk {n}", start=start, stop=start + 60,
                                     at=start)
        else:
            emulator.clockify.add("entry", description=f"Bulk {n}", start=start,
                                  end=start + 60)


def timesheet(service: Service) -> dict:
    """Requests spent by the timesheet's actions, on a warm cache: a day and a week opened
    fresh and stale, a past week of BIG_WEEK entries opened twice, and an entry added,
    edited and deleted (each sent at once, as the app does)."""
    clock = Clock(DAY_START + timedelta(hours=3))  # a Monday
    emulator = Emulator(api_key=KEY, seed=True, clock=lambda: clock.now.timestamp())
    server = serve(emulator, "127.0.0.1", 0)
    store = Path(tempfile.mkdtemp(prefix="trayapp-sheet-")) / "s.sqlite3"
    monday = (DAY_START - timedelta(days=DAY_START.weekday())).replace(hour=0)
    big = monday - timedelta(days=21)
    fill_week(emulator, service, big)
    try:
        account = Account(KEY, server.base_url, store, clock=clock, per_second=0)
        session = account.session(service)
        session.sync()  # the app's launch: the cache is warm from here on
        counts: dict[str, int] = {}

        def spend(label: str, fn) -> object:
            before = len([r for r in emulator.requests if r.app == service.value])
            result = fn()
            counts[label] = len([r for r in emulator.requests
                                 if r.app == service.value]) - before
            return result

        def stale() -> None:
            clock.now += FRESH_FOR + timedelta(minutes=1)

        day = (DAY_START.replace(hour=0), DAY_START.replace(hour=0) + timedelta(days=1))
        week = (monday, monday + timedelta(days=7))
        last_week = (monday - timedelta(days=7), monday)
        spend("open today, fresh", lambda: session.load(*day))
        stale()
        spend("open today, stale", lambda: session.load(*day))
        spend("open this week, just after", lambda: session.load(*week))
        stale()
        spend("open last week, stale", lambda: session.load(*last_week))
        found = spend(f"open a past week of {BIG_WEEK}, first time",
                      lambda: session.load(big, big + timedelta(days=7)))
        assert isinstance(found, list) and len(found) >= BIG_WEEK, len(found)  # type: ignore
        spend(f"open a past week of {BIG_WEEK}, again",
              lambda: session.load(big, big + timedelta(days=7)))
        now = clock.now
        session.add(EntryDraft("Meeting"), now - timedelta(hours=2), now - timedelta(hours=1))
        spend("add a past entry", session.flush)
        added = next(x for x in session.snapshot().entries if x.description == "Meeting")
        session.update(added.id, description="Meeting, notes", start=now - timedelta(hours=3))
        spend("edit it (description, start)", session.flush)
        session.delete(added.id)
        spend("delete it", session.flush)
        session.add(EntryDraft("Unsent"), now - timedelta(hours=5), now - timedelta(hours=4))
        unsent = next(x for x in session.snapshot().entries if x.description == "Unsent")
        session.update(unsent.id, description="Unsent, edited")
        session.delete(unsent.id)
        spend("add, edit and delete before sending", session.flush)
        account.close()
        return {"service": service.value, "timesheet_requests": counts}
    finally:
        server.close()


def manager(service: Service) -> dict:
    """Requests spent by the manager's actions (the same as the command line's `project`,
    `client`, `tag`, `task`), on a warm cache: each sent at once, as the app does."""
    clock = Clock(DAY_START + timedelta(hours=3))
    emulator = Emulator(api_key=KEY, seed=True, clock=lambda: clock.now.timestamp())
    server = serve(emulator, "127.0.0.1", 0)
    store = Path(tempfile.mkdtemp(prefix="trayapp-manager-")) / "s.sqlite3"
    try:
        account = Account(KEY, server.base_url, store, clock=clock, per_second=0)
        session = account.session(service)
        session.sync()
        wid = session.prepare()
        counts: dict[str, int] = {}

        def spend(label: str, fn) -> object:
            before = len([r for r in emulator.requests if r.app == service.value])
            result = fn()
            counts[label] = len([r for r in emulator.requests
                                 if r.app == service.value]) - before
            return result

        def named(kind: str, name: str):
            return next(x for x in session.catalog_items(kind, True) if x.name == name)

        spend("load the catalog (projects, clients, tags)", lambda: session.refresh_catalog(wid))
        spend("add a project", lambda: (session.create_project("Bench"), session.flush()))
        spend("add a client", lambda: (session.create_client("Bench Co"), session.flush()))
        spend("add a tag", lambda: (session.create_tag("bench"), session.flush()))
        spend("add a project and a timer on it", lambda: (
            session.start(EntryDraft("On it", project_id=session.create_project("Fresh").id)),
            session.flush()))
        spend("rename a project", lambda: session.rename_item("project", named("project",
                                                                              "Bench"), "B2"))
        spend("archive a project", lambda: session.archive_item("project",
                                                                named("project", "B2")))
        spend("restore a project", lambda: session.archive_item("project",
                                                                named("project", "B2"), False))
        spend("delete an active project", lambda: session.delete_item("project",
                                                                      named("project", "B2")))
        spend("rename a client", lambda: session.rename_item("client", named("client",
                                                                            "Bench Co"), "BC"))
        spend("delete a client", lambda: session.delete_item("client", named("client", "BC")))
        spend("delete a tag", lambda: session.delete_item("tag", named("tag", "bench")))
        if service is Service.CLOCKIFY:
            project = named("project", "Fresh")
            spend("list a project's tasks", lambda: session.tasks(project.id, include_done=True))
            spend("add a task", lambda: session.add_task(project, "T"))
            spend("mark a task done", lambda: session.archive_item("task", named("task", "T")))
            spend("delete a done task", lambda: session.delete_item("task", named("task", "T")))
            session.add_task(project, "U")
            spend("delete an active task", lambda: session.delete_item("task",
                                                                       named("task", "U")))
        account.close()
        return {"service": service.value, "manager_requests": counts}
    finally:
        server.close()


def main() -> int:
    report = [day(Service.TOGGL), day(Service.CLOCKIFY),
              timesheet(Service.TOGGL), timesheet(Service.CLOCKIFY),
              manager(Service.TOGGL), manager(Service.CLOCKIFY)]
    save("budget", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
