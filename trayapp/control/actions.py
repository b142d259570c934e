"""The one dispatcher: every way of asking (tray menu, a click, a hotkey, a command on the app's
local socket, a one-shot command line) becomes a `Request`, and `plan()` turns it into what to
do, the same way for all of them.

A tracking command is a `Plan`: a local change (the store only, milliseconds, on disk before
anything else happens), then what to ask the server (send the outbox, or sync). Who runs the
steps differs: the app runs the local change on its `local` worker and the rest on its `net`
worker; a one-shot command runs them in order, in its own process (control/oneshot.py). Both
answer with `outcome()`. A window command is a `Show`: only the app can do it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..core import errors as e
from ..core.durations import format_clock, format_moment, parse_timestamp, utcnow
from ..core.models import EntryDraft, Service, TimeEntry
from ..core.text import fit_to_send as fit_to_send  # the rules for text to send and to
from ..core.text import one_line
from ..core.text import printable as printable  # print; the command line finds them here
from ..sync.snapshot import Snapshot
from .accounts import choose_service
from .refused import fix, retry_all
from .status import status as status  # the `status --json` object and its line, for the
from .status import status_line as status_line  # modules that import them from here
from .windows import WINDOWS, is_window

if TYPE_CHECKING:  # the HTTP stack: the tray imports this module before it is needed
    from ..sync.session import Session

ENTRY_COMMANDS = frozenset({"entries", "add", "edit", "delete", "split"})
CATALOG = frozenset({"project", "client", "tag", "task",  # (control/catalog.py)
                     "create_project", "create_client", "create_tag"})
TRACKING = frozenset({"start", "stop", "toggle", "continue", "discard", "status", "sync",
                      "retry", "drop", "fix", "update",
                      "entries", "add", "edit", "delete", "split"}) | CATALOG
# Not a window, but only the running app can do it: read the settings again after another
# process (`connect`, `disconnect`, `workspace`) changed them.
RELOAD = "reload_settings"
COMMANDS = WINDOWS | TRACKING | {RELOAD}
# What another process may ask over the local socket (the rest carry Python objects, or pick
# one queued change by its number: the tray's business).
SOCKET_COMMANDS = COMMANDS - {"update", "drop", "fix"}

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_QUEUED = 0, 1, 2, 75


class UsageError(e.TrackerError):
    """The request itself is wrong (unknown command, bad argument): exit status 2."""

    title = "Not understood"


class DemoMismatch(UsageError):
    """A command for the demo reached the app on the user's account, or the other way."""

    title = "Not done"

    def __init__(self, app_runs_demo: bool = False) -> None:
        super().__init__(
            "The running trayapp is the demo, so this would not reach your account; use "
            "--demo to try it on the demo." if app_runs_demo else
            "The running trayapp uses your account; --demo commands go to the demo only.")


@dataclass(frozen=True)
class Request:
    """What was asked. `args` are the command line's (names, strings); `draft` comes from the
    UI, with project and task ids already chosen."""

    command: str
    args: Mapping[str, Any] = field(default_factory=dict)
    draft: EntryDraft | None = None

    @classmethod
    def from_message(cls, message: object) -> Request:
        """A request from the local socket. Any program of this user can write there, so
        the shape is checked before anything uses it."""
        if not isinstance(message, dict):
            raise UsageError("The request is not a JSON object.")
        command = message.get("command")
        args = message.get("args") or {}
        if not isinstance(command, str) or command not in SOCKET_COMMANDS:
            raise UsageError(f"Unknown command {command!r}.")
        if not isinstance(args, dict) or not all(isinstance(k, str) for k in args):
            raise UsageError("The command's arguments are not an object.")
        for name in ("description", "project", "tags", "service", "confirmed"):
            if args.get(name) is not None and not isinstance(args[name], str):
                raise UsageError(f"--{name} must be text.")
        from . import catalog, entries

        entries.check_args(args)
        catalog.check_args(args)
        if "seq" in args:  # `retry` from the command line retries them all
            raise UsageError("A queued change is chosen in the tray menu.")
        for name in ("billable", "json", "demo"):
            if name in args and not isinstance(args[name], bool):
                raise UsageError(f"--{name} takes no value.")
        return cls(command, args)

    @property
    def demo(self) -> bool:
        """Asked of the demo (`--demo`): never done on the user's own account."""
        return self.args.get("demo") is True

    @property
    def service(self) -> str | None:
        wanted = self.args.get("service")
        return wanted if isinstance(wanted, str) else None


class Then(enum.Enum):
    """What to ask the server after the local change."""

    NOTHING = "nothing"
    SEND = "send"  # replay the outbox
    SYNC = "sync"  # replay the outbox, then refresh the cache (and the catalog)


class Fetch:
    """A `then` that asks the service for something to show rather than sending changes
    (e.g. the entries of a range: control/entries.py). Runs where requests are made."""

    def run(self, session: Session) -> Snapshot:
        raise NotImplementedError


@dataclass(frozen=True)
class Plan:
    command: str
    service: Service
    apply: Callable[[Session], Snapshot]  # local: the store only
    then: Then | Fetch = Then.SEND
    # Sync first when the local state cannot answer (say, nothing known to stop).
    refresh_if: Callable[[Snapshot], bool] | None = None
    # What the tray shows at once, before the local change is even on disk.
    predict: Callable[[Snapshot], Snapshot] | None = None
    # The answer depends on what runs on the service now (a timer started on the web): a
    # command run on its own always looks first, as its cache may be days old; the running
    # app looks when what it knows is older than a moment, so a status bar polling `status`
    # or a click on Stop just after the menu was opened costs no request.
    look_when_stale: bool = False
    # The refused changes (by number) this plan sends again: refused now, they are its own
    # refusal, although they were refused before it too.
    sends_again: Callable[[Snapshot], set[int]] | None = None
    # What the reply says besides the status (a message, the entries listed).
    answer: Callable[[Snapshot], dict[str, Any]] | None = None
    # Done on the service alone, nothing queued (a catalog list or change): a failure is an
    # error, never "saved, sent later" (control/catalog.py).
    online: bool = False


@dataclass(frozen=True)
class Show:
    """A window or menu: only the running app can show it."""

    window: str


#: With no service named, these act on the timer that runs, on whichever service it runs.
FOLLOW_THE_TIMER = frozenset({"stop", "toggle", "discard", "status"})


def plan(request: Request, config: Config, available: Sequence[Service] | None = None,
         running: Callable[[Service], bool] | None = None) -> Plan | Show:
    """What to do for `request`; raises a TrackerError when it cannot be done (unknown
    command, a service that is not connected, a project that does not exist...).
    `running(service)`: whether a timer runs there (as the tray shows it), so that `stop`
    stops the timer that runs even when it runs on the service not tracked on."""
    command = request.command
    if is_window(command, request.args) or command == RELOAD:
        return Show(command)
    if command not in TRACKING:
        raise UsageError(f"Unknown command {command!r}.")
    service = choose_service(config, request.service, available)
    if request.service is None and command in FOLLOW_THE_TIMER and running is not None \
            and not running(service):
        services = list(available) if available is not None else config.connected()
        service = next((s for s in services if s is not service and running(s)), service)

    def make(apply: Callable[[Session], Snapshot], **options: Any) -> Plan:
        return Plan(command, service, apply, **options)

    if command in CATALOG:
        from .catalog import plan_catalog

        return plan_catalog(request, make, service)
    if command in ENTRY_COMMANDS or (command == "continue" and request.args.get("id")):
        from .entries import plan_entries

        return plan_entries(request, make)
    at = at_time(request.args) if command in ("start", "stop") else None

    if command == "status":
        return make(both, then=Then.NOTHING, look_when_stale=True)
    if command == "sync":
        return make(current, then=Then.SYNC)
    if command == "start":
        given = cleaned(request.draft) if request.draft is not None else None
        if given is not None:
            return make(lambda s: s.start(given, at=at),
                        predict=None if at else lambda snap: started(snap, given))
        args = request.args
        from .entries import no_catalog

        return make(lambda s: s.start(draft_from(s.snapshot(), args), at=at),
                    refresh_if=no_catalog(args))
    if command == "stop":
        return make(lambda s: stop(s, at), refresh_if=idle, look_when_stale=True,
                    predict=stopped)
    if command == "continue":
        return make(continue_last, refresh_if=lambda snap: snap.last_stopped is None,
                    look_when_stale=True, predict=continued)
    if command == "toggle":
        return make(toggle, refresh_if=idle, look_when_stale=True,
                    predict=lambda snap: stopped(snap) if snap.running else continued(snap))
    if command == "discard":
        confirmed = confirmed_start(request.args.get("confirmed"))
        return make(lambda s: discard(s, confirmed), refresh_if=idle, look_when_stale=True,
                    predict=discarded)
    if command == "retry" and "seq" not in request.args:
        return make(retry_all, sends_again=lambda snap: {p.seq for p in snap.problems})
    if command == "update":
        entry_id, changes = request.args.get("id"), request.args.get("changes")
        if not isinstance(entry_id, str) or not isinstance(changes, dict):
            raise UsageError("update needs an entry id and its changes.")
        changes = cleaned_changes(changes)
        return make(lambda s: s.update(entry_id, **changes))
    seq = request.args.get("seq")
    if not isinstance(seq, int):
        raise UsageError(f"{command} needs the number of the change.")
    if command == "retry":
        return make(lambda s: s.retry(seq), sends_again=lambda snap: {seq})
    if command == "fix":
        if not isinstance(request.args.get("changes", {}), dict):
            raise UsageError("fix needs the changes to make.")
        fixes = cleaned_changes(request.args.get("changes", {}))
        return make(lambda s: fix(s, seq, fixes), sends_again=lambda snap: {seq})
    return make(lambda s: s.drop(seq), then=Then.NOTHING)  # drop


# -- the use cases (run by a worker, or in the one-shot process) ------------------------------

def current(session: Session) -> Snapshot:
    return session.snapshot()


def both(session: Session) -> Snapshot:
    """The status: this service's, with the other connected service's (from its cache)."""
    try:
        others = tuple(s.snapshot() for s in session.others())
    except e.TrackerError:
        others = ()
    return replace(session.snapshot(), others=others)


def stop(session: Session, at: datetime | None = None) -> Snapshot:
    if session.snapshot().running is None:
        raise e.Conflict("No timer is running.")
    return session.stop(at=at)


def at_time(args: Mapping[str, Any]) -> datetime | None:
    """`start --at WHEN` / `stop --at WHEN`, read when the command arrives."""
    if args.get("at") is None:
        return None
    from .entries import when

    return when(args, "at", utcnow())


def continue_last(session: Session) -> Snapshot:
    return session.continue_last()


def toggle(session: Session) -> Snapshot:
    """Stop the running timer, or continue the last entry."""
    return session.stop() if session.snapshot().running else session.continue_last()


def discard(session: Session, confirmed: datetime | None = None) -> Snapshot:
    """Delete the running entry: here first, then on the service (a start the service never
    got is simply forgotten, with what was queued for it). `confirmed`: the start of the
    entry the user said yes to; another one running now is not deleted unasked."""
    running = session.snapshot().running
    if running is None:
        raise e.Conflict("No timer is running.")
    if confirmed is not None and abs((running.start - confirmed).total_seconds()) >= 1:
        raise e.Conflict("The running timer changed after you confirmed; nothing was "
                         "discarded. Run the command again.")
    return session.delete(running.id)


def confirmed_start(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise UsageError("The confirmed start is not a time.") from None


def discard_question(entry: Mapping[str, Any]) -> str:
    """What the command line asks before discarding (`entry`: as in `status --json`)."""
    description = one_line(str(entry.get("description") or "(no description)"), 60)
    elapsed = format_clock(int(entry.get("elapsed_seconds") or 0))
    return f"Discard the running entry “{description}” ({elapsed})? [y/N] "


def needs_a_look(plan: Plan, known: Snapshot | None) -> bool:
    """The local state cannot answer this plan: sync first."""
    return plan.refresh_if is not None and (known is None or plan.refresh_if(known))


def idle(snapshot: Snapshot) -> bool:
    return snapshot.running is None


MAX_DESCRIPTION = 3000  # Clockify refuses longer ones; nobody types more


def checked_description(text: str) -> str:
    """A description given as an argument, or UsageError: not too long, and fit to send as
    given (control characters would reach the services, and terminals acting on them). A
    window cleans what was pasted (`fit_to_send`); a script is told instead."""
    sent = fit_to_send(text)
    if sent != text.strip():
        raise UsageError("The description holds control characters (such as tabs or escapes).")
    return sized(sent)


def sized(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise UsageError(f"The description is {len(description)} characters long; at most "
                         f"{MAX_DESCRIPTION} are allowed.")
    return description


def cleaned(draft: EntryDraft) -> EntryDraft:
    """A draft from a window, as it may be sent: description and tags fit to send."""
    tags = tuple(t for t in (fit_to_send(tag) for tag in draft.tags) if t)
    return replace(draft, description=sized(fit_to_send(draft.description)), tags=tags)


def cleaned_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """An edit from a window, as it may be sent (the same rule as a new draft)."""
    out = dict(changes)
    if isinstance(out.get("description"), str):
        out["description"] = sized(fit_to_send(out["description"]))
    if isinstance(out.get("tags"), tuple | list):
        out["tags"] = tuple(t for t in (fit_to_send(str(tag)) for tag in out["tags"]) if t)
    return out


def draft_from(snapshot: Snapshot, args: Mapping[str, Any]) -> EntryDraft:
    """A draft from `start DESCRIPTION --project NAME --tags a,b --billable` (the
    description read as a quick entry: see entries.draft_of)."""
    from .entries import draft_of

    return draft_of(snapshot, args)


def finish(session: Session, then: Then | Fetch) -> Snapshot:
    """A plan's requests, after its local change."""
    if isinstance(then, Fetch):
        return then.run(session)
    if then is Then.SEND:
        return session.flush()
    if then is Then.SYNC:
        return session.sync(catalog=True)
    return session.snapshot()


# -- what the tray shows before the store answers ----------------------------------------------

def started(snapshot: Snapshot, draft: EntryDraft, now: datetime | None = None) -> Snapshot:
    start = (now or utcnow()).replace(microsecond=0)
    provisional = TimeEntry(id="pending", workspace_id="", start=start,
                            description=draft.description, project_id=draft.project_id,
                            tags=draft.tags, billable=draft.billable)
    return replace(snapshot, running=provisional, pending=snapshot.pending + 1)


def stopped(snapshot: Snapshot) -> Snapshot:
    if snapshot.running is None:
        return snapshot
    return replace(snapshot, running=None, pending=snapshot.pending + 1)


def discarded(snapshot: Snapshot) -> Snapshot:
    return replace(snapshot, running=None)


def continued(snapshot: Snapshot) -> Snapshot:
    last = snapshot.last_stopped
    return snapshot if last is None else started(snapshot, EntryDraft.from_entry(last))


# -- the answer ----------------------------------------------------------------------------------

def outcome(plan: Plan, before: Snapshot, after: Snapshot, *, demo: bool = False,
            still_sending: bool = False) -> dict[str, Any]:
    """The reply to a finished plan, the same for the app and a one-shot command:
    `{"ok", "exit", "message", "status"}`, and `error` when something is wrong.
    `still_sending`: applied and on disk, the request not answered yet."""
    data = status(after, demo=demo)
    reply: dict[str, Any] = {"ok": True, "exit": EXIT_OK, "status": data,
                             "message": status_line(data)}
    if plan.answer is not None:
        reply.update(plan.answer(after))
    if plan.online:
        from .catalog import catalog_outcome

        return catalog_outcome(plan, after, reply, still_sending)
    if still_sending and plan.command == "entries":  # a list, not a change: nothing queued
        return {**reply, "ok": False, "exit": EXIT_ERROR,
                "error": f"The service has not answered yet.{last_known(after, 'This is')}"}
    if still_sending:
        return {**reply, "exit": EXIT_QUEUED,
                "error": "Your change is saved; the service has not answered yet, so it is "
                         "still being sent."}
    if plan.command in ("status", "entries"):
        if after.error is not None:  # the last known state, and why it may not be current
            reply.update(ok=False, exit=EXIT_ERROR, error=f"{after.error.title}: "
                                                          f"{after.error.text}"
                                                          f"{last_known(after, 'This is')}")
        return reply
    known = {p.seq for p in before.problems}
    if plan.sends_again is not None:
        known -= plan.sends_again(before)
    refused = [p for p in after.problems if p.seq not in known]
    if refused:  # the service said no to this very change: not "Added", "Changed"...
        first = refused[0]
        return {**reply, "ok": False, "exit": EXIT_ERROR, "message": status_line(data),
                "error": f"{first.title}: {first.message}"}
    if after.pending and after.error is not None and plan.then is not Then.NOTHING:
        return {**reply, "exit": EXIT_QUEUED,
                "error": f"{after.error.title}: {after.error.message}"
                         f"{last_known(before, 'Acted on') if plan.look_when_stale else ''} "
                         "Your change is saved and will be sent later."}
    return reply


def last_known(snapshot: Snapshot, what: str) -> str:
    """When the service could not be asked: what the answer was based on instead."""
    when = snapshot.last_sync
    since = f", as of {format_moment(when)}" if when is not None else ""
    return f" {what} the last known state{since}."


def refusal(error: e.TrackerError) -> dict[str, Any]:
    """The reply to a request that could not be planned or applied."""
    code = EXIT_USAGE if isinstance(error, UsageError) else EXIT_ERROR
    return {"ok": False, "exit": code, "error": f"{error.title}: {error.text}"}
