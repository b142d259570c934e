"""The catalog commands of the one dispatcher (see actions.py): projects, clients, tags and
(Clockify) tasks, for the command line, the manager window and "Create project 'X'" in the
dialogs, the same way.

Requests and their `args` (names as typed; matched exactly but case-insensitively;
"Client / Project" picks among projects of one name; archived items are found too):
- `project` {action: list|add|rename|archive|restore|delete, name?, new?, client?, color?,
  billable?, archived? (list: archived ones too)}
- `client`  {action: list|add|rename|archive|restore|delete, name?, new?, archived?}
- `tag`     {action: list|add|rename|delete, name?, new?}
- `task`    {action: list|add|rename|done|delete, project, name?, new?, archived?}
- `create_project` {name, client?, color?, billable?}, `create_client` {name},
  `create_tag` {name}: `add`, as the dialogs say it. The reply carries `item`.

`list` replies with `items` (the JSON array of DESIGN.md) and a table in `message`. `add`
is local first and queued like an entry (exit 75 offline); rename, archive, restore, done
and delete are made on the service at once (offline: refused, nothing changes). The words a
delete is confirmed with come from `delete_question`, for the terminal and the window alike.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..core import errors as e
from ..core.models import Project, Service, Task
from ..core.text import one_line, printable
from ..sync.catalog import archived
from ..sync.snapshot import Snapshot
from .actions import Fetch, Plan, Request, UsageError

if TYPE_CHECKING:
    from ..sync.session import Session

KINDS = ("project", "client", "tag", "task")
CREATE_COMMANDS = frozenset({"create_project", "create_client", "create_tag"})
COMMANDS = frozenset(KINDS) | CREATE_COMMANDS
ACTIONS = {
    "project": ("list", "add", "rename", "archive", "restore", "delete"),
    "client": ("list", "add", "rename", "archive", "restore", "delete"),
    "tag": ("list", "add", "rename", "delete"),
    "task": ("list", "add", "rename", "done", "delete"),
}
TEXT_ARGS = ("action", "name", "new", "client", "color", "project")
FLAG_ARGS = ("archived", "billable")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: A list is read from the cache when it was loaded this recently (else asked again).
LIST_FRESH_SECONDS = 60.0
NO_TASKS = "Toggl Track has no tasks here: tasks are managed on Clockify only."


def check_args(args: Mapping[str, Any]) -> None:
    """The shape of a socket request's catalog arguments (any local program may write)."""
    for name in TEXT_ARGS:
        if args.get(name) is not None and not isinstance(args[name], str):
            raise UsageError(f"{name} must be text.")
    for name in FLAG_ARGS:
        if name in args and not isinstance(args[name], bool):
            raise UsageError(f"--{name} takes no value.")


def kind_and_action(request: Request) -> tuple[str, str]:
    if request.command in CREATE_COMMANDS:
        return request.command.removeprefix("create_"), "add"
    kind, action = request.command, str(request.args.get("action") or "list")
    if action not in ACTIONS[kind]:
        raise UsageError(f"{kind} {action}: not a command; use one of "
                         f"{', '.join(ACTIONS[kind])}.")
    return kind, action


def text(args: Mapping[str, Any], name: str, what: str) -> str:
    value = str(args.get(name) or "").strip()
    if not value:
        raise UsageError(f"Give the {what}.")
    return value


# -- plans ------------------------------------------------------------------------------------

def plan_catalog(request: Request, make: Callable[..., Plan], service: Service) -> Plan:
    """The Plan for one of COMMANDS; UsageError when the request is wrong."""
    kind, action = kind_and_action(request)
    args = request.args
    if kind == "task" and service is Service.TOGGL:
        raise UsageError(NO_TASKS)
    loaded: Callable[[Snapshot], bool] = lambda snap: snap.last_sync is None  # noqa: E731
    if action == "list":
        project = text(args, "project", "project (task list PROJECT)") if kind == "task" else None

        def look(s: Session) -> Snapshot:
            if project is not None:
                find(s.snapshot(), "project", project)
            return s.snapshot()

        return make(look, then=Listed(kind, project), online=True,
                    answer=listing(kind, bool(args.get("archived")), project),
                    refresh_if=loaded)
    if kind == "task":
        project = text(args, "project", "project")
        name = text(args, "name", "task's name")
        new = text(args, "new", "new name") if action == "rename" else None
        return make(lambda s: find(s.snapshot(), "project", project) and s.snapshot(),
                    then=Change(kind, action, name, new, project), online=True,
                    answer=said_done(kind, action, name, new), refresh_if=loaded)
    name = text(args, "name", f"{kind}'s name")
    if action == "add":
        color = args.get("color")
        if color is not None and not COLOR.match(str(color)):
            raise UsageError(f"--color {color}: give it as #RRGGBB, e.g. #0b83d9.")
        client = str(args.get("client") or "").strip() or None
        if client is not None and kind != "project":
            raise UsageError("--client goes with a project.")

        sent = SentOrForgotten()

        def add(s: Session) -> Snapshot:
            if kind == "project":
                if client is not None:
                    find(s.snapshot(), "client", client)  # the suggestions, if unknown
                made: Any = s.create_project(name, client_name=client, color=color,
                                             billable=bool(args.get("billable")))
            elif kind == "client":
                made = s.create_client(name)
            else:
                made = s.create_tag(name)
            sent.made.append(made.id)
            return s.snapshot()

        return make(add, then=sent, refresh_if=loaded, answer=added(kind, name, client))
    new = text(args, "new", "new name") if action == "rename" else None
    settings = project_settings(args) if kind == "project" and action == "rename" else {}
    if settings and new is not None and new.casefold() == name.casefold():
        new = None  # the manager's edit: the same name, other settings
    return make(lambda s: find(s.snapshot(), kind, name, action) and s.snapshot(),
                then=Change(kind, action, name, new, settings=settings), online=True,
                answer=said_done(kind, action, name, new), refresh_if=loaded)


def project_settings(args: Mapping[str, Any]) -> dict[str, Any]:
    """A project's client ("" for none), colour and billable, as the manager changes them
    along with a rename (`project` {action: rename, name, new, client?, color?, billable?})."""
    out: dict[str, Any] = {}
    if "client" in args:
        out["client"] = str(args["client"] or "").strip()
    if args.get("color") is not None:
        if not COLOR.match(str(args["color"])):
            raise UsageError(f"color {args['color']}: give it as #RRGGBB, e.g. #0b83d9.")
        out["color"] = str(args["color"])
    if "billable" in args:
        out["billable"] = bool(args["billable"])
    return out


@dataclass
class SentOrForgotten(Fetch):
    """An `add`: sent at once. One the service refuses is forgotten at once too: the reply
    says why, and nothing waits on it, so no refused name is left to stand in the way of
    the next command (offline it stays queued, to be sent later)."""

    made: list[str] = field(default_factory=list)  # its local id, once the plan applied

    def run(self, session: Session) -> Snapshot:
        after = session.flush()
        refused = []
        for problem in after.problems:
            item = session.store.outbox_item(problem.seq)
            if item is not None and item.entry_id in self.made:
                refused.append(problem)
                session.drop(problem.seq)
        if not refused:
            return after
        now = session.snapshot()  # reported by this reply, no longer kept
        return replace(now, problems=now.problems + tuple(refused))


@dataclass(frozen=True)
class Listed(Fetch):
    """A list, from the cache when it was loaded a moment ago; else loaded again first
    (projects, clients, tags: a request each; a project's tasks: one). Offline: the
    cached list, and why (the error in the snapshot)."""

    kind: str
    project: str | None = None

    def run(self, session: Session) -> Snapshot:
        try:
            if self.kind == "task":
                assert self.project is not None
                found = find(session.snapshot(), "project", self.project)
                session.tasks(found.id, include_done=True)
            else:
                age = session.catalog_age()
                if age is None or age > LIST_FRESH_SECONDS:
                    session.refresh_catalog(session.prepare())
        except e.TrackerError as exc:
            return replace(session.snapshot(), error=exc)
        return replace(session.snapshot(), error=None)


@dataclass(frozen=True)
class Change(Fetch):
    """A change made on the service at once (rename, archive, restore, done, delete, a new
    task): found by name in the cache, then asked. Its error, if any, is the snapshot's."""

    kind: str
    action: str
    name: str
    new: str | None = None
    project: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def run(self, session: Session) -> Snapshot:
        try:
            apply_change(session, self)
        except e.TrackerError as exc:
            return replace(session.snapshot(), error=exc)
        return replace(session.snapshot(), error=None)


def apply_change(session: Session, change: Change) -> None:
    snapshot = session.snapshot()
    if change.kind == "task":
        assert change.project is not None
        project = find(snapshot, "project", change.project)
        session.tasks(project.id, include_done=True)  # the tasks as they are now
        if change.action == "add":
            session.add_task(project, change.name)
            return
        item: Any = find(session.snapshot(), "task", change.name, change.action,
                         project_id=project.id)
    else:
        item = find(snapshot, change.kind, change.name, change.action)
    if change.action == "rename":
        if change.settings:
            changes = dict(change.settings)
            if "client" in changes:
                client = changes.pop("client")
                changes["client"] = find(snapshot, "client", client) if client else None
            item = session.edit_project(item, **changes)
        if change.new is not None:
            session.rename_item(change.kind, item, change.new)
    elif change.action in ("archive", "done"):
        if archived(item):
            raise e.Conflict(f"“{item.name}” is {'done' if change.kind == 'task' else 'archived'}"
                             " already.")
        session.archive_item(change.kind, item, True)
    elif change.action == "restore":
        if not archived(item):
            raise e.Conflict(f"“{item.name}” is not archived.")
        session.archive_item(change.kind, item, False)
    elif change.action == "delete":
        session.delete_item(change.kind, item)


# -- names to items ---------------------------------------------------------------------------

def items_of(snapshot: Snapshot, kind: str, project_id: str | None = None) -> list[Any]:
    if kind == "project":
        return list(snapshot.projects)
    if kind == "client":
        return list(snapshot.clients)
    if kind == "tag":
        return list(snapshot.tags)
    return [t for t in snapshot.tasks if project_id is None or t.project_id == project_id]


def label(item: Any) -> str:
    return item.label if isinstance(item, Project) else item.name


def find(snapshot: Snapshot, kind: str, name: str, action: str = "",
         project_id: str | None = None) -> Any:
    """The one item of `kind` named `name` (exactly, case-insensitively; a project also by
    "Client / Project"), archived ones included. None: NotFound, with the closest names;
    several: UsageError listing them (an archive prefers active ones, a restore archived
    ones, others active ones)."""
    wanted = name.strip().casefold()
    items = items_of(snapshot, kind, project_id)
    matches = [x for x in items if wanted in (x.name.casefold(), label(x).casefold())]
    if not matches:
        labels = sorted({label(x) for x in items})
        close = difflib.get_close_matches(name.strip(), labels, n=3, cutoff=0.6) or [
            x for x in labels if wanted and wanted in x.casefold()][:3]
        listed = f"`trayapp {kind} list{' PROJECT' if kind == 'task' else ''} --archived`"
        hint = (f" Did you mean {' or '.join(f'“{c}”' for c in close)}?" if close
                else f" {listed} shows them.")
        raise e.NotFound(f"No {kind} named “{name.strip()}”.{hint}")
    if len(matches) > 1:
        want_archived = action == "restore"
        preferred = [x for x in matches if archived(x) == want_archived]
        if len(preferred) == 1:
            return preferred[0]
        choices = ", ".join(f"“{label(x)}”" + (" (archived)" if archived(x) else "")
                            for x in matches)
        raise UsageError(f"Several {kind}s are named “{name.strip()}”: say which, as {choices}.")
    return matches[0]


def match_row(rows: list[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    """The one `list --json` row named `name` (or "Client / Project"); None: none or
    several (the command itself then says which)."""
    wanted = name.strip().casefold()
    found = [r for r in rows if wanted in (str(r.get("name", "")).casefold(), (
        f"{r['client']} / {r['name']}".casefold() if r.get("client") else ""))]
    return found[0] if len(found) == 1 else None


# -- the answers ------------------------------------------------------------------------------

def as_json(kind: str, item: Any, snapshot: Snapshot) -> dict[str, Any]:
    """One item as `list --json` prints it (DESIGN.md): id, name, archived; projects also
    client, color, billable; tasks project and done. `pending`: not on the service yet."""
    out: dict[str, Any] = {"id": item.id, "name": item.name, "archived": archived(item),
                           "pending": item.id.startswith("local-")}
    if isinstance(item, Project):
        out.update(client=item.client_name, color=item.color, billable=item.billable)
    if isinstance(item, Task):
        owner = snapshot.project_by_id.get(item.project_id)
        out.update(project=owner.name if owner else None, done=not item.active)
    return out


def listing(kind: str, with_archived: bool, project: str | None
            ) -> Callable[[Snapshot], dict[str, Any]]:
    def answer(after: Snapshot) -> dict[str, Any]:
        try:
            project_id = find(after, "project", project).id if project else None
        except e.TrackerError:
            return {"items": [], "message": ""}  # the plan said why
        found = [x for x in items_of(after, kind, project_id)
                 if with_archived or not archived(x)]
        found.sort(key=lambda x: (label(x).casefold(), x.id))
        rows = [as_json(kind, x, after) for x in found]
        return {"items": rows, "message": table(kind, found) if found else f"No {kind}s."}

    return answer


def table(kind: str, found: list[Any]) -> str:
    lines = []
    for item in found:
        parts = [label(item)]
        if isinstance(item, Project):
            parts.append(item.color)
            if item.billable:
                parts.append("$")
        if archived(item):
            parts.append("(done)" if kind == "task" else "(archived)")
        if item.id.startswith("local-"):
            parts.append("(not yet sent)")
        lines.append(printable("  ".join(parts)))
    return "\n".join(lines)


def added(kind: str, name: str, client: str | None) -> Callable[[Snapshot], dict[str, Any]]:
    """`add`: what was made, and the item (its id is local until the service has it)."""
    def answer(after: Snapshot) -> dict[str, Any]:
        match = [x for x in items_of(after, kind) if x.name.casefold() == " ".join(
            name.split()).casefold() and (client is None or not isinstance(x, Project)
                                          or (x.client_name or "").casefold()
                                          == client.casefold())]
        reply: dict[str, Any] = {"message": printable(f"Added {kind} “{one_line(name, 80)}”.")}
        if match:
            reply["item"] = as_json(kind, match[0], after)
        return reply

    return answer


PAST = {"rename": "Renamed", "archive": "Archived", "restore": "Restored", "done": "Marked done",
        "delete": "Deleted", "add": "Added"}


def said_done(kind: str, action: str, name: str, new: str | None
              ) -> Callable[[Snapshot], dict[str, Any]]:
    to = f" to “{one_line(new, 80)}”" if new else ""
    line = printable(f"{PAST[action]} {kind} “{one_line(name, 80)}”{to}.")
    return lambda after: {"message": line}


def delete_question(kind: str, item: Any, service: Service | str) -> str:
    """What to ask before a delete, saying what the service demands and what becomes of
    the entries (`item`: a model or a `list --json` row). The same words for the terminal
    and the manager window."""
    service = Service(service)
    name = one_line(str(item["name"] if isinstance(item, Mapping) else item.name), 60)
    is_archived = bool(item["archived"]) if isinstance(item, Mapping) else archived(item)
    said = [f"Delete the {kind} “{name}” from {service.title}?"]
    if kind == "project":
        if service is Service.CLOCKIFY and not is_archived:
            said.append("Clockify deletes only archived projects, so it is archived first.")
        said.append("Its time entries stay, without a project"
                    + (" (and its tasks are deleted)." if service is Service.CLOCKIFY else "."))
    elif kind == "client":
        said.append("Its projects stay, without a client.")
    elif kind == "tag":
        said.append("It is taken off the time entries that have it.")
    elif kind == "task":
        if not is_archived:
            said.append("Clockify deletes only done tasks, so it is marked done first.")
        said.append("Its time entries stay, without a task.")
    said.append("This cannot be undone.")
    return " ".join(said)


def catalog_outcome(plan: Plan, after: Snapshot, reply: dict[str, Any],
                    still_sending: bool) -> dict[str, Any]:
    """The reply to an online plan (a list, or a change made on the service at once):
    nothing was queued, so a failure is an error (exit 1), never "saved, sent later"."""
    if "items" not in reply and (still_sending or after.error is not None):
        reply = {k: v for k, v in reply.items() if k != "message"}  # not done (yet)
    if still_sending:
        return {**reply, "ok": False, "exit": 1,
                "error": "The service has not answered yet; the change may still be made. "
                         "List again in a moment to see."}
    if after.error is None:
        return reply
    error = after.error
    if error.transient:
        what = "This is the last known list." if "items" in reply else "Nothing was changed."
        return {**reply, "ok": False, "exit": 1,
                "error": f"{error.title}: {error.message} {what}"}
    return {**reply, "ok": False, "exit": 2 if isinstance(error, UsageError) else 1,
            "error": f"{error.title}: {error.text}"}
