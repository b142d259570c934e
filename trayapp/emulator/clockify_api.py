"""Clockify v1 as served behind the gateway: routing, user/workspace endpoints, rate limit."""

from __future__ import annotations

import re

from . import clockify_catalog, clockify_entries
from .clockify_common import ClockifyError, body_object, check_workspace, created, ok, page
from .clockify_store import ClockifyStore
from .limits import PerSecondLimit
from .wsgi import Request, Response, Router

__all__ = ["ClockifyApi"]

API = "/api/v1"
_WORKSPACE_IN_PATH = re.compile(r"^/api/v1/workspaces/([0-9a-f]{24})")


def _user(s: ClockifyStore, req: Request) -> Response:
    return ok(s.user_json(s.users[0]))


def _workspaces(s: ClockifyStore, req: Request) -> Response:
    return ok([s.workspace_json(w) for w in s.workspaces])


def _create_workspace(s: ClockifyStore, req: Request) -> Response:
    name = body_object(req).get("name")
    if not isinstance(name, str) or not name.strip():
        raise ClockifyError(400, "Workspace name is required")
    workspace = {"id": s.new_id(), "name": name.strip()}
    s.workspaces.append(workspace)
    return created(s.workspace_json(workspace))


def _workspace(s: ClockifyStore, req: Request, wid: str) -> Response:
    check_workspace(s, wid)
    workspace = s.workspace(wid)
    assert workspace is not None
    return ok(s.workspace_json(workspace))


def _workspace_users(s: ClockifyStore, req: Request, wid: str) -> Response:
    check_workspace(s, wid)
    chunk, headers = page(req, s.users)
    return ok([s.user_json(u) for u in chunk], headers)


class ClockifyApi:
    def __init__(self, store: ClockifyStore) -> None:
        self.store = store
        self.rate_limit: PerSecondLimit | None = None  # set by Emulator.set_limits
        self.router = Router()
        self.router.add("GET", f"{API}/user", _user)
        self.router.add("GET", f"{API}/workspaces", _workspaces)
        self.router.add("POST", f"{API}/workspaces", _create_workspace)
        self.router.add("GET", rf"{API}/workspaces/([0-9a-f]{{24}})", _workspace)
        self.router.add("GET", rf"{API}/workspaces/([0-9a-f]{{24}})/users", _workspace_users)
        clockify_entries.register(self.router)
        clockify_catalog.register(self.router)

    def handle(self, req: Request) -> Response:
        if self.rate_limit is not None:
            # Clockify limits per workspace; calls outside a workspace share one bucket.
            found = _WORKSPACE_IN_PATH.match(req.native_path)
            key = found.group(1) if found else "user"
            if not self.rate_limit.allow(key, self.store.clock()):
                return ClockifyError(429, "Too many requests", 429).response()
        found_route = self.router.match(req.method, req.native_path)
        if found_route == "404":
            return ClockifyError(404, f"No endpoint {req.method} {req.native_path}", 404).response()
        if found_route == "405":
            message = f"Request method '{req.method}' is not supported"
            return ClockifyError(405, message, 405).response()
        assert not isinstance(found_route, str)
        handler, groups = found_route
        try:
            return handler(self.store, req, *groups)
        except ClockifyError as exc:
            return exc.response()
