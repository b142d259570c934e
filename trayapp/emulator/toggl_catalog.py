"""Toggl v9 projects, clients and tags (api-facts.md 1.6-1.8, checklist 7, 9, 11)."""

from __future__ import annotations

import re
from typing import Any

from .toggl_common import (
    TogglError,
    body_object,
    check_member,
    check_workspace,
    field,
    ok,
    ok_empty,
    query_int,
)
from .toggl_store import PALETTE, TogglStore
from .wsgi import Request, Response, Router

__all__ = ["register"]

WS = r"/api/v9/workspaces/(\d+)"
PER_PAGE_DEFAULT, PER_PAGE_MAX = 151, 200
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def register(router: Router) -> None:
    router.add("GET", f"{WS}/projects", list_projects)
    router.add("POST", f"{WS}/projects", create_project)
    router.add("GET", rf"{WS}/projects/(\d+)", get_project)
    router.add("PUT", rf"{WS}/projects/(\d+)", update_project)
    router.add("DELETE", rf"{WS}/projects/(\d+)", delete_project)
    router.add("GET", f"{WS}/clients", list_clients)
    router.add("POST", f"{WS}/clients", create_client)
    router.add("GET", rf"{WS}/clients/(\d+)", get_client)
    router.add("PUT", rf"{WS}/clients/(\d+)", update_client)
    router.add("DELETE", rf"{WS}/clients/(\d+)", delete_client)
    router.add("POST", rf"{WS}/clients/(\d+)/archive", archive_client)
    router.add("POST", rf"{WS}/clients/(\d+)/restore", restore_client)
    router.add("GET", f"{WS}/tags", list_tags)
    router.add("POST", f"{WS}/tags", create_tag)
    router.add("PUT", rf"{WS}/tags/(\d+)", update_tag)
    router.add("DELETE", rf"{WS}/tags/(\d+)", delete_tag)


def _other_workspace(s: TogglStore, wid: str) -> bool:
    """Another workspace of the user: its lists are served, empty (the seeded catalog is the
    default workspace's; changes are made there only). Not the user's: 403."""
    check_member(s, wid)
    return int(wid) != s.workspace_id


def _by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: (item["name"].lower(), item["id"]))


def _name_filter(req: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wanted = req.query.get("name", "").lower()
    return [i for i in items if wanted in i["name"].lower()] if wanted else items


# ---- projects ---------------------------------------------------------------------------------


def list_projects(s: TogglStore, req: Request, wid: str) -> Response:
    if _other_workspace(s, wid):
        return ok([])
    # `active` omitted means active only (the v8 default and the documented filter's "true");
    # new projects default to active:false, so an app must create them with active:true.
    active = req.query.get("active", "true").lower()
    if active not in ("true", "false", "both"):
        raise TogglError(400, "Invalid value for 'active'")
    projects = [p for p in s.projects if active == "both" or p["active"] == (active == "true")]
    if "since" in req.query:
        since = query_int(req, "since", 0)
        projects = [p for p in projects if p["at"] >= since]
    projects = _by_name(_name_filter(req, projects))
    if req.query.get("sort_order", "asc").lower() == "desc":
        projects.reverse()
    page = query_int(req, "page", 1)
    per_page = min(query_int(req, "per_page", PER_PAGE_DEFAULT), PER_PAGE_MAX)
    if page < 1 or per_page < 1:
        raise TogglError(400, "page and per_page must be positive")
    chunk = projects[(page - 1) * per_page : page * per_page]
    headers = [
        ("X-Page", str(page)),
        ("X-Page-Size", str(per_page)),
        ("X-Sort-Field", "project_name"),
        ("X-Sort-Order", "desc" if req.query.get("sort_order") == "desc" else "asc"),
    ]
    return ok([s.project_json(p) for p in chunk], headers)


def _project(s: TogglStore, wid: str, project_id: str) -> dict[str, Any]:
    check_workspace(s, wid)
    project = s.project(int(project_id))
    if project is None:
        raise TogglError(404, "Resource can not be found")
    return project


def get_project(s: TogglStore, req: Request, wid: str, project_id: str) -> Response:
    return ok(s.project_json(_project(s, wid, project_id)))


def _check_color(s: TogglStore, color: Any) -> str:
    if not isinstance(color, str) or not _HEX.match(color):
        raise TogglError(400, "Project color must be a hex value in the form of #[0-9a-f]{6}")
    color = color.lower()
    if color not in PALETTE and not s.premium:
        raise TogglError(402, "Custom project colors available only for premium plans")
    return color


def _check_project_name(s: TogglStore, name: Any, own_id: int | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TogglError(400, "Project name must not be empty")
    name = name.strip()
    if any(p["name"].lower() == name.lower() and p["id"] != own_id for p in s.projects):
        raise TogglError(400, "Name has already been taken")
    return name


def _client_id(s: TogglStore, body: dict[str, Any]) -> int | None:
    key = "client_id" if "client_id" in body else "cid"
    client_id = field(body, key, int)
    if client_id is not None and s.client(client_id) is None:
        raise TogglError(400, f"Client with ID {client_id} isn't present in workspace")
    return client_id


def _project_changes(s: TogglStore, body: dict[str, Any], own_id: int | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "name" in body or own_id is None:
        changes["name"] = _check_project_name(s, body.get("name"), own_id)
    if body.get("color") is not None:
        changes["color"] = _check_color(s, body["color"])
    for key in ("active", "is_private", "template"):
        if body.get(key) is not None:
            changes[key] = field(body, key, bool)
    if "client_id" in body or "cid" in body:
        changes["client_id"] = _client_id(s, body)
    if s.premium and body.get("billable") is not None:
        changes["billable"] = field(body, "billable", bool)  # free plan: billable stays null
    return changes


def create_project(s: TogglStore, req: Request, wid: str) -> Response:
    check_workspace(s, wid)
    # Defaults observed on a free workspace: inactive, private, #0b83d9, billable null.
    project = s.add_project(**_project_changes(s, body_object(req), None))
    return ok(s.project_json(project))


def update_project(s: TogglStore, req: Request, wid: str, project_id: str) -> Response:
    project = _project(s, wid, project_id)
    project.update(_project_changes(s, body_object(req), project["id"]))
    project["at"] = s.clock()
    return ok(s.project_json(project))


def delete_project(s: TogglStore, req: Request, wid: str, project_id: str) -> Response:
    project = _project(s, wid, project_id)
    now = s.clock()
    mode = req.query.get("teDeletionMode", "unassign")
    for entry in s.entries:
        if entry["project_id"] == project["id"] and entry["server_deleted_at"] is None:
            if mode == "delete":
                entry["server_deleted_at"] = now
            else:
                entry["project_id"] = None
            entry["at"] = now
    s.projects.remove(project)
    return ok(project["id"])  # the body is the bare integer id


# ---- clients ----------------------------------------------------------------------------------


def list_clients(s: TogglStore, req: Request, wid: str) -> Response:
    if _other_workspace(s, wid):
        return ok([])
    status = req.query.get("status", "active").lower()
    if status not in ("active", "archived", "both"):
        raise TogglError(400, "Invalid value for 'status'")
    clients = [c for c in s.clients if status == "both" or c["archived"] == (status == "archived")]
    return ok([s.client_json(c) for c in _by_name(_name_filter(req, clients))])


def _client(s: TogglStore, wid: str, client_id: str) -> dict[str, Any]:
    check_workspace(s, wid)
    client = s.client(int(client_id))
    if client is None:
        raise TogglError(404, f"No client with ID {client_id} was found")
    return client


def get_client(s: TogglStore, req: Request, wid: str, client_id: str) -> Response:
    return ok(s.client_json(_client(s, wid, client_id)))


def _check_client_name(s: TogglStore, name: Any, own_id: int | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TogglError(400, "Client name cannot be empty")
    name = name.strip()
    if len(name) > 100:
        raise TogglError(400, "Client name must not be longer than 100 characters")
    if any(c["name"].lower() == name.lower() and c["id"] != own_id for c in s.clients):
        raise TogglError(400, "Name has already been taken")
    return name


def create_client(s: TogglStore, req: Request, wid: str) -> Response:
    check_workspace(s, wid)
    body = body_object(req)
    name = _check_client_name(s, body.get("name"))
    return ok(s.client_json(s.add_client(name, field(body, "notes", str))))


def update_client(s: TogglStore, req: Request, wid: str, client_id: str) -> Response:
    client = _client(s, wid, client_id)
    body = body_object(req)
    if "name" in body:
        client["name"] = _check_client_name(s, body["name"], client["id"])
    if "notes" in body:
        client["notes"] = field(body, "notes", str)
    client["at"] = s.clock()
    return ok(s.client_json(client))


def delete_client(s: TogglStore, req: Request, wid: str, client_id: str) -> Response:
    client = _client(s, wid, client_id)
    for project in s.projects:
        if project["client_id"] == client["id"]:
            project["client_id"] = None
    s.clients.remove(client)
    return ok(client["id"])


def archive_client(s: TogglStore, req: Request, wid: str, client_id: str) -> Response:
    client = _client(s, wid, client_id)
    if not s.premium:
        raise TogglError(402, "Only for premium workspaces")
    archived: list[int] = []
    for project in s.projects:
        if project["client_id"] == client["id"] and project["active"]:
            project["active"] = False
            project["at"] = s.clock()
            archived.append(project["id"])
    client["archived"] = True
    client["at"] = s.clock()
    return ok(archived)  # ids of the projects archived along with the client


def restore_client(s: TogglStore, req: Request, wid: str, client_id: str) -> Response:
    client = _client(s, wid, client_id)
    body = body_object(req, optional=True)
    wanted = set(field(body, "projects", list) or [])
    restore_all = bool(field(body, "restore_all_projects", bool))
    for project in s.projects:
        if project["client_id"] == client["id"] and (restore_all or project["id"] in wanted):
            project["active"] = True
            project["at"] = s.clock()
    client["archived"] = False
    client["at"] = s.clock()
    return ok(s.client_json(client))


# ---- tags -------------------------------------------------------------------------------------


def list_tags(s: TogglStore, req: Request, wid: str) -> Response:
    if _other_workspace(s, wid):
        return ok([])
    return ok([s.tag_json(t) for t in _by_name(_name_filter(req, s.tags))])


def _check_tag_name(s: TogglStore, name: Any, own_id: int | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TogglError(400, "Tag name must not be blank")
    name = name.strip()
    if any(t["name"].lower() == name.lower() and t["id"] != own_id for t in s.tags):
        raise TogglError(400, f"a tag with the name '{name}' already exists")
    return name


def create_tag(s: TogglStore, req: Request, wid: str) -> Response:
    check_workspace(s, wid)
    name = _check_tag_name(s, body_object(req).get("name"))
    return ok(s.tag_json(s.add_tag(name)))  # a single object (Maton's example), not an array


def _tag(s: TogglStore, wid: str, tag_id: str) -> dict[str, Any]:
    check_workspace(s, wid)
    tag = s.tag(int(tag_id))
    if tag is None:
        raise TogglError(404, "Resource can not be found")
    return tag


def update_tag(s: TogglStore, req: Request, wid: str, tag_id: str) -> Response:
    tag = _tag(s, wid, tag_id)
    tag["name"] = _check_tag_name(s, body_object(req).get("name"), tag["id"])
    tag["at"] = s.clock()
    return ok(s.tag_json(tag))


def delete_tag(s: TogglStore, req: Request, wid: str, tag_id: str) -> Response:
    tag = _tag(s, wid, tag_id)
    now = s.clock()
    for entry in s.entries:
        if tag["id"] in entry["tag_ids"]:
            entry["tag_ids"] = [i for i in entry["tag_ids"] if i != tag["id"]]
            entry["at"] = now
    s.tags.remove(tag)
    return ok_empty()
