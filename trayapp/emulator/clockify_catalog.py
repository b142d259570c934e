"""Clockify v1 projects, clients, tags and tasks (api-facts.md 2.4-2.7)."""

from __future__ import annotations

import re
from typing import Any

from .clockify_common import (
    ClockifyError,
    body_object,
    check_workspace,
    created,
    not_found,
    ok,
    page,
    query_flag,
)
from .clockify_store import ClockifyStore
from .wsgi import Handler, Request, Response, Router

__all__ = ["register"]

WS = r"/api/v1/workspaces/([0-9a-f]{24})"
ID = r"([0-9a-zA-Z]+)"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def register(router: Router) -> None:
    for plural in ("projects", "clients", "tags"):
        router.add("GET", f"{WS}/{plural}", _list(plural))
        router.add("POST", f"{WS}/{plural}", _create(plural))
        router.add("GET", rf"{WS}/{plural}/{ID}", _get(plural))
        router.add("PUT", rf"{WS}/{plural}/{ID}", _update(plural))
        router.add("DELETE", rf"{WS}/{plural}/{ID}", _delete(plural))
    router.add("GET", rf"{WS}/projects/{ID}/tasks", list_tasks)
    router.add("POST", rf"{WS}/projects/{ID}/tasks", create_task)
    router.add("GET", rf"{WS}/projects/{ID}/tasks/{ID}", get_task)
    router.add("PUT", rf"{WS}/projects/{ID}/tasks/{ID}", update_task)
    router.add("DELETE", rf"{WS}/projects/{ID}/tasks/{ID}", delete_task)


_SINGULAR = {"projects": "Project", "clients": "Client", "tags": "Tag"}


def _items(s: ClockifyStore, plural: str) -> list[dict[str, Any]]:
    return getattr(s, plural)


def _json(s: ClockifyStore, plural: str, record: dict[str, Any], write: bool = False) -> Any:
    if plural == "projects":
        return s.project_json(record)
    if plural == "clients":
        return s.client_json(record, write=write)
    return s.tag_json(record)


def _record(s: ClockifyStore, plural: str, wid: str, item_id: str) -> dict[str, Any]:
    check_workspace(s, wid)
    found = next(
        (i for i in _items(s, plural) if i["id"] == item_id and i["workspaceId"] == wid), None
    )
    if found is None:
        raise not_found(_SINGULAR[plural])
    return found


def _filter(req: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    name = req.query.get("name", "")
    if name:
        strict = query_flag(req, "strict-name-search") is True
        items = [
            i for i in items
            if (i["name"] == name if strict else name.lower() in i["name"].lower())
        ]
    archived = query_flag(req, "archived")  # omitted: archived and active alike
    if archived is not None:
        items = [i for i in items if i["archived"] == archived]
    return sorted(items, key=lambda i: (i["name"].lower(), i["id"]))


def _list(plural: str) -> Handler:
    def handler(s: ClockifyStore, req: Request, wid: str) -> Response:
        check_workspace(s, wid)
        mine = [i for i in _items(s, plural) if i["workspaceId"] == wid]
        chunk, headers = page(req, _filter(req, mine))
        return ok([_json(s, plural, i) for i in chunk], headers)

    return handler


def _get(plural: str) -> Handler:
    def handler(s: ClockifyStore, req: Request, wid: str, item_id: str) -> Response:
        return ok(_json(s, plural, _record(s, plural, wid, item_id)))

    return handler


def _check_name(s: ClockifyStore, plural: str, wid: str, name: Any,
                own_id: str | None = None) -> str:
    label = _SINGULAR[plural]
    if not isinstance(name, str) or not name.strip():
        raise ClockifyError(400, f"{label} name is required")
    name = name.strip()
    if plural == "projects" and not 2 <= len(name) <= 250:
        raise ClockifyError(400, "Project name has to be between 2 and 250 characters long")
    clash = any(
        i["name"].lower() == name.lower() and i["workspaceId"] == wid and i["id"] != own_id
        for i in _items(s, plural)
    )
    if clash:
        raise ClockifyError(400, f"{label} with name '{name}' already exists")
    return name


def _changes(s: ClockifyStore, plural: str, wid: str, body: dict[str, Any],
             own_id: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in body or own_id is None:
        out["name"] = _check_name(s, plural, wid, body.get("name"), own_id)
    if body.get("archived") is not None and own_id is not None:
        out["archived"] = bool(body["archived"])
    if plural == "projects":
        if body.get("color") is not None:
            if not isinstance(body["color"], str) or not _HEX.match(body["color"]):
                raise ClockifyError(400, "Color must be a hex value in the form of #RRGGBB")
            out["color"] = body["color"]
        if "clientId" in body:
            client_id = body["clientId"] or ""
            if client_id and s.client(wid, client_id) is None:
                raise not_found("Client")
            out["clientId"] = client_id
        for key, target in (("isPublic", "public"), ("billable", "billable")):
            if body.get(key) is not None:
                out[target] = bool(body[key])
    for key in ("note", "address", "email"):
        if key in body and plural != "tags" and (key == "note" or plural == "clients"):
            out[key] = body[key]
    return out


def _create(plural: str) -> Handler:
    def handler(s: ClockifyStore, req: Request, wid: str) -> Response:
        check_workspace(s, wid)
        fields = _changes(s, plural, wid, body_object(req), None)
        record = s.add(plural[:-1], workspaceId=wid, **fields)
        return created(_json(s, plural, record))

    return handler


def _update(plural: str) -> Handler:
    def handler(s: ClockifyStore, req: Request, wid: str, item_id: str) -> Response:
        record = _record(s, plural, wid, item_id)
        record.update(_changes(s, plural, wid, body_object(req), record["id"]))
        return ok(_json(s, plural, record, write=True))

    return handler


def _delete(plural: str) -> Handler:
    def handler(s: ClockifyStore, req: Request, wid: str, item_id: str) -> Response:
        record = _record(s, plural, wid, item_id)
        if plural == "projects":
            if not record["archived"]:
                raise ClockifyError(400, "Cannot delete an active project; archive it first")
            s.tasks = [t for t in s.tasks if t["projectId"] != record["id"]]
            for entry in s.entries:
                if entry["projectId"] == record["id"]:
                    entry["projectId"] = entry["taskId"] = None
        elif plural == "clients":
            # Observed: deleting a non-archived client succeeds; its projects lose the client.
            for project in s.projects:
                if project["clientId"] == record["id"]:
                    project["clientId"] = ""
        else:
            for entry in s.entries:
                if entry["tagIds"] and record["id"] in entry["tagIds"]:
                    entry["tagIds"] = [t for t in entry["tagIds"] if t != record["id"]]
        payload = _json(s, plural, record)
        _items(s, plural).remove(record)
        return ok(payload)

    return handler


# ---- tasks ------------------------------------------------------------------------------------


def _project(s: ClockifyStore, wid: str, project_id: str) -> dict[str, Any]:
    return _record(s, "projects", wid, project_id)


def _task(s: ClockifyStore, wid: str, project_id: str, task_id: str) -> dict[str, Any]:
    _project(s, wid, project_id)
    task = s.task(project_id, task_id)
    if task is None:
        raise not_found("Task")
    return task


def list_tasks(s: ClockifyStore, req: Request, wid: str, project_id: str) -> Response:
    _project(s, wid, project_id)
    tasks = [t for t in s.tasks if t["projectId"] == project_id]
    active = query_flag(req, "is-active")
    if active is not None:
        tasks = [t for t in tasks if (t["status"] == "ACTIVE") == active]
    if req.query.get("name"):
        tasks = [t for t in tasks if req.query["name"].lower() in t["name"].lower()]
    chunk, headers = page(req, sorted(tasks, key=lambda t: (t["name"].lower(), t["id"])))
    return ok([s.task_json(t) for t in chunk], headers)


def get_task(s: ClockifyStore, req: Request, wid: str, project_id: str, task_id: str) -> Response:
    return ok(s.task_json(_task(s, wid, project_id, task_id)))


def _task_fields(body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ClockifyError(400, "Task name is required")
    out: dict[str, Any] = {"name": name.strip()}
    if body.get("status") is not None:
        if body["status"] not in ("ACTIVE", "DONE"):
            raise ClockifyError(400, "Task status must be ACTIVE or DONE")
        out["status"] = body["status"]
    if body.get("billable") is not None:
        out["billable"] = bool(body["billable"])
    if isinstance(body.get("assigneeIds"), list):
        out["assigneeIds"] = list(body["assigneeIds"])
    return out


def create_task(s: ClockifyStore, req: Request, wid: str, project_id: str) -> Response:
    _project(s, wid, project_id)
    task = s.add("task", projectId=project_id, **_task_fields(body_object(req)))
    return created(s.task_json(task))


def update_task(s: ClockifyStore, req: Request, wid: str, project_id: str,
                task_id: str) -> Response:
    task = _task(s, wid, project_id, task_id)
    task.update(_task_fields(body_object(req)))  # `name` is required even on update
    return ok(s.task_json(task))


def delete_task(s: ClockifyStore, req: Request, wid: str, project_id: str,
                task_id: str) -> Response:
    task = _task(s, wid, project_id, task_id)
    if task["status"] != "DONE":
        raise ClockifyError(400, "Cannot delete an active task; set its status to DONE first")
    for entry in s.entries:
        if entry["taskId"] == task["id"]:
            entry["taskId"] = None
    s.tasks.remove(task)
    return ok(s.task_json(task))
