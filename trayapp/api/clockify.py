"""Clockify API v1, and every one of its quirks (see api-facts.md §2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..core import errors as e
from ..core.durations import format_timestamp, parse_timestamp, utcnow
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
    is_id,
)
from .gateway import Response
from .tracker import (
    UNCHANGED,
    Tracker,
    expect_dict,
    expect_list,
    map_all,
    mapping,
    page_numbers,
)

PAGE_SIZE = 200


def _id(value: Any) -> str | None:
    """Clockify uses "" for "no client"; normalise to None."""
    if value is None or value == "":
        return None
    if not is_id(value):  # it goes into request paths
        raise TypeError("id")
    return value


def _req_id(value: Any) -> str:
    found = _id(value)
    if found is None:
        raise ValueError("missing id")
    return found


def map_entry(data: dict[str, Any], tag_names: dict[str, str] | None = None) -> TimeEntry:
    interval = expect_dict(data["timeInterval"], "time interval")
    end = interval.get("end")
    tag_ids = tuple(_req_id(t) for t in (data.get("tagIds") or ()))
    names = tag_names or {}
    hydrated = data.get("tags")
    if isinstance(hydrated, list):  # hydrated=true responses carry the tag objects
        names = {**names, **{t["id"]: t["name"] for t in hydrated if isinstance(t, dict)}}
    description = data.get("description")
    return TimeEntry(
        id=_req_id(data["id"]),
        workspace_id=_req_id(data["workspaceId"]),
        start=parse_timestamp(interval["start"]),
        stop=parse_timestamp(end) if end else None,  # running: end and duration are null
        description=description if isinstance(description, str) else "",
        project_id=_id(data.get("projectId")),
        task_id=_id(data.get("taskId")),
        tag_ids=tag_ids,
        tags=tuple(names[t] for t in tag_ids if t in names),
        billable=bool(data.get("billable")),
        user_id=_id(data.get("userId")),
    )


def map_project(data: dict[str, Any]) -> Project:
    client_name = data.get("clientName")
    return Project(
        id=_req_id(data["id"]),
        workspace_id=_req_id(data["workspaceId"]),
        name=str(data["name"]),
        color=str(data.get("color") or "#03a9f4"),
        client_id=_id(data.get("clientId")),
        client_name=client_name if isinstance(client_name, str) and client_name else None,
        active=not data.get("archived", False),
        billable=bool(data.get("billable")),
    )


def map_client(data: dict[str, Any]) -> Client:
    note = data.get("note")
    return Client(_req_id(data["id"]), _req_id(data["workspaceId"]), str(data["name"]),
                  bool(data.get("archived")), note if isinstance(note, str) else "")


def map_tag(data: dict[str, Any]) -> Tag:
    return Tag(_req_id(data["id"]), _req_id(data["workspaceId"]), str(data["name"]),
               bool(data.get("archived")))


def map_task(data: dict[str, Any]) -> Task:
    return Task(_req_id(data["id"]), _req_id(data["projectId"]), str(data["name"]),
                data.get("status", "ACTIVE") != "DONE", bool(data.get("billable")))


def map_workspace(data: dict[str, Any]) -> Workspace:
    plan = str(data.get("featureSubscriptionType") or "")
    return Workspace(_req_id(data["id"]), str(data["name"]), plan not in ("", "FREE", "null"))


def map_user(data: dict[str, Any]) -> User:
    found = data.get("settings")
    settings: dict[str, Any] = found if isinstance(found, dict) else {}
    tz = settings.get("timeZone")
    return User(
        id=_req_id(data["id"]),
        name=str(data.get("name") or data.get("email") or ""),
        email=str(data.get("email") or ""),
        default_workspace_id=_id(data.get("defaultWorkspace") or data.get("activeWorkspace")),
        timezone=tz if isinstance(tz, str) else None,
    )


def map_workspace_user(data: dict[str, Any]) -> WorkspaceUser:
    return WorkspaceUser(_req_id(data["id"]), str(data.get("name") or ""),
                         str(data.get("email") or ""), data.get("status", "ACTIVE") == "ACTIVE")


def _last_page(response: Response, count: int, size: int) -> bool:
    """`Last-Page` when the gateway passes it on, else a short page ends the list."""
    flag = response.headers.get("last-page")
    if flag is not None:
        return flag.strip().lower() == "true"
    return count < size


class ClockifyTracker(Tracker):
    service = Service.CLOCKIFY
    supports_tasks = True
    needs_user_id = True  # entry paths name the user
    start_ends_running_at_its_start = True  # start() stops what runs, at the new start
    prefix = "/clockify/api/v1"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id: str | None = None  # needed in entry paths; learnt once from /user
        self.tag_names: dict[str, str] = {}  # id -> name: entries carry only tag ids

    def use_user(self, user_id: str) -> None:
        self.user_id = user_id

    def know_tags(self, tags: Iterable[Tag]) -> None:
        self.tag_names.update({t.id: t.name for t in tags})

    def _uid(self) -> str:
        if self.user_id is None:
            self.me()
        assert self.user_id is not None
        return self.user_id

    def _pages(self, path: str, params: dict[str, Any], what: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for page in page_numbers(what):
            response = self._call("GET", path, params={**params, "page": page,
                                                       "page-size": PAGE_SIZE})
            items = expect_list(response.data, what)
            out.extend(items)
            if _last_page(response, len(items), PAGE_SIZE) or not items:
                break
        return out

    # -- account --------------------------------------------------------------------------
    def me(self) -> User:
        with mapping("user"):
            user = map_user(expect_dict(self._call("GET", "/user").data, "user"))
        self.user_id = user.id
        return user

    def workspaces(self) -> list[Workspace]:
        data = expect_list(self._call("GET", "/workspaces").data, "workspaces")
        return map_all(data, map_workspace, "workspace")

    def workspace(self, wid: str) -> Workspace:
        with mapping("workspace"):
            return map_workspace(expect_dict(self._call("GET", f"/workspaces/{wid}").data,
                                             "workspace"))

    def create_workspace(self, name: str) -> Workspace:
        with mapping("workspace"):
            data = self._call("POST", "/workspaces", json_body={"name": name}).data
            return map_workspace(expect_dict(data, "workspace"))

    def users(self, wid: str) -> list[WorkspaceUser]:
        return map_all(self._pages(f"/workspaces/{wid}/users", {}, "users"),
                       map_workspace_user, "user")

    # -- time entries ---------------------------------------------------------------------
    def _entry(self, data: Any) -> TimeEntry:
        with mapping("time entry"):
            return map_entry(expect_dict(data, "time entry"), self.tag_names)

    def current(self, wid: str) -> TimeEntry | None:
        # Only *my* running entry: the workspace-wide in-progress endpoint lists everyone's.
        params = {"in-progress": True, "page-size": 1}
        path = f"/workspaces/{wid}/user/{self._uid()}/time-entries"
        data = expect_list(self._call("GET", path, params=params).data, "entries")
        return self._entry(data[0]) if data else None

    def in_progress(self, wid: str) -> list[TimeEntry]:
        """Every running entry of the workspace, all users (an admin view)."""
        items = self._pages(f"/workspaces/{wid}/time-entries/status/in-progress", {}, "entries")
        return map_all(items, lambda d: map_entry(d, self.tag_names), "time entry")

    def entry(self, wid: str, entry_id: str) -> TimeEntry:
        return self._entry(self._call("GET", f"/workspaces/{wid}/time-entries/{entry_id}").data)

    def entries(self, wid: str, start: datetime, end: datetime) -> list[TimeEntry]:
        params = {"start": format_timestamp(start), "end": format_timestamp(end)}
        items = self._pages(f"/workspaces/{wid}/user/{self._uid()}/time-entries", params,
                            "entries")
        return map_all(items, lambda d: map_entry(d, self.tag_names), "time entry")

    def _tag_ids(self, wid: str, names: tuple[str, ...]) -> list[str]:
        """Clockify takes tag ids: resolve names, creating tags that do not exist yet."""
        if not names:
            return []
        by_name = {v.casefold(): k for k, v in self.tag_names.items()}
        if any(n.casefold() not in by_name for n in names):
            self.tags(wid)
            by_name = {v.casefold(): k for k, v in self.tag_names.items()}
        ids = []
        for name in names:
            tag_id = by_name.get(name.casefold())
            if tag_id is None:
                tag_id = self.create_tag(wid, name).id
            ids.append(tag_id)
        return ids

    def _body(self, wid: str, draft: EntryDraft) -> dict[str, Any]:
        return {
            "start": format_timestamp(draft.start or utcnow()),
            "description": draft.description,
            "billable": draft.billable,
            "projectId": draft.project_id,
            "taskId": draft.task_id,
            "tagIds": self._tag_ids(wid, draft.tags),
        }

    def start(self, wid: str, draft: EntryDraft, stop_running: bool = True) -> TimeEntry:
        # Clockify does not stop the running entry by itself: stop it first, at the new start.
        body = self._body(wid, draft)
        if stop_running:
            try:
                self.stop(wid, "", at=parse_timestamp(body["start"]))
            except e.Conflict:
                pass  # nothing was running
        data = self._call("POST", f"/workspaces/{wid}/time-entries", json_body=body).data
        return self._entry(data)

    def create(self, wid: str, draft: EntryDraft) -> TimeEntry:
        if draft.start is None or draft.stop is None or draft.stop < draft.start:
            raise e.BadRequest("A finished entry needs a start and a stop after it.")
        body = {**self._body(wid, draft), "end": format_timestamp(draft.stop)}
        return self._entry(self._call("POST", f"/workspaces/{wid}/time-entries",
                                      json_body=body).data)

    def create_for_user(self, wid: str, user_id: str, draft: EntryDraft) -> TimeEntry:
        """Add an entry to another user's timesheet (a paid Clockify feature)."""
        body = self._body(wid, draft)
        if draft.stop:
            body["end"] = format_timestamp(draft.stop)
        path = f"/workspaces/{wid}/user/{user_id}/time-entries"
        return self._entry(self._call("POST", path, json_body=body).data)

    def stop(self, wid: str, entry_id: str, at: datetime | None = None) -> TimeEntry:
        """Stop `entry_id`; with an empty id, whatever runs. Clockify's stop request has no
        entry id (it stops the user's running timer), so check that it is this one first:
        a late stop must never end the timer the user is running now."""
        if entry_id:
            running = self.current(wid)
            if running is None or running.id != entry_id:
                raise e.Conflict("That timer is no longer running.", status=409)
        path = f"/workspaces/{wid}/user/{self._uid()}/time-entries"
        body = {"end": format_timestamp(at or utcnow())}
        try:
            return self._entry(self._call("PATCH", path, json_body=body).data)
        except e.NotFound:
            # 404 {"message": "Currently running time entry doesn't exist ..."}
            raise e.Conflict("No timer is running.", status=404) from None

    def update(self, entry: TimeEntry, **changes: Any) -> TimeEntry:
        # PUT replaces the whole entry: start is required and omitted fields are cleared,
        # so send every field, taking unchanged ones from `entry`.
        merged: dict[str, Any] = {
            "description": entry.description,
            "project_id": entry.project_id,
            "task_id": entry.task_id,
            "tags": entry.tags,
            "billable": entry.billable,
            "start": entry.start,
            "stop": entry.stop,
        }
        for key, value in changes.items():
            if key not in merged:
                raise TypeError(f"unknown time entry field {key!r}")
            if value is not UNCHANGED:
                merged[key] = value
        if "tags" in changes and changes["tags"] is not UNCHANGED:
            tag_ids = self._tag_ids(entry.workspace_id, tuple(merged["tags"] or ()))
        else:
            tag_ids = list(entry.tag_ids)
        body: dict[str, Any] = {
            "start": format_timestamp(merged["start"]),
            "description": merged["description"] or "",
            "billable": bool(merged["billable"]),
            "projectId": merged["project_id"],
            "taskId": merged["task_id"],
            "tagIds": tag_ids,
        }
        if merged["stop"] is not None:
            body["end"] = format_timestamp(merged["stop"])
        path = f"/workspaces/{entry.workspace_id}/time-entries/{entry.id}"
        return self._entry(self._call("PUT", path, json_body=body).data)

    def delete(self, wid: str, entry_id: str) -> None:
        self._call("DELETE", f"/workspaces/{wid}/time-entries/{entry_id}")  # 204

    # -- projects -------------------------------------------------------------------------
    def projects(self, wid: str, include_archived: bool = False) -> list[Project]:
        params = {} if include_archived else {"archived": False}
        return map_all(self._pages(f"/workspaces/{wid}/projects", params, "projects"),
                       map_project, "project")

    def _project(self, data: Any) -> Project:
        with mapping("project"):
            return map_project(expect_dict(data, "project"))

    def project(self, wid: str, project_id: str) -> Project:
        return self._project(self._call("GET", f"/workspaces/{wid}/projects/{project_id}").data)

    def create_project(self, wid: str, name: str, *, client_id: str | None = None,
                       color: str | None = None, billable: bool = False) -> Project:
        body: dict[str, Any] = {"name": name, "isPublic": True, "billable": billable}
        if client_id:
            body["clientId"] = client_id
        if color:
            body["color"] = color
        return self._project(self._call("POST", f"/workspaces/{wid}/projects",
                                        json_body=body).data)

    def update_project(self, wid: str, project_id: str, **changes: Any) -> Project:
        names = {"name": "name", "color": "color", "client_id": "clientId",
                 "billable": "billable", "archived": "archived"}
        body = {}
        for key, value in changes.items():
            if key not in names:
                raise TypeError(f"unknown project field {key!r}")
            body[names[key]] = value if value is not None or key != "client_id" else ""
        path = f"/workspaces/{wid}/projects/{project_id}"
        return self._project(self._call("PUT", path, json_body=body).data)

    def archive_project(self, wid: str, project_id: str, archived: bool = True) -> Project:
        return self.update_project(wid, project_id, archived=archived)

    def delete_project(self, wid: str, project_id: str, *, archived: bool | None = None
                       ) -> None:
        # Clockify refuses to delete an active project: archive it first.
        if archived is None:
            archived = not self.project(wid, project_id).active
        if not archived:
            self.archive_project(wid, project_id)
        self._call("DELETE", f"/workspaces/{wid}/projects/{project_id}")

    # -- clients --------------------------------------------------------------------------
    def clients(self, wid: str, include_archived: bool = False) -> list[Client]:
        params = {} if include_archived else {"archived": False}
        return map_all(self._pages(f"/workspaces/{wid}/clients", params, "clients"),
                       map_client, "client")

    def _client(self, data: Any) -> Client:
        with mapping("client"):
            return map_client(expect_dict(data, "client"))

    def client(self, wid: str, client_id: str) -> Client:
        return self._client(self._call("GET", f"/workspaces/{wid}/clients/{client_id}").data)

    def create_client(self, wid: str, name: str, note: str = "") -> Client:
        body = {"name": name, "note": note}
        return self._client(self._call("POST", f"/workspaces/{wid}/clients", json_body=body).data)

    def update_client(self, wid: str, client_id: str, *, name: str) -> Client:
        path = f"/workspaces/{wid}/clients/{client_id}"
        return self._client(self._call("PUT", path, json_body={"name": name}).data)

    def archive_client(self, wid: str, client_id: str, archived: bool = True) -> Client:
        current = self.client(wid, client_id)
        path = f"/workspaces/{wid}/clients/{client_id}"
        body = {"name": current.name, "archived": archived}
        return self._client(self._call("PUT", path, json_body=body).data)

    def delete_client(self, wid: str, client_id: str) -> None:
        self._call("DELETE", f"/workspaces/{wid}/clients/{client_id}")

    # -- tags -----------------------------------------------------------------------------
    def tags(self, wid: str) -> list[Tag]:
        found = map_all(self._pages(f"/workspaces/{wid}/tags", {}, "tags"), map_tag, "tag")
        self.tag_names.update({t.id: t.name for t in found})
        return found

    def _tag(self, data: Any) -> Tag:
        with mapping("tag"):
            tag = map_tag(expect_dict(data, "tag"))
        self.tag_names[tag.id] = tag.name
        return tag

    def tag(self, wid: str, tag_id: str) -> Tag:
        return self._tag(self._call("GET", f"/workspaces/{wid}/tags/{tag_id}").data)

    def create_tag(self, wid: str, name: str) -> Tag:
        made = self._tag(self._call("POST", f"/workspaces/{wid}/tags",
                                    json_body={"name": name}).data)
        self.tag_names[made.id] = made.name  # the entry made with it names it at once
        self.made_tags.append(made)
        return made

    def update_tag(self, wid: str, tag_id: str, *, name: str) -> Tag:
        return self._tag(self._call("PUT", f"/workspaces/{wid}/tags/{tag_id}",
                                    json_body={"name": name}).data)

    def delete_tag(self, wid: str, tag_id: str) -> None:
        self._call("DELETE", f"/workspaces/{wid}/tags/{tag_id}")
        self.tag_names.pop(tag_id, None)

    # -- tasks ----------------------------------------------------------------------------
    def tasks(self, wid: str, project_id: str, include_done: bool = False) -> list[Task]:
        params = {} if include_done else {"is-active": True}
        items = self._pages(f"/workspaces/{wid}/projects/{project_id}/tasks", params, "tasks")
        return map_all(items, map_task, "task")

    def _task(self, data: Any) -> Task:
        with mapping("task"):
            return map_task(expect_dict(data, "task"))

    def task(self, wid: str, project_id: str, task_id: str) -> Task:
        path = f"/workspaces/{wid}/projects/{project_id}/tasks/{task_id}"
        return self._task(self._call("GET", path).data)

    def create_task(self, wid: str, project_id: str, name: str) -> Task:
        path = f"/workspaces/{wid}/projects/{project_id}/tasks"
        return self._task(self._call("POST", path, json_body={"name": name}).data)

    def update_task(self, wid: str, task: Task, **changes: Any) -> Task:
        # PUT requires the name even when only the status changes.
        body: dict[str, Any] = {"name": changes.pop("name", task.name)}
        if "active" in changes:
            body["status"] = "ACTIVE" if changes.pop("active") else "DONE"
        if "billable" in changes:
            body["billable"] = bool(changes.pop("billable"))
        if changes:
            raise TypeError(f"unknown task fields {sorted(changes)}")
        path = f"/workspaces/{wid}/projects/{task.project_id}/tasks/{task.id}"
        return self._task(self._call("PUT", path, json_body=body).data)

    def delete_task(self, wid: str, task: Task) -> None:
        # Clockify refuses to delete an ACTIVE task: mark it DONE first.
        if task.active:
            self.update_task(wid, task, active=False)
        self._call("DELETE", f"/workspaces/{wid}/projects/{task.project_id}/tasks/{task.id}")
