"""Toggl Track API v9, and every one of its quirks (see api-facts.md §1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..core import errors as e
from ..core.durations import format_timestamp, parse_timestamp, utcnow
from ..core.models import (
    Client,
    EntryDraft,
    Project,
    Service,
    Tag,
    TimeEntry,
    User,
    Workspace,
    WorkspaceUser,
    is_id,
)
from .tracker import (
    UNCHANGED,
    Tracker,
    expect_dict,
    expect_list,
    map_all,
    mapping,
    page_numbers,
)

CREATED_WITH = "trayapp"
PAGE_SIZE = 200  # Toggl's maximum per_page for projects


def _id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError("id")
    if not is_id(text := str(value)):  # it goes into request paths
        raise TypeError("id")
    return text


def _num(value: str | None) -> int | None:
    """Our string ids back to Toggl's integers."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise e.NotFound(f"{value!r} is not a Toggl id.") from None


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in expect_list(value, "tags"))


def map_entry(data: dict[str, Any]) -> TimeEntry:
    start = parse_timestamp(data["start"])
    duration = data.get("duration")
    stop_text = data.get("stop")
    if isinstance(duration, int | float) and not isinstance(duration, bool) and duration < 0:
        stop = None  # running: -1 on create, -(start epoch) on every read
    elif stop_text:
        stop = parse_timestamp(stop_text)
    elif isinstance(duration, int | float) and not isinstance(duration, bool):
        stop = start + timedelta(seconds=duration)  # created without a stop: zero-length
    else:
        raise ValueError("entry has neither stop nor duration")
    entry_id = _id(data["id"])
    wid = _id(data.get("workspace_id", data.get("wid")))
    if entry_id is None or wid is None:
        raise ValueError("entry without id")
    description = data.get("description")
    return TimeEntry(
        id=entry_id,
        workspace_id=wid,
        start=start,
        stop=stop,
        description=description if isinstance(description, str) else "",
        project_id=_id(data.get("project_id", data.get("pid"))),
        task_id=_id(data.get("task_id", data.get("tid"))),
        tag_ids=tuple(str(_id(t)) for t in (data.get("tag_ids") or ())),
        tags=_names(data.get("tags")),
        billable=bool(data.get("billable")),
        deleted=bool(data.get("server_deleted_at")),
        user_id=_id(data.get("user_id", data.get("uid"))),
    )


def map_project(data: dict[str, Any]) -> Project:
    pid, wid = _id(data["id"]), _id(data.get("workspace_id", data.get("wid")))
    if pid is None or wid is None:
        raise ValueError("project without id")
    return Project(
        id=pid,
        workspace_id=wid,
        name=str(data["name"]),
        color=str(data.get("color") or "#0b83d9"),
        client_id=_id(data.get("client_id", data.get("cid"))),
        client_name=data.get("client_name") if isinstance(data.get("client_name"), str) else None,
        active=bool(data.get("active", True)),
        billable=bool(data.get("billable")),
    )


def map_client(data: dict[str, Any]) -> Client:
    cid, wid = _id(data["id"]), _id(data.get("wid", data.get("workspace_id")))
    if cid is None or wid is None:
        raise ValueError("client without id")
    notes = data.get("notes")
    return Client(cid, wid, str(data["name"]), bool(data.get("archived")),
                  notes if isinstance(notes, str) else "")


def map_tag(data: dict[str, Any]) -> Tag:
    tid, wid = _id(data["id"]), _id(data.get("workspace_id", data.get("wid")))
    if tid is None or wid is None:
        raise ValueError("tag without id")
    return Tag(tid, wid, str(data["name"]), bool(data.get("deleted_at")))


def map_workspace(data: dict[str, Any]) -> Workspace:
    wid = _id(data["id"])
    if wid is None:
        raise ValueError("workspace without id")
    return Workspace(wid, str(data["name"]), bool(data.get("premium") or data.get("business_ws")))


def map_user(data: dict[str, Any]) -> User:
    uid = _id(data["id"])
    if uid is None:
        raise ValueError("user without id")
    return User(
        id=uid,
        name=str(data.get("fullname") or data.get("email") or ""),
        email=str(data.get("email") or ""),
        default_workspace_id=_id(data.get("default_workspace_id")),
        timezone=data.get("timezone") if isinstance(data.get("timezone"), str) else None,
    )


def map_workspace_user(data: dict[str, Any]) -> WorkspaceUser:
    uid = _id(data["id"])
    if uid is None:
        raise ValueError("user without id")
    return WorkspaceUser(uid, str(data.get("fullname") or data.get("name") or ""),
                         str(data.get("email") or ""), not data.get("inactive", False))


class TogglTracker(Tracker):
    service = Service.TOGGL
    supports_since = True
    stops_at_server_time = True  # PATCH .../stop
    entries_span_workspaces = True  # /me/time_entries: the user's, in every workspace
    one_timer_per_user = True  # a start stops the running entry, whatever its workspace
    prefix = "/toggl-track/api/v9"

    # -- account --------------------------------------------------------------------------
    def me(self) -> User:
        with mapping("user"):
            return map_user(expect_dict(self._call("GET", "/me").data, "user"))

    def workspaces(self) -> list[Workspace]:
        data = expect_list(self._call("GET", "/me/workspaces").data, "workspaces")
        return map_all(data, map_workspace, "workspace")

    def workspace(self, wid: str) -> Workspace:
        with mapping("workspace"):
            data = self._call("GET", f"/workspaces/{_num(wid)}").data
            return map_workspace(expect_dict(data, "workspace"))

    def users(self, wid: str) -> list[WorkspaceUser]:
        data = expect_list(self._call("GET", f"/workspaces/{_num(wid)}/users").data, "users")
        return map_all(data, map_workspace_user, "user")

    # -- time entries ---------------------------------------------------------------------
    def _entry(self, data: Any) -> TimeEntry:
        with mapping("time entry"):
            return map_entry(expect_dict(data, "time entry"))

    def current(self, wid: str) -> TimeEntry | None:
        data = self._call("GET", "/me/time_entries/current").data
        return None if data is None else self._entry(data)  # nothing running: 200 `null`

    def entry(self, wid: str, entry_id: str) -> TimeEntry:
        return self._entry(self._call("GET", f"/me/time_entries/{_num(entry_id)}").data)

    def entries(self, wid: str, start: datetime, end: datetime) -> list[TimeEntry]:
        params = {"start_date": format_timestamp(start), "end_date": format_timestamp(end)}
        data = expect_list(self._call("GET", "/me/time_entries", params=params).data, "entries")
        return [x for x in map_all(data, map_entry, "time entry") if not x.deleted]

    def entries_before(self, wid: str, before: datetime) -> list[TimeEntry]:
        """The user's entries that start before `before`, newest first (Toggl's `before`
        filter; it cannot go with `since`)."""
        params = {"before": format_timestamp(before)}
        data = expect_list(self._call("GET", "/me/time_entries", params=params).data, "entries")
        return [x for x in map_all(data, map_entry, "time entry") if not x.deleted]

    def changed_since(self, wid: str, since: datetime) -> list[TimeEntry]:
        params = {"since": int(since.timestamp())}
        data = expect_list(self._call("GET", "/me/time_entries", params=params).data, "entries")
        return map_all(data, map_entry, "time entry")

    def _body(self, wid: str, draft: EntryDraft) -> dict[str, Any]:
        body: dict[str, Any] = {
            "created_with": CREATED_WITH,
            "workspace_id": _num(wid),
            "description": draft.description,
            "billable": draft.billable,
            "tags": list(draft.tags),
        }
        if draft.project_id:
            body["project_id"] = _num(draft.project_id)
        if draft.task_id:
            body["task_id"] = _num(draft.task_id)
        return body

    def start(self, wid: str, draft: EntryDraft, stop_running: bool = True) -> TimeEntry:
        # One request: Toggl stops the running entry itself when a new one starts.
        body = self._body(wid, draft)
        body["start"] = format_timestamp(draft.start or utcnow())
        body["duration"] = -1
        return self._entry(self._call("POST", f"/workspaces/{_num(wid)}/time_entries",
                                      json_body=body).data)

    def create(self, wid: str, draft: EntryDraft) -> TimeEntry:
        if draft.start is None or draft.stop is None or draft.stop < draft.start:
            raise e.BadRequest("A finished entry needs a start and a stop after it.")
        body = self._body(wid, draft)
        body["start"] = format_timestamp(draft.start)
        body["stop"] = format_timestamp(draft.stop)
        body["duration"] = int((draft.stop - draft.start).total_seconds())
        return self._entry(self._call("POST", f"/workspaces/{_num(wid)}/time_entries",
                                      json_body=body).data)

    def stop(self, wid: str, entry_id: str, at: datetime | None = None) -> TimeEntry:
        path = f"/workspaces/{_num(wid)}/time_entries/{_num(entry_id)}"
        if at is None:
            return self._entry(self._call("PATCH", path + "/stop").data)
        # A stop at a given time (e.g. "stop at idle start", or replayed from the outbox).
        return self._entry(self._call("PUT", path, json_body={"stop": format_timestamp(at)}).data)

    def update(self, entry: TimeEntry, **changes: Any) -> TimeEntry:
        body: dict[str, Any] = {}  # Toggl's PUT is partial: send only what changes
        for key, value in changes.items():
            if value is UNCHANGED:
                continue
            if key == "description":
                body["description"] = value or ""
            elif key in ("project_id", "task_id"):
                body[key] = _num(value) if value else None
            elif key == "tags":
                body["tags"] = list(value or ())  # without tag_action: replace the list
            elif key == "billable":
                body["billable"] = bool(value)
            elif key in ("start", "stop"):
                body[key] = format_timestamp(value) if value else None
            else:
                raise TypeError(f"unknown time entry field {key!r}")
        if "stop" in body and body["stop"] is None:
            body.pop("stop")
            body["duration"] = -1
        if not body:
            return entry
        path = f"/workspaces/{_num(entry.workspace_id)}/time_entries/{_num(entry.id)}"
        return self._entry(self._call("PUT", path, json_body=body).data)

    def delete(self, wid: str, entry_id: str) -> None:
        # 200 with an empty body (Content-Type still says JSON): nothing to parse.
        self._call("DELETE", f"/workspaces/{_num(wid)}/time_entries/{_num(entry_id)}")

    # -- projects -------------------------------------------------------------------------
    def projects(self, wid: str, include_archived: bool = False) -> list[Project]:
        found: list[Project] = []
        for page in page_numbers("projects"):
            params = {"active": "both" if include_archived else "true", "page": page,
                      "per_page": PAGE_SIZE}
            data = expect_list(
                self._call("GET", f"/workspaces/{_num(wid)}/projects", params=params).data,
                "projects",
            )
            found.extend(map_all(data, map_project, "project"))
            if len(data) < PAGE_SIZE:
                break
        return found

    def _project(self, data: Any) -> Project:
        with mapping("project"):
            return map_project(expect_dict(data, "project"))

    def project(self, wid: str, project_id: str) -> Project:
        path = f"/workspaces/{_num(wid)}/projects/{_num(project_id)}"
        return self._project(self._call("GET", path).data)

    def create_project(self, wid: str, name: str, *, client_id: str | None = None,
                       color: str | None = None, billable: bool = False) -> Project:
        body: dict[str, Any] = {"name": name, "active": True, "is_private": False}
        if client_id:
            body["client_id"] = _num(client_id)
        if color:
            body["color"] = color
        if billable:
            body["billable"] = True  # sending it on a free workspace is a premium 402
        return self._project(self._call("POST", f"/workspaces/{_num(wid)}/projects",
                                        json_body=body).data)

    def update_project(self, wid: str, project_id: str, **changes: Any) -> Project:
        body: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "client_id":
                body["client_id"] = _num(value) if value else None
            elif key in ("name", "color", "billable", "active"):
                body[key] = value
            else:
                raise TypeError(f"unknown project field {key!r}")
        path = f"/workspaces/{_num(wid)}/projects/{_num(project_id)}"
        return self._project(self._call("PUT", path, json_body=body).data)

    def archive_project(self, wid: str, project_id: str, archived: bool = True) -> Project:
        return self.update_project(wid, project_id, active=not archived)

    def delete_project(self, wid: str, project_id: str, *, archived: bool | None = None
                       ) -> None:
        # Said explicitly: its entries stay, without a project (body: the id, a bare integer).
        self._call("DELETE", f"/workspaces/{_num(wid)}/projects/{_num(project_id)}",
                   params={"teDeletionMode": "unassign"})

    # -- clients --------------------------------------------------------------------------
    def clients(self, wid: str, include_archived: bool = False) -> list[Client]:
        params = {"status": "both" if include_archived else "active"}
        data = self._call("GET", f"/workspaces/{_num(wid)}/clients", params=params).data
        return map_all(expect_list(data or [], "clients"), map_client, "client")

    def _client(self, data: Any) -> Client:
        with mapping("client"):
            return map_client(expect_dict(data, "client"))

    def client(self, wid: str, client_id: str) -> Client:
        path = f"/workspaces/{_num(wid)}/clients/{_num(client_id)}"
        return self._client(self._call("GET", path).data)

    def create_client(self, wid: str, name: str, note: str = "") -> Client:
        body = {"name": name, "notes": note or None}
        return self._client(self._call("POST", f"/workspaces/{_num(wid)}/clients",
                                       json_body=body).data)

    def update_client(self, wid: str, client_id: str, *, name: str) -> Client:
        path = f"/workspaces/{_num(wid)}/clients/{_num(client_id)}"
        return self._client(self._call("PUT", path, json_body={"name": name}).data)

    def archive_client(self, wid: str, client_id: str, archived: bool = True) -> Client:
        # Premium-only on Toggl: a free workspace gets a 402 that surfaces as PremiumRequired.
        path = f"/workspaces/{_num(wid)}/clients/{_num(client_id)}"
        if archived:
            self._call("POST", path + "/archive")
            return self.client(wid, client_id)
        return self._client(
            self._call("POST", path + "/restore", json_body={"restore_all_projects": False}).data
        )

    def delete_client(self, wid: str, client_id: str) -> None:
        self._call("DELETE", f"/workspaces/{_num(wid)}/clients/{_num(client_id)}")

    # -- tags -----------------------------------------------------------------------------
    def tags(self, wid: str) -> list[Tag]:
        data = self._call("GET", f"/workspaces/{_num(wid)}/tags").data
        return map_all(expect_list(data or [], "tags"), map_tag, "tag")

    def _tag(self, data: Any) -> Tag:
        if isinstance(data, list) and len(data) == 1:  # the spec says an array, Maton an object
            data = data[0]
        with mapping("tag"):
            return map_tag(expect_dict(data, "tag"))

    def create_tag(self, wid: str, name: str) -> Tag:
        return self._tag(self._call("POST", f"/workspaces/{_num(wid)}/tags",
                                    json_body={"name": name}).data)

    def update_tag(self, wid: str, tag_id: str, *, name: str) -> Tag:
        path = f"/workspaces/{_num(wid)}/tags/{_num(tag_id)}"
        return self._tag(self._call("PUT", path, json_body={"name": name}).data)

    def delete_tag(self, wid: str, tag_id: str) -> None:
        self._call("DELETE", f"/workspaces/{_num(wid)}/tags/{_num(tag_id)}")

