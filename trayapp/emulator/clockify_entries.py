"""Clockify v1 time entry endpoints (api-facts.md 2.8, checklist 12-14)."""

from __future__ import annotations

from typing import Any

from .clockify_common import (
    ClockifyError,
    body_object,
    check_workspace,
    created,
    not_found,
    ok,
    page,
    parse_time,
    query_flag,
)
from .clockify_store import ClockifyStore
from .wsgi import Request, Response, Router, empty

__all__ = ["register"]

WS = r"/api/v1/workspaces/([0-9a-f]{24})"
ID = r"([0-9a-zA-Z]+)"


def register(router: Router) -> None:
    router.add("GET", rf"{WS}/user/{ID}/time-entries", list_user_entries)
    router.add("POST", rf"{WS}/user/{ID}/time-entries", create_user_entry)
    router.add("PATCH", rf"{WS}/user/{ID}/time-entries", stop_user_entry)
    # POST only: a GET on this path is a 405, not the list Maton's reference suggests.
    router.add("POST", rf"{WS}/time-entries", create_entry)
    router.add("GET", rf"{WS}/time-entries/status/in-progress", in_progress)
    router.add("GET", rf"{WS}/time-entries/{ID}", get_entry)
    router.add("PUT", rf"{WS}/time-entries/{ID}", replace_entry)
    router.add("DELETE", rf"{WS}/time-entries/{ID}", delete_entry)


def _member(s: ClockifyStore, wid: str, uid: str) -> None:
    check_workspace(s, wid)
    if s.user(uid) is None:
        raise not_found("User")


def _newest_first(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda e: (e["start"], e["id"]), reverse=True)


def list_user_entries(s: ClockifyStore, req: Request, wid: str, uid: str) -> Response:
    _member(s, wid, uid)
    q = req.query
    picked = [e for e in s.entries if e["workspaceId"] == wid and e["userId"] == uid]
    if q.get("start"):
        start = parse_time(q["start"], "start")
        picked = [e for e in picked if e["start"] >= start]
    if q.get("end"):
        end = parse_time(q["end"], "end")
        picked = [e for e in picked if e["start"] <= end]
    if q.get("description"):
        needle = q["description"].lower()
        picked = [e for e in picked if needle in (e["description"] or "").lower()]
    if q.get("project"):
        picked = [e for e in picked if e["projectId"] == q["project"]]
    if q.get("task"):
        picked = [e for e in picked if e["taskId"] == q["task"]]
    if q.get("tags"):
        wanted = set(q["tags"].split(","))
        picked = [e for e in picked if wanted & set(e["tagIds"] or [])]
    in_progress = query_flag(req, "in-progress")
    if in_progress is not None:
        picked = [e for e in picked if (e["end"] is None) == in_progress]
    chunk, headers = page(req, _newest_first(picked))
    hydrated = query_flag(req, "hydrated") is True
    return ok([s.entry_json(e, hydrated=hydrated) for e in chunk], headers)


def in_progress(s: ClockifyStore, req: Request, wid: str) -> Response:
    check_workspace(s, wid)
    # Every user's running timer in the workspace; callers filter by userId.
    chunk, headers = page(req, _newest_first(s.running(wid)), default_size=10)
    return ok([s.entry_json(e) for e in chunk], headers)


def _entry(s: ClockifyStore, wid: str, entry_id: str) -> dict[str, Any]:
    check_workspace(s, wid)
    entry = s.entry(wid, entry_id)
    if entry is None:
        raise not_found("TimeEntry")
    return entry


def get_entry(s: ClockifyStore, req: Request, wid: str, entry_id: str) -> Response:
    entry = _entry(s, wid, entry_id)
    return ok(s.entry_json(entry, hydrated=query_flag(req, "hydrated") is True))


def _fields(s: ClockifyStore, wid: str, body: dict[str, Any]) -> dict[str, Any]:
    """Validated entry fields from a create/replace body; omitted fields get their defaults."""
    if body.get("start") in (None, ""):
        raise ClockifyError(400, "Field 'start' is required")
    start = parse_time(body["start"], "start")
    end = parse_time(body["end"], "end") if body.get("end") not in (None, "") else None
    if end is not None and end < start:
        raise ClockifyError(400, "End time must be after start time")
    description = body.get("description") or ""
    if not isinstance(description, str) or len(description) > 3000:
        raise ClockifyError(400, "Description must be a string of at most 3000 characters")
    project_id = body.get("projectId") or None
    project = s.project(wid, project_id) if project_id else None
    if project_id and project is None:
        raise not_found("Project")
    task_id = body.get("taskId") or None
    if task_id and (not project_id or s.task(project_id, task_id) is None):
        raise not_found("Task")
    tag_ids = body.get("tagIds")
    if tag_ids is not None:
        if not isinstance(tag_ids, list) or any(s.tag(wid, t) is None for t in tag_ids):
            raise not_found("Tag")
        tag_ids = list(dict.fromkeys(tag_ids))
    billable = body.get("billable")
    if billable is None:
        billable = bool(project and project["billable"])  # follows the project, like the app
    kind = body.get("type") or "REGULAR"
    if kind not in ("REGULAR", "BREAK"):
        raise ClockifyError(400, "Invalid time entry type")
    return {"start": start, "end": end, "description": description, "projectId": project_id,
            "taskId": task_id, "tagIds": tag_ids, "billable": bool(billable), "type": kind}


def create_entry(s: ClockifyStore, req: Request, wid: str) -> Response:
    check_workspace(s, wid)
    return _create(s, req, wid, s.user_id)


def create_user_entry(s: ClockifyStore, req: Request, wid: str, uid: str) -> Response:
    _member(s, wid, uid)
    return _create(s, req, wid, uid)


def _create(s: ClockifyStore, req: Request, wid: str, uid: str) -> Response:
    fields = _fields(s, wid, body_object(req))
    # Deliberately NO auto-stop of the user's running entry: Clockify does not document one and
    # its clients stop first. Two running entries can then coexist; the app must stop first.
    entry = s.add("entry", workspaceId=wid, userId=uid, **fields)
    return created(s.entry_json(entry, write=True))


def replace_entry(s: ClockifyStore, req: Request, wid: str, entry_id: str) -> Response:
    entry = _entry(s, wid, entry_id)
    # A full replacement: anything omitted (end, projectId, tagIds...) is cleared.
    entry.update(_fields(s, wid, body_object(req)))
    return ok(s.entry_json(entry, write=True))


def delete_entry(s: ClockifyStore, req: Request, wid: str, entry_id: str) -> Response:
    s.entries.remove(_entry(s, wid, entry_id))
    return empty(204)


def stop_user_entry(s: ClockifyStore, req: Request, wid: str, uid: str) -> Response:
    _member(s, wid, uid)
    body = body_object(req)
    if body.get("end") in (None, ""):
        raise ClockifyError(400, "Field 'end' is required")
    end = parse_time(body["end"], "end")
    running = s.running(wid, uid)
    if not running:
        raise ClockifyError(
            404,
            f"Currently running time entry doesn't exist on workspace {wid} for user {uid}.",
            404,
        )
    latest = _newest_first(running)[0]
    if end < latest["start"]:
        raise ClockifyError(400, "End time must be after start time")
    for entry in running:  # should two be running (see _create), stop them all
        entry["end"] = max(end, entry["start"])
    return ok(s.entry_json(latest, write=True))
