"""The entries commands of the one dispatcher (see actions.py): list, add, edit, delete,
continue any entry, split; and `start --at` / `stop --at`. Times are read here, once, from
the text a person typed (core/when.py), so the app and a one-shot command agree.

Requests and their `args` (strings as typed, flags as booleans):
- `entries`  {date?: DAY, week?: bool, since?: DAY, until?: DAY, id?: ID}: the reply carries
  `entries`, the JSON list of DESIGN.md, and `message`, a table by day with day totals.
  With `id`, that one cached entry (no request).
- `add`      {description, start: WHEN, stop?: WHEN, duration?: DUR, project?, task?, tags?
  ("a,b"), billable?}: a finished entry.
- `edit`     {id, description?, start?, stop?, project?, no_project?, task?, tags?,
  billable?, no_billable?}: only the fields given change.
- `delete`   {id}: the entry, here at once and then on the service.
- `continue` {id?}: a new timer like that entry (without id: the last stopped one).
- `split`    {id, at: WHEN}: the entry ends at `at`, a copy goes on from there.
- `start` {..., at?: WHEN} and `stop` {at?: WHEN}: a timer started or stopped at that time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core import errors as e
from ..core.durations import format_clock, utcnow, week_start
from ..core.models import EntryDraft, Project, Service, TimeEntry
from ..core.text import printable
from ..core.when import MAX_AHEAD, day_range, parse_day, parse_duration, parse_when
from ..sync.snapshot import Snapshot
from .actions import (
    ENTRY_COMMANDS,
    Fetch,
    Plan,
    Request,
    Then,
    UsageError,
    checked_description,
    status,
    status_line,
)

if TYPE_CHECKING:
    from ..sync.session import Session

COMMANDS = ENTRY_COMMANDS
#: Arguments that must be text, and those that are flags, when they come over the socket.
TEXT_ARGS = ("id", "start", "stop", "duration", "at", "date", "since", "until", "task")
FLAG_ARGS = ("week", "no_project", "no_billable")
EDITS = ("description", "start", "stop", "project", "no_project", "task", "tags", "billable",
         "no_billable")
DAY_SPAN_MAX = 366  # a longer list is a typo in --since, not a wish


def check_args(args: Mapping[str, Any]) -> None:
    """The shape of a socket request's entries arguments (any local program may write)."""
    for name in TEXT_ARGS:
        if args.get(name) is not None and not isinstance(args[name], str):
            raise UsageError(f"--{name.replace('_', '-')} must be text.")
    for name in FLAG_ARGS:
        if name in args and not isinstance(args[name], bool):
            raise UsageError(f"--{name.replace('_', '-')} takes no value.")


def when(args: Mapping[str, Any], name: str, now: datetime) -> datetime | None:
    text = args.get(name)
    if text is None:
        return None
    try:
        return parse_when(str(text), now)
    except ValueError as exc:
        raise UsageError(f"--{name}: {exc}") from None


def entry_id(args: Mapping[str, Any], command: str) -> str:
    found = str(args.get("id") or "").strip()
    if not found:
        raise UsageError(f"{command} needs the id of an entry (as `trayapp entries` shows it).")
    return found


# -- plans ------------------------------------------------------------------------------------

def plan_entries(request: Request, make: Callable[..., Plan],
                 now: datetime | None = None) -> Plan:
    """The Plan for one of COMMANDS (and `continue ID`); UsageError when the request is
    wrong. `make(apply, **options)` builds the Plan for the chosen service."""
    now = (now or utcnow()).replace(microsecond=0)
    args, command = request.args, request.command
    if command == "entries":
        if args.get("id"):
            wanted = entry_id(args, "entries")
            return make(lambda s: listed(s, [s.entry(wanted)]), then=Then.NOTHING,
                        answer=listing_reply)
        start, end = period(args, now)
        # First use: the catalog too (names of projects, tags), with the usual sync.
        return make(lambda s: listed(s, s.entries_between(start, end)),
                    then=Listing(start, end), answer=listing_reply,
                    refresh_if=lambda snap: snap.last_sync is None)
    if command == "add":
        begin = when(args, "start", now)
        if begin is None:
            raise UsageError("add needs --start WHEN.")
        start = begin
        given = when(args, "stop", now)
        if (given is None) == (args.get("duration") is None):
            raise UsageError("add needs either --stop WHEN or --duration DUR.")
        stop = given
        if stop is None:
            try:
                stop = start + parse_duration(str(args["duration"]))
            except ValueError as exc:
                raise UsageError(f"--duration: {exc}") from None
        if stop <= start:
            raise UsageError("--stop must be after --start: the entry would end before it "
                             "starts.")
        not_ahead(now, start=start, stop=stop)
        end = stop
        return make(lambda s: s.add(draft_of(s.snapshot(), args), start, end),
                    answer=said(f"Added, {span(start, end)}."), refresh_if=no_catalog(args))
    if command == "edit":
        wanted = entry_id(args, "edit")
        if not any(args.get(k) is not None and args.get(k) is not False for k in EDITS):
            raise UsageError("Nothing to change: give at least one option (see `trayapp "
                             "edit --help`).")
        moved = {k: v for k in ("start", "stop") if (v := when(args, k, now)) is not None}
        not_ahead(now, **moved)

        def edit(s: Session) -> Snapshot:
            entry = s.entry(wanted)
            return s.update(entry.id, **changes_of(s.snapshot(), args, moved, entry))

        catalog = no_catalog(args)
        return make(edit, answer=said("Changed."),
                    refresh_if=lambda snap: unknown(wanted)(snap) or catalog(snap))
    if command == "delete":
        wanted = entry_id(args, "delete")
        return make(lambda s: s.delete(s.entry(wanted).id), answer=said("Deleted."),
                    refresh_if=unknown(wanted))
    if command == "split":
        wanted = entry_id(args, "split")
        at = when(args, "at", now)
        if at is None:
            raise UsageError("split needs --at WHEN.")
        return make(lambda s: s.split(wanted, at), answer=said("Split."),
                    refresh_if=unknown(wanted))
    # continue ID
    wanted = entry_id(args, "continue")
    return make(lambda s: s.continue_entry(wanted), refresh_if=unknown(wanted))


def unknown(wanted: str) -> Callable[[Snapshot], bool]:
    """An entry named by id that this computer does not hold (made on the web, or since the
    last look): sync first. One request; older entries are found once their day is listed."""
    return lambda snap: not any(x.id == wanted for x in snap.entries)


def not_ahead(now: datetime, **moments: datetime) -> None:
    """Times more than a day ahead are refused: the services take them, but they are typos."""
    for name, moment in moments.items():
        if moment > now + MAX_AHEAD:
            raise UsageError(f"--{name} is more than a day in the future: "
                             f"{moment.astimezone():%Y-%m-%d %H:%M}.")


def no_catalog(args: Mapping[str, Any]) -> Callable[[Snapshot], bool]:
    """A project (or task) is named, with an option or @ / + in the description, but none
    is known yet (a first command): sync first."""
    named = bool(args.get("project")) or any(m in str(args.get("description") or "")
                                             for m in "@+")
    return lambda snap: named and not snap.projects


def period(args: Mapping[str, Any], now: datetime) -> tuple[datetime, datetime]:
    """The local days `entries` lists: today, --date, --week (this week) or --since/--until."""
    chosen = [k for k in ("date", "week", "since") if args.get(k)]
    if len(chosen) > 1:
        raise UsageError("Give one of --date, --week and --since.")
    if args.get("until") and not args.get("since"):
        raise UsageError("--until goes with --since.")

    def day(name: str) -> date:
        try:
            return parse_day(str(args[name]), now)
        except ValueError as exc:
            raise UsageError(f"--{name}: {exc}") from None

    today = parse_day("today", now)
    if args.get("date"):
        first = last = day("date")
    elif args.get("week"):
        first = week_start(today)
        last = first + timedelta(days=6)
    elif args.get("since"):
        first, last = day("since"), day("until") if args.get("until") else today
        if last < first:
            raise UsageError("--until is before --since.")
        if (last - first).days >= DAY_SPAN_MAX:
            raise UsageError(f"List at most {DAY_SPAN_MAX} days at once.")
    else:
        first = last = today
    return day_range(first, last)


@dataclass(frozen=True)
class Listing(Fetch):
    """After the local step: ask the service for the range when the cache does not know it
    fresh (Session.load), then list it. Offline, the cached entries, and why."""

    start: datetime
    end: datetime

    def run(self, session: Session) -> Snapshot:
        if session.snapshot().pending:  # what waits goes first: the list then shows it sent
            session.flush()
        try:
            found = session.load(self.start, self.end)
        except e.TrackerError:
            found = session.entries_between(self.start, self.end)  # error in the snapshot
        return listed(session, found)


def listed(session: Session, found: list[TimeEntry]) -> Snapshot:
    return replace(session.snapshot(), listing=tuple(found),
                   listing_pending=frozenset(session.pending_ids()))


# -- names to ids -----------------------------------------------------------------------------

def find_project(snapshot: Snapshot, name: str) -> Project:
    """Exact, case-insensitive, by name or "Client / Project"; several of one name: the
    choices are listed (DESIGN.md)."""
    wanted = name.strip().casefold()
    named = [p for p in snapshot.projects if wanted in (p.name.casefold(), p.label.casefold())]
    matches = [p for p in named if p.active]  # the cache holds archived ones too
    if not matches and named:
        raise e.NotFound(f"Project “{named[0].label}” is archived: restore it first "
                         f"(`trayapp project restore \"{named[0].label}\"`).")
    if not matches:
        raise e.NotFound(f"No project named “{name}”.")
    if len({p.id for p in matches}) > 1:
        choices = ", ".join(f"“{p.label}”" for p in matches)
        raise UsageError(f"Several projects are named “{name}”: say which, as {choices}.")
    return matches[0]


def find_task(snapshot: Snapshot, project_id: str | None, name: str) -> str:
    if not project_id:
        raise UsageError("--task needs the entry's project (--project).")
    tasks = [t for t in snapshot.tasks if t.project_id == project_id]
    match = [t for t in tasks if t.name.casefold() == name.strip().casefold()]
    if not match:
        known = ", ".join(f"“{t.name}”" for t in tasks)
        raise e.NotFound(f"No task named “{name}” is known in that project"
                         + (f" (known: {known})." if known else
                            "; open the project's tasks in the tray once to load them."))
    return match[0].id


def tags_of(args: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(t.strip() for t in str(args.get("tags") or "").split(",") if t.strip())


class UnknownName(e.TrackerError):
    """A name in the quick-entry text that the catalog does not have, or has several of."""

    title = "Not understood"


def draft_of(snapshot: Snapshot, args: Mapping[str, Any]) -> EntryDraft:
    """`DESCRIPTION --project P --task T --tags a,b --billable` as a draft. The description
    is read as a quick entry (`Fix login @Website #bug +Testing $`, core/quick_entry.py):
    a name it does not know, or knows several of, is an error that lists the choices."""
    from ..core.quick_entry import understand

    text = checked_description(str(args.get("description") or ""))
    tasks = snapshot.tasks if snapshot.service is Service.CLOCKIFY else None
    found = understand(text, snapshot.projects, snapshot.tags, tasks)
    blocking = [p.message for p in found.problems if p.blocking]
    if blocking:
        raise UnknownName(" ".join(blocking))
    project = found.project
    if args.get("project"):
        if project is not None:
            raise UsageError("The project is named twice (with @ and with --project): keep "
                             "one.")
        project = find_project(snapshot, str(args["project"]))
    task_id = found.task.id if found.task else None
    if args.get("task"):
        if task_id is not None:
            raise UsageError("The task is named twice (with + and with --task): keep one.")
        task_id = find_task(snapshot, project.id if project else None, str(args["task"]))
    return EntryDraft(description=found.description,
                      project_id=project.id if project else None, task_id=task_id,
                      tags=tuple(dict.fromkeys((*found.tags, *tags_of(args)))),
                      billable=bool(args.get("billable")) or found.billable_given
                      or bool(project and project.billable))


def changes_of(snapshot: Snapshot, args: Mapping[str, Any], moved: dict[str, datetime],
               entry: TimeEntry) -> dict[str, Any]:
    """`edit`'s options as Session.update's changes; nothing given is a usage error."""
    out: dict[str, Any] = dict(moved)
    if args.get("description") is not None:
        out["description"] = checked_description(str(args["description"]))
    if args.get("project") and args.get("no_project"):
        raise UsageError("Give --project or --no-project, not both.")
    if args.get("project"):
        project = find_project(snapshot, str(args["project"]))
        out["project_id"] = project.id
    elif args.get("no_project"):
        out["project_id"] = None
        out["task_id"] = None
    if args.get("task"):
        project_id = out.get("project_id", entry.project_id)
        out["task_id"] = find_task(snapshot, project_id, str(args["task"]))
    if args.get("tags") is not None:
        out["tags"] = tags_of(args)
    if args.get("billable") and args.get("no_billable"):
        raise UsageError("Give --billable or --no-billable, not both.")
    if args.get("billable") or args.get("no_billable"):
        out["billable"] = bool(args.get("billable"))
    if not out:
        raise UsageError("Nothing to change: give at least one option (see `trayapp edit "
                         "--help`).")
    return out


# -- the answer -------------------------------------------------------------------------------

def said(what: str) -> Callable[[Snapshot], dict[str, Any]]:
    """A reply's message: what was done, then the status line as for any command."""
    return lambda after: {"message": f"{what}\n{status_line(status(after))}"}


def span(start: datetime, stop: datetime) -> str:
    first, last = start.astimezone(), stop.astimezone()
    day = f"{first:%a} {first.day} {first:%b}"
    return (f"{day} {first:%H:%M}–{last:%H:%M} "
            f"({format_clock(int((stop - start).total_seconds()))})")


def listing_reply(after: Snapshot, now: datetime | None = None) -> dict[str, Any]:
    """`entries`: the JSON list and the table, from the snapshot's listing."""
    now = now or utcnow()
    found = after.listing or ()
    rows = [as_json(x, after, now) for x in found]
    return {"entries": rows, "message": table(rows) if rows else "No entries."}


def as_json(entry: TimeEntry, snapshot: Snapshot, now: datetime) -> dict[str, Any]:
    """One entry as `entries --json` prints it (DESIGN.md). A task not loaded here is
    named by its id."""
    project = snapshot.project_by_id.get(entry.project_id or "")
    task = next((t.name for t in snapshot.tasks if t.id == entry.task_id), entry.task_id)
    return {
        "id": entry.id, "description": entry.description,
        "project": project.name if project else None,
        "client": project.client_name if project else None,
        "task": task, "tags": list(entry.tags), "billable": entry.billable,
        "start": stamp(entry.start),
        "stop": stamp(entry.stop) if entry.stop else None,
        "duration_seconds": entry.seconds(now),
        "pending": entry.id in snapshot.listing_pending,
    }


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def table(rows: list[dict[str, Any]]) -> str:
    """Grouped by local day (newest first), a total per day; `*`: not yet sent."""
    from ..core.durations import parse_timestamp

    lines: list[str] = []
    days: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        days.setdefault(parse_timestamp(row["start"]).astimezone().date(), []).append(row)
    width = max(len(r["id"]) for r in rows)
    for day, group in days.items():
        total = sum(r["duration_seconds"] for r in group)
        lines.append(f"{day:%a} {day.isoformat()}  total {format_clock(total)}")
        for r in group:
            start = parse_timestamp(r["start"]).astimezone()
            stop = f"{parse_timestamp(r['stop']).astimezone():%H:%M}" if r["stop"] else "now  "
            what = [r["description"] or "(no description)"]
            if r["project"]:
                what.append(f"{r['client']} / {r['project']}" if r["client"] else r["project"])
            if r["task"]:
                what.append(r["task"])
            what += [f"#{t}" for t in r["tags"]]
            if r["billable"]:
                what.append("$")
            mark = "*" if r["pending"] else " "
            lines.append(printable(
                f"  {r['id']:<{width}} {mark} {start:%H:%M}–{stop:<5} "
                f"{format_clock(r['duration_seconds']):>8}  {' · '.join(what)}"))
    if any(r["pending"] for r in rows):
        lines.append("* not yet sent to the service")
    return "\n".join(lines)
