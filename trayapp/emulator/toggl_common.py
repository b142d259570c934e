"""Helpers shared by the Toggl endpoint modules: errors, body/query parsing, responses."""

from __future__ import annotations

from typing import Any

from .toggl_store import TogglStore
from .wsgi import JSON_UTF8, BadJson, Request, Response, empty, json_response

__all__ = [
    "TogglError",
    "body_object",
    "check_member",
    "check_workspace",
    "field",
    "ok",
    "ok_empty",
    "query_bool",
    "query_int",
]


class TogglError(Exception):
    """Answered as Toggl does: the status with a bare JSON string body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        return json_response(self.status, self.message, content_type=JSON_UTF8)


def ok(payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    return json_response(200, payload, headers or [], content_type=JSON_UTF8)


def ok_empty() -> Response:
    """Toggl's DELETE of an entry/tag: 200, zero-length body, yet `Content-Type: json`."""
    return empty(200, "application/json")


def check_workspace(store: TogglStore, wid: str) -> None:
    """The default workspace: the only one whose catalog is served."""
    if int(wid) != store.workspace_id:
        raise TogglError(403, "User does not have access to this resource.")


def check_member(store: TogglStore, wid: str) -> None:
    """Any workspace of the user: time entries live in each."""
    if int(wid) not in store.workspace_ids():
        raise TogglError(403, "User does not have access to this resource.")


def body_object(req: Request, optional: bool = False) -> dict[str, Any]:
    try:
        data = req.json_or_none() if optional else req.json()
    except BadJson as exc:
        raise TogglError(400, "Invalid JSON input") from exc
    if data is None and optional:
        return {}
    if not isinstance(data, dict):
        raise TogglError(400, "Invalid JSON input")
    return data


_TYPE_NAMES = {str: "string", int: "number", bool: "bool", list: "array", dict: "object"}


def field(body: dict[str, Any], key: str, kind: type, nullable: bool = True) -> Any:
    """A typed body field; wrong types give Toggl's `Unexpected "x" type ...` 400."""
    value = body.get(key)
    if value is None:
        if not nullable and key in body:
            raise TogglError(400, f'Unexpected "{key}" type null')
        return None
    ok_type = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is float:
        ok_type = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok_type:
        got = _TYPE_NAMES.get(type(value), type(value).__name__)
        raise TogglError(400, f'Unexpected "{key}" type {got}')
    return value


def query_bool(req: Request, name: str) -> bool:
    return req.query.get(name, "").lower() == "true"


def query_int(req: Request, name: str, default: int) -> int:
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise TogglError(400, f"Invalid value for '{name}'") from exc
