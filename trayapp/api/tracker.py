"""The one interface both services implement. Everything above `api/` talks to a `Tracker`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from ..core import errors as e
from ..core.models import (
    Client,
    EntryDraft,
    Project,
    Service,
    Tag,
    Task,
    TimeEntry,
    User,
    Workspace,
    WorkspaceUser,
)
from .gateway import Gateway, Response

T = TypeVar("T")

#: Marks "leave this field as it is" in `update()`; None means "clear it".
UNCHANGED: Any = object()

#: Pages asked for one list at most (200 items each: far beyond any real account). A server
#: that answers every page full would otherwise be asked forever.
MAX_PAGES = 100


def page_numbers(what: str) -> Iterator[int]:
    """1, 2, ... up to MAX_PAGES; asking for one more means the list never ends."""
    yield from range(1, MAX_PAGES + 1)
    raise e.MalformedResponse(f"The list of {what} did not end after {MAX_PAGES} pages.")


@contextmanager
def mapping(what: str) -> Iterator[None]:
    """Any shape error while reading a response becomes MalformedResponse, never a crash."""
    try:
        yield
    except e.TrackerError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
        raise e.MalformedResponse(
            f"The service sent an unexpected {what} ({type(exc).__name__})."
        ) from None


def expect_list(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise e.MalformedResponse(f"The service sent no list of {what}.")
    return data


def expect_dict(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise e.MalformedResponse(f"The service sent no {what}.")
    return data


def map_all(items: list[Any], mapper: Callable[[Any], T], what: str) -> list[T]:
    with mapping(what):
        return [mapper(expect_dict(item, what)) for item in items]


class Tracker(ABC):
    """One service account reached through the gateway (and one Maton connection)."""

    service: Service
    #: Whether the service has tasks under projects that trayapp can use.
    supports_tasks = False
    #: Whether `changed_since` gives an incremental delta (else callers reload a range).
    supports_since = False
    #: Whether entry requests need the user's id (learnt by `me()`, or given by `use_user`).
    needs_user_id = False
    #: Whether `stop(at=None)` stops at the server's own "now" (and says Conflict when the
    #: entry was stopped elsewhere); else every stop carries its time.
    stops_at_server_time = False
    #: Whether `start()` ends a running entry at the new entry's start time (so a switch
    #: needs no stop of its own, however late it is sent); else at the server's "now".
    start_ends_running_at_its_start = False
    #: Whether `entries`, `changed_since` and `current` give the user's entries of every
    #: workspace (Toggl's /me lists); else each workspace must be asked on its own.
    entries_span_workspaces = False
    #: Whether one timer runs per user whatever its workspace, so a start in any workspace
    #: stops it (Toggl); else one may run in each workspace (Clockify).
    one_timer_per_user = False

    def __init__(self, gateway: Gateway, connection_id: str | None = None) -> None:
        self.gateway = gateway
        self.connection_id = connection_id
        #: Tags made on the way (Clockify makes a tag named in an entry): for the caller to
        #: keep, so that entries naming them by id only are read with their names later.
        self.made_tags: list[Tag] = []

    def _call(self, method: str, path: str, **kwargs: Any) -> Response:
        return self.gateway.request(
            method,
            self.prefix + path,
            connection=self.connection_id,
            service_title=self.service.title,
            **kwargs,
        )

    @property
    @abstractmethod
    def prefix(self) -> str: ...

    @property
    def quota_remaining(self) -> int | None:
        """Requests left in the service's hourly quota, as it last said (None: not said)."""
        return self.gateway.quota.remaining

    # -- what the caller already knows (kept in the store): saves requests ----------------
    def use_user(self, user_id: str) -> None:  # noqa: B027 - a no-op unless needs_user_id
        """The user's id from an earlier `me()`, so that `me()` need not be asked again."""

    def know_tags(self, tags: Iterable[Tag]) -> None:  # noqa: B027 - a no-op where not needed
        """Tags known from an earlier `tags()`: a service whose entries name tags by id only
        (Clockify) maps ids to names with them."""

    # -- account --------------------------------------------------------------------------
    @abstractmethod
    def me(self) -> User: ...
    @abstractmethod
    def workspaces(self) -> list[Workspace]: ...
    @abstractmethod
    def workspace(self, wid: str) -> Workspace: ...
    @abstractmethod
    def users(self, wid: str) -> list[WorkspaceUser]: ...

    # -- time entries ---------------------------------------------------------------------
    @abstractmethod
    def current(self, wid: str) -> TimeEntry | None:
        """The user's running entry, or None."""

    @abstractmethod
    def entry(self, wid: str, entry_id: str) -> TimeEntry: ...

    @abstractmethod
    def entries(self, wid: str, start: datetime, end: datetime) -> list[TimeEntry]:
        """The user's entries that start in [start, end), newest first, all pages (of every
        workspace where `entries_span_workspaces`)."""

    def changed_since(self, wid: str, since: datetime) -> list[TimeEntry]:
        """Entries modified since `since`, deleted ones included (flagged `deleted`)."""
        raise NotImplementedError(f"{self.service.title} has no incremental sync")

    @abstractmethod
    def start(self, wid: str, draft: EntryDraft, stop_running: bool = True) -> TimeEntry:
        """Start a running timer; any timer already running is stopped first.

        `stop_running=False` says the caller has just stopped it, so a service that needs an
        explicit stop (Clockify) can skip that request."""

    @abstractmethod
    def create(self, wid: str, draft: EntryDraft) -> TimeEntry:
        """Add a finished entry (draft.start and draft.stop are required)."""

    @abstractmethod
    def stop(self, wid: str, entry_id: str, at: datetime | None = None) -> TimeEntry:
        """Stop the running entry. Raises Conflict when it is already stopped."""

    @abstractmethod
    def update(self, entry: TimeEntry, **changes: Any) -> TimeEntry:
        """Change fields of `entry` (description, project_id, task_id, tags, billable, start,
        stop); fields not named keep their value."""

    @abstractmethod
    def delete(self, wid: str, entry_id: str) -> None: ...

    # -- projects, clients, tags, tasks ---------------------------------------------------
    @abstractmethod
    def projects(self, wid: str, include_archived: bool = False) -> list[Project]: ...
    @abstractmethod
    def project(self, wid: str, project_id: str) -> Project: ...
    @abstractmethod
    def create_project(
        self, wid: str, name: str, *, client_id: str | None = None, color: str | None = None,
        billable: bool = False,
    ) -> Project: ...
    @abstractmethod
    def update_project(self, wid: str, project_id: str, **changes: Any) -> Project:
        """changes: name, color, client_id, billable."""

    @abstractmethod
    def archive_project(self, wid: str, project_id: str, archived: bool = True) -> Project: ...
    @abstractmethod
    def delete_project(self, wid: str, project_id: str, *, archived: bool | None = None
                       ) -> None:
        """Delete a project; its entries stay, without it. `archived`: whether it is
        archived, when the caller knows (Clockify deletes only archived projects: one not
        archived is archived first; None: asked)."""

    @abstractmethod
    def clients(self, wid: str, include_archived: bool = False) -> list[Client]: ...
    @abstractmethod
    def client(self, wid: str, client_id: str) -> Client: ...
    @abstractmethod
    def create_client(self, wid: str, name: str, note: str = "") -> Client: ...
    @abstractmethod
    def update_client(self, wid: str, client_id: str, *, name: str) -> Client: ...
    @abstractmethod
    def archive_client(self, wid: str, client_id: str, archived: bool = True) -> Client: ...
    @abstractmethod
    def delete_client(self, wid: str, client_id: str) -> None: ...

    @abstractmethod
    def tags(self, wid: str) -> list[Tag]: ...
    @abstractmethod
    def create_tag(self, wid: str, name: str) -> Tag: ...
    @abstractmethod
    def update_tag(self, wid: str, tag_id: str, *, name: str) -> Tag: ...
    @abstractmethod
    def delete_tag(self, wid: str, tag_id: str) -> None: ...

    def tasks(self, wid: str, project_id: str, include_done: bool = False) -> list[Task]:
        return []

    def _no_tasks(self) -> e.TrackerError:
        return e.PremiumRequired(f"{self.service.title} tasks are not supported by trayapp.")

    def task(self, wid: str, project_id: str, task_id: str) -> Task:
        raise self._no_tasks()

    def create_task(self, wid: str, project_id: str, name: str) -> Task:
        raise self._no_tasks()

    def update_task(self, wid: str, task: Task, **changes: Any) -> Task:
        raise self._no_tasks()

    def delete_task(self, wid: str, task: Task) -> None:
        raise self._no_tasks()
