"""The Maton gateway's own surface: its error shape and the connections API.

Maton's real error bodies were never captured (api-facts.md section 5); the documented choice here
is `{"error": {"code": ..., "message": ...}}`, with "connection" in every connection error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from .timefmt import micro_z
from .wsgi import BadJson, Request, Response, Router, json_response

__all__ = ["APPS", "Connections", "maton_error"]

APPS = {"toggl-track": "Toggl Track", "clockify": "Clockify"}
STATUSES = ("ACTIVE", "PENDING", "FAILED")
METHODS = ("OAUTH2", "API_KEY", "BASIC", "JWT", "OAUTH1", "MCP")


def maton_error(status: int, code: str, message: str,
                headers: list[tuple[str, str]] | None = None) -> Response:
    return json_response(status, {"error": {"code": code, "message": message}}, headers or [])


class Connections:
    """Connection records, oldest first (the oldest ACTIVE one is the default)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.records: list[dict[str, Any]] = []
        self.router = Router()
        self.router.add("GET", "/connections", self._list)
        self.router.add("POST", "/connections", self._create)
        self.router.add("GET", "/connections/([^/]+)", self._get)
        self.router.add("DELETE", "/connections/([^/]+)", self._delete)

    # ---- state ------------------------------------------------------------------------------

    def make(self, app: str, status: str = "ACTIVE", method: str = "OAUTH2") -> str:
        if app not in APPS:
            raise ValueError(f"unknown app {app!r}")
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        stamp = micro_z(self.clock())
        connection_id = str(uuid.uuid4())
        record: dict[str, Any] = {
            "connection_id": connection_id, "status": status, "creation_time": stamp,
            "last_updated_time": stamp, "app": app, "method": method, "metadata": {},
            "session_token": uuid.uuid4().hex,
        }
        self.records.append(record)
        return connection_id

    def get(self, connection_id: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r["connection_id"] == connection_id), None)

    def by_token(self, token: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r["session_token"] == token), None)

    def default_for(self, app: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r["app"] == app and r["status"] == "ACTIVE"), None)

    def set_status(self, record: dict[str, Any], status: str) -> None:
        record["status"] = status
        record["last_updated_time"] = micro_z(self.clock())

    @staticmethod
    def to_json(record: dict[str, Any], base_url: str) -> dict[str, Any]:
        out = {k: v for k, v in record.items() if k != "session_token"}
        # The "OAuth page" lives on the emulator itself, at the address the client used.
        out["url"] = f"{base_url}/_emulator/connect/{record['session_token']}"
        out["metadata"] = dict(record["metadata"])
        return out

    # ---- HTTP -------------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        found = self.router.match(req.method, req.path)
        if isinstance(found, str):
            status = 404 if found == "404" else 405
            return maton_error(status, "NOT_FOUND" if status == 404 else "METHOD_NOT_ALLOWED",
                               f"No route {req.method} {req.path}")
        handler, groups = found
        return handler(req, *groups)

    def _list(self, req: Request) -> Response:
        app, status = req.query.get("app"), req.query.get("status")
        picked = [
            self.to_json(r, req.base_url) for r in self.records
            if app in (None, "", r["app"]) and status in (None, "", r["status"])
        ]
        return json_response(200, {"connections": picked})

    def _create(self, req: Request) -> Response:
        try:
            body = req.json()
        except BadJson:
            return maton_error(400, "INVALID_REQUEST", "Request body must be JSON")
        if not isinstance(body, dict) or body.get("app") not in APPS:
            app = body.get("app") if isinstance(body, dict) else None
            return maton_error(400, "INVALID_APP", f"Unknown app {app!r} for a new connection")
        method = body.get("method") or "OAUTH2"
        if method not in METHODS:
            return maton_error(400, "INVALID_METHOD", f"Unknown connection method {method!r}")
        record = self.get(self.make(body["app"], "PENDING", method))
        assert record is not None
        return json_response(200, {"connection": self.to_json(record, req.base_url)})

    def _get(self, req: Request, connection_id: str) -> Response:
        record = self.get(connection_id)
        if record is None:
            return maton_error(404, "CONNECTION_NOT_FOUND", "Connection not found")
        return json_response(200, {"connection": self.to_json(record, req.base_url)})

    def _delete(self, req: Request, connection_id: str) -> Response:
        record = self.get(connection_id)
        if record is None:
            return maton_error(404, "CONNECTION_NOT_FOUND", "Connection not found")
        self.records.remove(record)
        return json_response(200, {})
