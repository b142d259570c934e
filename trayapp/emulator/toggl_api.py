"""Toggl Track v9 as served behind the gateway: routing, user endpoints, hourly quota."""

from __future__ import annotations

import uuid

from . import toggl_catalog, toggl_entries
from .limits import HourlyQuota
from .toggl_common import TogglError, check_member, ok, query_bool
from .toggl_store import TogglStore
from .wsgi import Request, Response, Router

__all__ = ["TogglApi", "quota_message"]

API = "/api/v9"
USER_SCOPED = {f"{API}/me", f"{API}/me/workspaces"}  # Toggl's separate 30/hour user bucket


def quota_message(resets_in: int) -> str:
    return (
        "You have hit your hourly limit for API calls. "
        f"Your quota will reset in {resets_in} seconds."
    )


def _me(s: TogglStore, req: Request) -> Response:
    body = s.me_json()
    if query_bool(req, "with_related_data"):
        live = [e for e in s.entries if e["server_deleted_at"] is None]
        window = s.clock() - toggl_entries.DEFAULT_WINDOW
        recent = sorted(
            (e for e in live if e["start"] >= window or e["stop"] is None),
            key=lambda e: (e["start"], e["id"]),
            reverse=True,
        )
        related = {
            "tags": [s.tag_json(t) for t in s.tags],
            "clients": [s.client_json(c) for c in s.clients],
            "time_entries": [s.entry_json(e) for e in recent],
            "projects": [s.project_json(p) for p in s.projects],
            "workspaces": [s.workspace_json(w) for w in s.workspace_ids()],
            "tasks": None,
        }
        # Related arrays are null rather than empty.
        body.update({key: (value or None) for key, value in related.items()})
    return ok(body)


def _my_workspaces(s: TogglStore, req: Request) -> Response:
    return ok([s.workspace_json(w) for w in s.workspace_ids()])


def _workspace(s: TogglStore, req: Request, wid: str) -> Response:
    check_member(s, wid)
    return ok(s.workspace_json(int(wid)))


def _workspace_users(s: TogglStore, req: Request, wid: str) -> Response:
    check_member(s, wid)
    return ok(s.users_json())


class TogglApi:
    def __init__(self, store: TogglStore) -> None:
        self.store = store
        self.quota: HourlyQuota | None = None  # set by Emulator.set_limits
        self.router = Router()
        self.router.add("GET", f"{API}/me", _me)
        self.router.add("GET", f"{API}/me/workspaces", _my_workspaces)
        self.router.add("GET", rf"{API}/workspaces/(\d+)", _workspace)
        self.router.add("GET", rf"{API}/workspaces/(\d+)/users", _workspace_users)
        toggl_entries.register(self.router)
        toggl_catalog.register(self.router)

    def bucket(self, native_path: str) -> str:
        return "user" if native_path.rstrip("/") in USER_SCOPED else "workspace"

    def quota_exceeded(self, native_path: str) -> Response:
        """The quota 402 (also used by the quota402 fault)."""
        now = self.store.clock()
        resets_in = 3600
        if self.quota is not None:
            resets_in = self.quota.peek(self.bucket(native_path), now).resets_in
        response = TogglError(402, quota_message(resets_in)).response()
        response.headers += self._quota_headers(0, resets_in)
        return self.finish(response)

    def handle(self, req: Request) -> Response:
        quota_headers: list[tuple[str, str]] = []
        if self.quota is not None:
            state = self.quota.consume(self.bucket(req.native_path), self.store.clock())
            quota_headers = self._quota_headers(state.remaining, state.resets_in)
            if not state.allowed:
                response = TogglError(402, quota_message(state.resets_in)).response()
                response.headers += quota_headers
                return self.finish(response)
        response = self._route(req)
        response.headers += quota_headers
        return self.finish(response)

    def _route(self, req: Request) -> Response:
        found = self.router.match(req.method, req.native_path)
        if found == "404":
            return TogglError(404, "404 page not found").response()
        if found == "405":
            return TogglError(405, "Method Not Allowed").response()
        assert not isinstance(found, str)
        handler, groups = found
        try:
            return handler(self.store, req, *groups)
        except TogglError as exc:
            return exc.response()

    @staticmethod
    def _quota_headers(remaining: int, resets_in: int) -> list[tuple[str, str]]:
        return [
            ("X-Toggl-Quota-Remaining", str(remaining)),
            ("X-Toggl-Quota-Resets-In", str(resets_in)),
        ]

    @staticmethod
    def finish(response: Response) -> Response:
        response.headers.append(("X-Toggl-Request-Id", str(uuid.uuid4())))
        return response
