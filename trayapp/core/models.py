"""One model per concept, shared by both services.

Ids are strings everywhere: Toggl's integers (time entries exceed 2**31) and Clockify's 24-hex ids
both fit, and nothing above `api/` needs to know which service an id came from.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeGuard

_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


def is_id(value: object) -> TypeGuard[str]:
    """An id as Toggl, Clockify and Maton give them (numbers, hex, UUIDs). Ids go into request
    paths and headers, so one with `/`, `..`, `?` or a line break must never be used."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


class Service(enum.StrEnum):
    """A tracker service, named as the Maton gateway names its app."""

    TOGGL = "toggl-track"
    CLOCKIFY = "clockify"

    # A property on purpose: every caller reads `service.title` as the name to show. It hides
    # str.title() (meaningless for an id like "toggl-track"), which mypy rightly reports.
    @property
    def title(self) -> str:  # type: ignore[override]
        return "Toggl Track" if self is Service.TOGGL else "Clockify"

    @property
    def web_url(self) -> str:
        if self is Service.TOGGL:
            return "https://track.toggl.com/timer"
        return "https://app.clockify.me/tracker"


class ConnectionStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    PENDING = "PENDING"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Connection:
    """A Maton OAuth connection between the user's Maton account and one service."""

    id: str
    app: str
    status: ConnectionStatus
    url: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str = ""
    default_workspace_id: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    premium: bool = False


@dataclass(frozen=True)
class WorkspaceUser:
    id: str
    name: str
    email: str = ""
    active: bool = True


@dataclass(frozen=True)
class Client:
    id: str
    workspace_id: str
    name: str
    archived: bool = False
    note: str = ""


@dataclass(frozen=True)
class Project:
    id: str
    workspace_id: str
    name: str
    color: str = "#0b83d9"
    client_id: str | None = None
    client_name: str | None = None
    active: bool = True
    billable: bool = False

    @property
    def label(self) -> str:
        """'Client / Project' as the tray shows it."""
        return f"{self.client_name} / {self.name}" if self.client_name else self.name


@dataclass(frozen=True)
class Tag:
    id: str
    workspace_id: str
    name: str
    archived: bool = False


@dataclass(frozen=True)
class Task:
    id: str
    project_id: str
    name: str
    active: bool = True
    billable: bool = False


@dataclass(frozen=True)
class TimeEntry:
    """A time entry; `stop is None` means the timer is running."""

    id: str
    workspace_id: str
    start: datetime
    stop: datetime | None = None
    description: str = ""
    project_id: str | None = None
    task_id: str | None = None
    tag_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    billable: bool = False
    deleted: bool = False
    user_id: str | None = None

    @property
    def running(self) -> bool:
        return self.stop is None

    def seconds(self, now: datetime | None = None) -> int:
        """Elapsed seconds; a running entry counts up to `now`."""
        end = self.stop or now or datetime.now(UTC)
        return max(0, int((end - self.start).total_seconds()))


@dataclass(frozen=True)
class EntryDraft:
    """What the user asks to track: the fields a new entry is started with.

    `tags` are names (the UI speaks names); each service maps them to its own ids.
    """

    description: str = ""
    project_id: str | None = None
    task_id: str | None = None
    tags: tuple[str, ...] = ()
    billable: bool = False
    start: datetime | None = None
    stop: datetime | None = None

    @classmethod
    def from_entry(cls, entry: TimeEntry) -> EntryDraft:
        return cls(
            description=entry.description,
            project_id=entry.project_id,
            task_id=entry.task_id,
            tags=entry.tags,
            billable=entry.billable,
        )

    @property
    def key(self) -> tuple[str, str | None, tuple[str, ...]]:
        """Identity used to de-duplicate 'recent' entries: description + project + tags."""
        return (self.description.strip(), self.project_id, tuple(sorted(self.tags)))
