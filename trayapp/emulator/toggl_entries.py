"""Toggl v9 time entry endpoints, with the observed quirks (api-facts.md 1.5, checklist 2-8, 10)."""

from __future__ import annotations

from typing import Any

from .timefmt import BadTime, parse_date_or_time, parse_rfc3339
from .toggl_common import (
    TogglError,
    body_object,
    check_member,
    field,
    ok,
    ok_empty,
    query_bool,
)
from .toggl_store import TogglStore
from .wsgi import BadJson, Request, Response, Router

__all__ = ["register"]

API = "/api/v9"
DEFAULT_WINDOW = 9 * 86400  # unparameterised list: entries started in the last 9 days


def register(router: Router) -> None:
    router.add("GET", f"{API}/me/time_entries", list_entries)
    router.add("GET", f"{API}/me/time_entries/current", current_entry)
    router.add("GET", rf"{API}/me/time_entries/(\d+)", get_entry)
    router.add("POST", rf"{API}/workspaces/(\d+)/time_entries", create_entry)
    router.add("PUT", rf"{API}/workspaces/(\d+)/time_entries/(\d+)", update_entry)
    router.add("PATCH", rf"{API}/workspaces/(\d+)/time_entries/(\d+)/stop", stop_entry)
    router.add("DELETE", rf"{API}/workspaces/(\d+)/time_entries/(\d+)", delete_entry)
    router.add("PATCH", rf"{API}/workspaces/(\d+)/time_entries/([\d,]+)", bulk_patch)


def _time(value: Any, name: str) -> int:
    try:
        return int(parse_rfc3339(value))
    except BadTime as exc:
        raise TogglError(400, f"Invalid {name} time: {value!r}") from exc


def _query_time(req: Request, name: str) -> float:
    try:
        return parse_date_or_time(req.query[name])
    except BadTime as exc:
        raise TogglError(400, f"Invalid {name} value") from exc


def list_entries(s: TogglStore, req: Request) -> Response:
    q = req.query
    now = s.clock()
    if "since" in q and "before" in q:
        raise TogglError(400, "'since' and 'before' can not be present simultaneously")
    if ("start_date" in q) != ("end_date" in q):
        raise TogglError(400, "start_date and end_date must be used together")
    if "since" in q:
        try:
            since = int(q["since"])
        except ValueError as exc:
            raise TogglError(400, "Invalid since value") from exc
        # Incremental sync: everything modified since, deleted entries included.
        picked = [e for e in s.entries if e["at"] >= since]
    else:
        live = [e for e in s.entries if e["server_deleted_at"] is None]
        if "start_date" in q:
            start, end = _query_time(req, "start_date"), _query_time(req, "end_date")
            if start > end:
                raise TogglError(400, "start_date must be earlier than end_date")
            picked = [e for e in live if start <= e["start"] < end]
        elif "before" in q:
            before = _query_time(req, "before")
            picked = [e for e in live if e["start"] < before]
        else:
            picked = [e for e in live if e["start"] >= now - DEFAULT_WINDOW or e["stop"] is None]
    picked.sort(key=lambda e: (e["start"], e["id"]), reverse=True)
    meta = query_bool(req, "meta")
    return ok([s.entry_json(e, meta=meta) for e in picked])


def current_entry(s: TogglStore, req: Request) -> Response:
    running = s.running()
    # Nothing running is 200 with a JSON `null`, not a 404.
    return ok(s.entry_json(running) if running else None)


def get_entry(s: TogglStore, req: Request, entry_id: str) -> Response:
    entry = s.entry(int(entry_id))
    if entry is None:
        raise TogglError(404, "Resource can not be found")
    return ok(s.entry_json(entry, meta=query_bool(req, "meta")))


def _project_id(s: TogglStore, body: dict[str, Any]) -> int | None:
    key = "project_id" if "project_id" in body else "pid"
    project_id = field(body, key, int)
    if project_id is not None and s.project(project_id) is None:
        raise TogglError(400, "Invalid project_id")
    return project_id


def _tag_ids(s: TogglStore, body: dict[str, Any], create: bool = True) -> list[int]:
    """Tag ids from `tags` (names, auto-created unless removing) and `tag_ids` (must exist)."""
    names = field(body, "tags", list) or []
    ids = field(body, "tag_ids", list) or []
    if not all(isinstance(n, str) for n in names):
        raise TogglError(400, 'Unexpected "tags" item type')
    for tag_id in ids:
        if not isinstance(tag_id, int) or s.tag(tag_id) is None:
            raise TogglError(400, f"Invalid tag_id {tag_id}")
    out = list(dict.fromkeys(ids))
    wanted = [n for n in names if n.strip()]
    if not create:
        return out + [t["id"] for n in wanted if (t := s.tag_named(n)) and t["id"] not in out]
    for tag_id in s.tag_ids_for(wanted):
        if tag_id not in out:
            out.append(tag_id)
    return out


def create_entry(s: TogglStore, req: Request, wid: str) -> Response:
    check_member(s, wid)
    body = body_object(req)
    created_with = body.get("created_with")
    if not isinstance(created_with, str) or not created_with.strip():
        raise TogglError(400, "created_with needs to be provided an a valid string")
    body_wid = field(body, "workspace_id", int) or field(body, "wid", int)
    if body_wid is None:
        raise TogglError(400, "workspace_id is required")
    if body_wid != int(wid):
        raise TogglError(400, "workspace_id in the body must match the workspace in the URL")
    if "start" not in body or body["start"] is None:
        raise TogglError(400, "start is required")
    start = _time(body["start"], "start")
    duration = field(body, "duration", int)
    stop = _time(body["stop"], "stop") if body.get("stop") is not None else None
    if field(body, "task_id", int) is not None:
        raise TogglError(400, "Invalid task_id")  # tasks are a paid feature, none exist here
    description = field(body, "description", str)
    billable = bool(field(body, "billable", bool))
    project_id = _project_id(s, body)
    sent_tags = bool(body.get("tags") or body.get("tag_ids"))
    tag_ids = _tag_ids(s, body)
    now = s.clock()

    running = duration is not None and duration < 0
    echo_stop_null = False
    if running:
        stop = None
        # The previous timer (in any workspace: one runs per user) ends at server time, not
        # at the new start.
        s.stop_running(now)
    elif stop is not None:
        if stop < start:
            raise TogglError(400, "Stop time must be after start time")
        if duration is not None and duration != stop - start:
            raise TogglError(400, "Duration does not match start and stop")
    elif duration is not None:
        stop = start + duration
    else:
        # No duration and no stop: a zero-length stopped entry (answered with stop null).
        stop, echo_stop_null = start, True

    entry = s.add_entry(
        workspace_id=int(wid), description=description, project_id=project_id,
        billable=billable, tag_ids=tag_ids, start=start, stop=stop, at=now,
        created_with=created_with,
    )
    return ok(s.entry_json(entry, write=True, running_duration=-1, null_empty_tags=not sent_tags,
                           echo_stop_null=echo_stop_null))


def _live_entry(s: TogglStore, wid: str, entry_id: str) -> dict[str, Any]:
    check_member(s, wid)
    entry = s.entry(int(entry_id))
    if entry is None or entry["workspace_id"] != int(wid):  # its path names its workspace
        raise TogglError(404, "Time entry not found")
    return entry


def apply_update(s: TogglStore, entry: dict[str, Any], body: dict[str, Any]) -> None:
    """Partial update shared by PUT and the bulk PATCH: only keys present change."""
    now = s.clock()
    if "description" in body:
        entry["description"] = field(body, "description", str)
    if "project_id" in body or "pid" in body:
        entry["project_id"] = _project_id(s, body)
    if "billable" in body:
        entry["billable"] = bool(field(body, "billable", bool))
    if field(body, "task_id", int) is not None:
        raise TogglError(400, "Invalid task_id")
    if "tags" in body or "tag_ids" in body:
        action = body.get("tag_action")
        ids = _tag_ids(s, body, create=action != "delete")
        if action == "add":
            entry["tag_ids"] = list(dict.fromkeys([*entry["tag_ids"], *ids]))
        elif action == "delete":
            entry["tag_ids"] = [i for i in entry["tag_ids"] if i not in ids]
        elif action in (None, ""):
            entry["tag_ids"] = ids
        else:
            raise TogglError(400, "tag_action must be 'add' or 'delete'")
    start = _time(body["start"], "start") if body.get("start") is not None else entry["start"]
    duration = field(body, "duration", int)
    if body.get("stop") is not None:
        stop = _time(body["stop"], "stop")
        if stop < start:
            raise TogglError(400, "Stop time must be after start time")
        entry["stop"] = stop
    elif duration is not None and duration < 0:
        if entry["stop"] is not None:
            s.stop_running(now)
        entry["stop"] = None
    elif duration is not None:
        entry["stop"] = start + duration
    elif entry["stop"] is not None and entry["stop"] < start:
        # A new start on a stopped entry keeps its stop, so it may not pass it.
        raise TogglError(400, "Stop time must be after start time")
    entry["start"] = start
    entry["at"] = now


def update_entry(s: TogglStore, req: Request, wid: str, entry_id: str) -> Response:
    entry = _live_entry(s, wid, entry_id)
    body = body_object(req)
    if field(body, "workspace_id", int) not in (None, int(wid)):
        raise TogglError(400, "workspace_id in the body must match the workspace in the URL")
    apply_update(s, entry, body)
    return ok(s.entry_json(entry, write=True))


def stop_entry(s: TogglStore, req: Request, wid: str, entry_id: str) -> Response:
    entry = _live_entry(s, wid, entry_id)
    if entry["stop"] is not None:
        raise TogglError(409, "Time entry already stopped")
    now = s.clock()
    entry["stop"] = max(int(now), entry["start"])
    entry["at"] = now
    return ok(s.entry_json(entry, write=True))


def delete_entry(s: TogglStore, req: Request, wid: str, entry_id: str) -> Response:
    entry = _live_entry(s, wid, entry_id)
    now = s.clock()
    # Soft delete: `since` syncs must still see it, with server_deleted_at and a fresh `at`.
    entry["server_deleted_at"] = now
    entry["at"] = now
    return ok_empty()


_PATCHABLE = {"description", "project_id", "billable", "tags", "tag_ids", "start", "stop",
              "duration", "task_id"}


def bulk_patch(s: TogglStore, req: Request, wid: str, ids: str) -> Response:
    check_member(s, wid)
    entry_ids = [int(i) for i in ids.split(",") if i]
    if not entry_ids or len(entry_ids) > 100:
        raise TogglError(400, "Between 1 and 100 time entry ids must be given")
    try:
        ops = req.json()
    except BadJson as exc:
        raise TogglError(400, "Invalid JSON input") from exc
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise TogglError(400, "Invalid JSON input")
    success: list[int] = []
    failure: list[dict[str, Any]] = []
    for entry_id in entry_ids:
        entry = s.entry(entry_id)
        if entry is None or entry["workspace_id"] != int(wid):
            failure.append({"id": entry_id, "message": "Time entry not found"})
            continue
        try:
            for op in ops:
                _apply_op(s, entry, op)
        except TogglError as exc:  # partial success, no rollback (as documented)
            failure.append({"id": entry_id, "message": exc.message})
            continue
        success.append(entry_id)
    return ok({"success": success, "failure": failure})


def _apply_op(s: TogglStore, entry: dict[str, Any], op: dict[str, Any]) -> None:
    kind, path, value = op.get("op"), str(op.get("path", "")).strip("/"), op.get("value")
    if kind not in ("add", "remove", "replace") or path not in _PATCHABLE:
        raise TogglError(400, f"Unsupported operation {kind!r} on {path!r}")
    if path in ("tags", "tag_ids"):
        values = value if isinstance(value, list) else ([] if value is None else [value])
        if kind == "replace":
            apply_update(s, entry, {path: values})
        elif kind == "add":
            apply_update(s, entry, {path: values, "tag_action": "add"})
        else:
            remove = values or ([t["name"] for i in entry["tag_ids"] if (t := s.tag(i))]
                                if path == "tags" else list(entry["tag_ids"]))
            apply_update(s, entry, {path: remove, "tag_action": "delete"})
        return
    if kind == "remove":
        value = False if path == "billable" else None
    apply_update(s, entry, {path: value})
