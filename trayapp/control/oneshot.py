"""A command with no app running: the same plan as the app would make, run in this process
(local change, then one or two requests), then exit. Never imports Qt."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..core import errors as e
from ..core.models import Service
from .actions import (
    EXIT_ERROR,
    Plan,
    Request,
    Show,
    Then,
    finish,
    needs_a_look,
    outcome,
    plan,
    refusal,
)
from .backend import Backend, read_key, save_quietly

if TYPE_CHECKING:
    from ..sync.account import Account
    from ..sync.snapshot import Snapshot

log = logging.getLogger(__name__)

NO_KEY = ("No Maton API key is set up. Run `trayapp` to set one up, or set the MATON_API_KEY "
          "environment variable.")


def run(request: Request) -> dict[str, Any] | Show:
    """The reply to `request` (see actions.outcome), or the window the app must show."""
    key, problem = read_key()
    if problem is not None:
        return refusal(problem)
    if not key:
        return {"ok": False, "exit": EXIT_ERROR, "error": NO_KEY}
    from ..api.gateway import COMMAND_DEADLINE  # the HTTP stack: only once it is needed

    config = Config.load()
    if config.problem:  # the settings file could not be used (as the app notifies it)
        print(f"trayapp: {config.problem}", file=sys.stderr)
    try:
        # Every request of this command is done within a deadline (a slow gateway must not
        # hold a terminal or a script): what is not sent by then stays queued.
        backend = Backend(config, key, demo=False, give_up_after=COMMAND_DEADLINE)
    except e.TrackerError as exc:
        return refusal(exc)
    for notice in backend.notices:  # e.g. a damaged store made again: where it was kept
        print(f"trayapp: {notice.title}: {notice.text}", file=sys.stderr)
    try:
        if backend.needs_discovery:
            discover(backend)
        account, looked = backend.account, {}

        def running(service: Service) -> bool:  # the service's state now (one request)
            if service not in looked:
                looked[service] = account.session(service).sync()
            return looked[service].running is not None

        two = len(backend.services) > 1  # else nothing to choose: no request for it
        step = plan(request, config, running=running if two else None)
        if isinstance(step, Show):
            return step
        return execute(step, account, looked.get(step.service))
    except e.TrackerError as exc:
        return refusal(exc)
    finally:
        backend.close()


def discover(backend: Backend) -> None:
    """First use of a key: which services are connected (one Maton request, not Toggl's
    quota), remembered in the settings. When Maton cannot say (offline, a refused key), go
    on without: the action is kept and queued, and the reply says why it was not sent."""
    try:
        connections = backend.account.connections.list()
    except e.TrackerError as exc:
        log.info("connections not checked: %s", exc.message)
        return
    backend.adopt(connections)
    save_quietly(backend.config)


def execute(step: Plan, account: Account, looked: Snapshot | None = None) -> dict[str, Any]:
    """Run a plan's steps in order, in this thread. `looked`: the service's state as just
    synced (then it is not asked again)."""
    session = account.session(step.service)
    before = looked or session.snapshot()
    if looked is None and (step.look_when_stale or needs_a_look(step, before)):
        before = session.sync()
    try:
        after = step.apply(session)
    except e.TrackerError as exc:
        return refusal(exc)
    if step.then is not Then.NOTHING:
        after = finish(session, step.then)
    return outcome(step, before, after)
