"""`/_emulator/...`: the test and demo control surface (no auth, never logged, no faults).

Lets subprocess tests do over HTTP what in-process tests do with the Emulator's methods.
"""

from __future__ import annotations

import html as html_lib
from typing import TYPE_CHECKING, Any

from .maton import APPS
from .wsgi import BadJson, Request, Response, Router, html, json_response

if TYPE_CHECKING:
    from .app import Emulator

__all__ = ["handle"]

_router = Router()


def handle(emu: Emulator, req: Request) -> Response:
    found = _router.match(req.method, req.path)
    if isinstance(found, str):
        return json_response(int(found), {"error": f"no control endpoint {req.method} {req.path}"})
    handler, groups = found
    try:
        return handler(emu, req, *groups)
    except (BadJson, TypeError, ValueError) as exc:
        return json_response(400, {"error": str(exc)})


def _body(req: Request) -> dict[str, Any]:
    data = req.json_or_none()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


@_router.route("GET", "/_emulator/connect/([^/]+)")
def _connect_page(emu: Emulator, req: Request, token: str) -> Response:
    """The stand-in for Maton's OAuth page: opening it completes (or fails) the connection."""
    record = emu.connection_store.by_token(token)
    if record is None:
        return html(404, "<!doctype html><title>Unknown session</title><p>Unknown session.</p>")
    service = html_lib.escape(APPS[record["app"]])
    if req.query.get("fail") in ("1", "true"):
        emu.connection_store.set_status(record, "FAILED")
        text = f"Connecting to {service} failed. You can close this window."
    else:
        emu.connection_store.set_status(record, "ACTIVE")
        text = f"Connected to {service}. You can close this window."
    return html(200, f"<!doctype html><title>{text}</title><p>{text}</p>")


@_router.route("POST", "/_emulator/connections")
def _make_connection(emu: Emulator, req: Request) -> Response:
    body = _body(req)
    connection_id = emu.make_connection(body.get("app", ""), body.get("status", "ACTIVE"))
    return json_response(200, {"connection_id": connection_id})


@_router.route("POST", "/_emulator/connections/([^/]+)/fail")
def _fail_connection(emu: Emulator, req: Request, connection_id: str) -> Response:
    record = emu.connection_store.get(connection_id)
    if record is None:
        return json_response(404, {"error": "unknown connection"})
    emu.connection_store.set_status(record, "FAILED")
    return json_response(200, {"connection": emu.connection_store.to_json(record, req.base_url)})


@_router.route("GET", "/_emulator/requests")
def _requests(emu: Emulator, req: Request) -> Response:
    return json_response(200, [r.to_json() for r in emu.requests])


@_router.route("DELETE", "/_emulator/requests")
def _clear_requests(emu: Emulator, req: Request) -> Response:
    emu.clear_requests()
    return json_response(200, {})


@_router.route("POST", "/_emulator/faults")
def _add_fault(emu: Emulator, req: Request) -> Response:
    body = _body(req)
    kind = body.pop("kind", None)
    if not isinstance(kind, str):
        raise ValueError("'kind' is required")
    emu.add_fault(kind, **body)
    return json_response(200, {})


@_router.route("DELETE", "/_emulator/faults")
def _clear_faults(emu: Emulator, req: Request) -> Response:
    emu.clear_faults()
    return json_response(200, {})


@_router.route("POST", "/_emulator/limits")
def _limits(emu: Emulator, req: Request) -> Response:
    emu.set_limits(**_body(req))
    return json_response(200, {})


@_router.route("POST", "/_emulator/reset")
def _reset(emu: Emulator, req: Request) -> Response:
    emu.reset(seed=bool(_body(req).get("seed", True)))
    return json_response(200, {})


@_router.route("GET", "/_emulator/state/([^/]+)")
def _state(emu: Emulator, req: Request, app: str) -> Response:
    """Server truth in wire shapes; Toggl entries include soft-deleted ones."""
    if app == "toggl-track":
        s = emu.toggl
        return json_response(200, {
            "workspace_id": s.workspace_id,
            "user_id": s.user_id,
            "premium": s.premium,
            "entries": [s.entry_json(e) for e in s.entries],
            "projects": [s.project_json(p) for p in s.projects],
            "clients": [s.client_json(c) for c in s.clients],
            "tags": [s.tag_json(t) for t in s.tags],
            "tasks": list(s.tasks),
        })
    if app == "clockify":
        c = emu.clockify
        return json_response(200, {
            "workspace_id": c.workspace_id,
            "user_id": c.user_id,
            "entries": [c.entry_json(e) for e in c.entries],
            "projects": [c.project_json(p) for p in c.projects],
            "clients": [c.client_json(x) for x in c.clients],
            "tags": [c.tag_json(t) for t in c.tags],
            "tasks": [c.task_json(t) for t in c.tasks],
        })
    if app == "maton":
        return json_response(200, {
            "connections": [emu.connection_store.to_json(r, req.base_url)
                            for r in emu.connections],
        })
    return json_response(404, {"error": f"unknown app {app!r}"})
