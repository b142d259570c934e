"""Helpers shared by the Clockify endpoint modules: errors, parsing, paging."""

from __future__ import annotations

from typing import Any

from .clockify_store import ClockifyStore
from .timefmt import BadTime, parse_rfc3339
from .wsgi import BadJson, Request, Response, json_response

__all__ = [
    "ClockifyError",
    "body_object",
    "check_workspace",
    "created",
    "not_found",
    "ok",
    "page",
    "parse_time",
    "query_flag",
]

# Clockify answers most "not found" and validation failures with HTTP 400 and app code 501.
APP_CODE = 501


class ClockifyError(Exception):
    """Answered as Clockify does: `{"message": ..., "code": ...}`; code is not the status."""

    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code if code is not None else (APP_CODE if status == 400 else status)

    def response(self) -> Response:
        return json_response(self.status, {"message": self.message, "code": self.code})


def not_found(what: str) -> ClockifyError:
    return ClockifyError(400, f"{what} doesn't belong to Workspace")


def ok(payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    return json_response(200, payload, headers or [])


def created(payload: Any) -> Response:
    return json_response(201, payload)


def check_workspace(store: ClockifyStore, wid: str) -> None:
    if store.workspace(wid) is None:
        raise ClockifyError(403, "Access Denied", 403)


def body_object(req: Request) -> dict[str, Any]:
    try:
        data = req.json()
    except BadJson as exc:
        raise ClockifyError(400, "Malformed JSON request", 400) from exc
    if not isinstance(data, dict):
        raise ClockifyError(400, "Malformed JSON request", 400)
    return data


def parse_time(value: Any, name: str) -> int:
    try:
        return int(parse_rfc3339(value))
    except BadTime as exc:
        raise ClockifyError(400, f"Invalid value for field '{name}': {value!r}") from exc


def query_flag(req: Request, name: str) -> bool | None:
    raw = req.query.get(name)
    return None if raw in (None, "") else raw.lower() == "true"


def _int_query(req: Request, name: str, default: int) -> int:
    raw = req.query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ClockifyError(400, f"Invalid value for parameter '{name}'") from exc
    if value < 1:
        raise ClockifyError(400, f"'{name}' must be at least 1")
    return value


def page(
    req: Request, items: list[Any], default_size: int = 50
) -> tuple[list[Any], list[tuple[str, str]]]:
    """One page of `items` plus the `Last-Page` and `total-count` headers clients read."""
    number = _int_query(req, "page", 1)
    size = min(_int_query(req, "page-size", default_size), 5000)
    chunk = items[(number - 1) * size : number * size]
    last = number * size >= len(items)
    return chunk, [("Last-Page", "true" if last else "false"), ("total-count", str(len(items)))]
