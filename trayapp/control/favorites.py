"""Favorites: entry templates (description, project, task, tags, billable) pinned to the top
of the tray menu and of Quick start, in the user's order, each with an optional global
shortcut. Kept in the settings (config.favorites, checked there); Qt-free.

A favorite belongs to the service it was pinned on (project and task ids are that service's)
and is shown only while tracking there. It starts through the ordinary `start` request with
its draft. When its project is gone (deleted, or archived) it is still listed, said so, and
cannot be started until it is removed: starting it would fail on the service anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..config import FAVORITES_MAX, Config
from ..core.models import EntryDraft, Service
from ..sync.snapshot import Snapshot

ACTION = "favorite:"  # a global shortcut's action: favorite:<number from 1>


@dataclass(frozen=True)
class Favorite:
    description: str = ""
    project_id: str | None = None
    task_id: str | None = None
    tags: tuple[str, ...] = ()
    billable: bool = False
    service: str | None = None
    name: str = ""  # shown instead of the description when given
    shortcut: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Favorite:
        return cls(description=data.get("description", ""), project_id=data.get("project_id"),
                   task_id=data.get("task_id"), tags=tuple(data.get("tags", ())),
                   billable=data.get("billable", False), service=data.get("service"),
                   name=data.get("name", ""), shortcut=data.get("shortcut", ""))

    @classmethod
    def from_draft(cls, draft: EntryDraft, service: Service | None) -> Favorite:
        return cls(draft.description, draft.project_id, draft.task_id, tuple(draft.tags),
                   draft.billable, service.value if service else None)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "project_id": self.project_id, "task_id": self.task_id,
                "tags": list(self.tags), "billable": self.billable, "service": self.service,
                "shortcut": self.shortcut}

    def draft(self) -> EntryDraft:
        return EntryDraft(self.description, self.project_id, self.task_id, self.tags,
                          self.billable)

    @property
    def key(self) -> tuple[str | None, tuple[str, str | None, tuple[str, ...]]]:
        return self.service, self.draft().key

    def for_service(self, service: Service) -> bool:
        return self.service is None or self.service == service.value

    def problem(self, snapshot: Snapshot) -> str | None:
        """Why it cannot be started now (its project gone), or None."""
        if self.project_id is None:
            return None
        project = snapshot.project_by_id.get(self.project_id)
        if project is None:
            return "its project no longer exists"
        if not project.active:
            return "its project is archived"
        return None

    def label(self, snapshot: Snapshot | None = None) -> str:
        """"Name · Project  #tag" (the description when it has no name)."""
        text = self.name or self.description or ""
        project = snapshot.project_by_id.get(self.project_id or "") if snapshot else None
        if project is not None:
            text = f"{text} · {project.label}" if text else project.label
        elif self.project_id is not None:
            text = f"{text} · (project gone)" if text else "(project gone)"
        if self.tags:
            text += "  #" + " #".join(self.tags)
        if self.billable:
            text += "  $"
        return text or "(no description)"


def load(config: Config) -> list[Favorite]:
    return [Favorite.from_json(item) for item in config.favorites]


def store(config: Config, favorites: list[Favorite]) -> None:
    config.favorites = [f.to_json() for f in favorites]


def shown(config: Config, service: Service) -> list[tuple[int, Favorite]]:
    """(position in the list, favorite) for those of `service`, in the user's order."""
    return [(i, f) for i, f in enumerate(load(config)) if f.for_service(service)]


def pin(config: Config, draft: EntryDraft, service: Service | None) -> bool:
    """Pin a draft at the end; False when it is pinned already or the list is full."""
    favorites = load(config)
    new = Favorite.from_draft(draft, service)
    if any(f.key == new.key for f in favorites) or len(favorites) >= FAVORITES_MAX:
        return False
    store(config, [*favorites, new])
    return True


def move(config: Config, index: int, delta: int) -> int:
    """Move one up (-1) or down (+1); returns where it is now."""
    favorites = load(config)
    to = max(0, min(len(favorites) - 1, index + delta))
    if 0 <= index < len(favorites) and to != index:
        favorites.insert(to, favorites.pop(index))
        store(config, favorites)
        return to
    return index


def remove(config: Config, index: int) -> None:
    favorites = load(config)
    if 0 <= index < len(favorites):
        del favorites[index]
        store(config, favorites)


def rename(config: Config, index: int, name: str) -> None:
    change(config, index, name=" ".join(name.split()))


def change(config: Config, index: int, **fields: Any) -> None:
    favorites = load(config)
    if 0 <= index < len(favorites):
        favorites[index] = replace(favorites[index], **fields)
        store(config, favorites)


def bindings(config: Config) -> dict[str, str]:
    """The favorites' global shortcuts: favorite:<n> -> key sequence."""
    return {f"{ACTION}{i + 1}": f.shortcut for i, f in enumerate(load(config)) if f.shortcut}


def by_action(config: Config, action: str) -> Favorite | None:
    """The favorite a shortcut's action names, if it (still) exists."""
    number = action.removeprefix(ACTION)
    favorites = load(config)
    if action.startswith(ACTION) and number.isdigit() and 1 <= int(number) <= len(favorites):
        return favorites[int(number) - 1]
    return None
