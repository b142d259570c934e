"""Changes the service refused, made good: sent again as they are, or edited first (a
description too long for Clockify, a project deleted on the server). The tray and the
command line reach these through control/actions.py's `retry` and `fix`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core import errors as e
from ..core.models import TimeEntry
from ..sync.snapshot import Problem, Snapshot

if TYPE_CHECKING:  # the HTTP stack: the tray imports this module before it is needed
    from ..sync.session import Session


def retry_all(session: Session) -> Snapshot:
    """Queue every refused change again (the flush after it sends them)."""
    for problem in session.snapshot().problems:
        session.retry(problem.seq)
    return session.snapshot()


def fix(session: Session, seq: int, changes: Mapping[str, Any]) -> Snapshot:
    """A refused change edited by the user, then queued again: the edit goes to its entry,
    and folds into a start the service never got (see Session.update)."""
    item = session.store.outbox_item(seq)
    if item is None or item.service != session.service.value:
        raise e.NotFound("That change is no longer waiting to be sent.")
    if changes:
        session.update(item.entry_id, **changes)
    return session.retry(seq)


def refused_entry(snapshot: Snapshot, problem: Problem) -> TimeEntry | None:
    """The entry a refused start made on this computer, to edit it before it is sent again;
    None for other changes, or another service's. A problem names its entry by description
    only: the running one first, else the newest of that description not yet on the server."""
    from ..store.db import LOCAL_PREFIX  # the ids of entries the service has not numbered

    if problem.action not in ("start", "create") or problem.service not in (
            None, snapshot.service):
        return None
    mine = [x for x in snapshot.entries if x.id.startswith(LOCAL_PREFIX)
            and (x.description or "(no description)") == problem.description]
    return next((x for x in mine if x.running), mine[0] if mine else None)
