"""The Emulator: a WSGI app playing Maton's gateway in front of Toggl Track and Clockify.

Order of checks for a gateway request, as a client would meet them in reality:
faults (network/proxy level) -> Maton auth (401) -> Maton rate limit (429) -> connection
selection (400) -> the service itself (its own quotas, then its endpoints).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import Any

from . import control
from .activity import Activity
from .clockify_api import ClockifyApi
from .clockify_common import ClockifyError
from .clockify_store import ClockifyStore
from .faults import DropConnection, Fault, FaultBook, RefuseConnection, html_error
from .limits import HourlyQuota, PerSecondLimit
from .maton import APPS, Connections, maton_error
from .toggl_api import TogglApi
from .toggl_common import TogglError
from .toggl_store import TogglStore
from .wsgi import Request, Response, html, read_request

__all__ = ["Emulator", "LoggedRequest"]

CONTROL_PREFIX = "/_emulator/"


@dataclass(frozen=True)
class LoggedRequest:
    time: float
    method: str
    app: str  # "toggl-track" | "clockify" | "maton" ("control" is never logged)
    path: str
    native_path: str
    query: dict[str, str]
    status: int  # 0 when a "refuse" fault closed the connection before any answer
    connection: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Emulator:
    """Maton + Toggl v9 + Clockify v1 in one WSGI callable. Thread-safe (one lock)."""

    def __init__(
        self,
        api_key: str = "test-key",
        seed: bool = True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.api_key = api_key
        self.clock: Callable[[], float] = clock or time.time
        self.lock = threading.RLock()
        self.activity = Activity()  # kept across reset(): requests in flight go on
        self.requests: list[LoggedRequest] = []
        self._faults = FaultBook()
        self._maton_limit: PerSecondLimit | None = None
        self._build(seed)

    # ---- state management -------------------------------------------------------------------

    def _now(self) -> float:
        # Indirection so that replacing `emu.clock` later still reaches every store.
        return self.clock()

    def _build(self, seed: bool) -> None:
        self.toggl = TogglStore(self._now, seed)
        self.clockify = ClockifyStore(self._now, seed)
        self._toggl_api = TogglApi(self.toggl)
        self._clockify_api = ClockifyApi(self.clockify)
        self._connections = Connections(self._now)
        if seed:
            for app in APPS:
                self._connections.make(app, "ACTIVE")

    def reset(self, seed: bool = True) -> None:
        """Back to a freshly built emulator: data, connections, log, faults and limits."""
        with self.lock:
            self._build(seed)
            self.requests.clear()
            self._faults.clear()
            self._maton_limit = None

    @property
    def connections(self) -> list[dict[str, Any]]:
        """Connection records (API field names plus the internal `session_token`)."""
        return self._connections.records

    @property
    def connection_store(self) -> Connections:
        return self._connections

    def make_connection(self, app: str, status: str = "ACTIVE") -> str:
        with self.lock:
            return self._connections.make(app, status)

    def clear_requests(self) -> None:
        with self.lock:
            self.requests.clear()

    def add_fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        app: str | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        status: int = 503,
        retry_after: int = 1,
    ) -> None:
        fault = Fault(kind, method, path, app, times, float(delay), int(status), int(retry_after))
        with self.lock:
            self._faults.add(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def set_limits(
        self,
        toggl_hourly: int | None = None,
        clockify_rps: int | None = None,
        maton_rps: int | None = None,
    ) -> None:
        """Switch quotas on (a number) or off (None); each call replaces all three."""
        with self.lock:
            self._toggl_api.quota = HourlyQuota(toggl_hourly) if toggl_hourly else None
            self._clockify_api.rate_limit = PerSecondLimit(clockify_rps) if clockify_rps else None
            self._maton_limit = PerSecondLimit(maton_rps) if maton_rps else None

    def wait_idle(self, timeout: float = 5.0, *, hurry: bool = False) -> bool:
        """Wait until no request is in flight (received, not yet answered); False on timeout.

        A client that timed out may leave its request still being applied here: wait for this
        before reading the server's state, or before moving a fake clock past the time the
        client allows such a request to land. hurry: requests held by a "delay" fault go on at
        once (use it when no client waits for their answer any more)."""
        return self.activity.wait_idle(timeout, hurry=hurry)

    def wait_held(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until `count` requests are held by a "delay" fault: sent, not yet applied."""
        return self.activity.wait_held(count, timeout)

    # ---- WSGI -------------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        with self.activity.request():
            req = read_request(environ)
            if req.path.startswith(CONTROL_PREFIX) or req.path == CONTROL_PREFIX.rstrip("/"):
                with self.lock:
                    response = control.handle(self, req)
            else:
                response = self._gateway(req)
        start_response(response.status_line(), response.headers)
        return [response.body]

    def _gateway(self, req: Request) -> Response:
        first = req.path.lstrip("/").split("/", 1)[0]
        app = first if first in APPS else "maton"
        req.native_path = (req.path[len(first) + 1 :] or "/") if first in APPS else req.path
        with self.lock:
            delay, fault = self._faults.take(req.method, app, req.path)
        if delay:
            if fault is None or fault.kind != "refuse":
                # The whole request is in before the server is slow to apply it: a client
                # that gives up meanwhile (even with a reset) cannot take its body back.
                _ = req.body
            # Real time: this is about the client's timeout, not the clock. A test may cut it
            # short once the client has given up (wait_idle(hurry=True)).
            self.activity.hold(delay)
        if fault is not None and fault.kind == "refuse":
            self._log(req, app, 0, None)
            raise RefuseConnection("emulator fault: refuse")
        if fault is not None and fault.kind != "drop":
            response = self._fault_response(fault, app, req)
            self._log(req, app, response.status, None)
            return response
        with self.lock:
            response, connection = self._serve(req, app, first)
            self._log(req, app, response.status, connection)
        if fault is not None:  # "drop": committed above, now lose the answer
            raise DropConnection("emulator fault: drop after commit")
        return response

    def _serve(self, req: Request, app: str, first: str) -> tuple[Response, str | None]:
        if req.headers.get("authorization", "") != f"Bearer {self.api_key}":
            return maton_error(401, "UNAUTHORIZED", "Invalid or missing Maton API key"), None
        if self._maton_limit is not None and not self._maton_limit.allow(self.api_key,
                                                                         self.clock()):
            return maton_error(429, "RATE_LIMITED", "Rate limit exceeded",
                               [("Retry-After", "1")]), None
        if app == "maton":
            if first == "connections":
                return self._connections.handle(req), None
            return maton_error(404, "UNKNOWN_APP", f"Unknown app '{first}'"), None
        connection, error = self._pick_connection(req, app)
        if error is not None:
            return error, None
        api = self._toggl_api if app == "toggl-track" else self._clockify_api
        return api.handle(req), connection

    def _pick_connection(self, req: Request, app: str) -> tuple[str | None, Response | None]:
        wanted = req.headers.get("maton-connection")
        if wanted:
            record = self._connections.get(wanted)
            if record is None or record["app"] != app:
                message = f"Connection '{wanted}' not found for app '{app}'."
                return None, maton_error(400, "CONNECTION_NOT_FOUND", message)
            if record["status"] != "ACTIVE":
                message = f"Connection '{wanted}' is {record['status']}, not ACTIVE."
                return None, maton_error(400, "CONNECTION_NOT_ACTIVE", message)
            return wanted, None
        record = self._connections.default_for(app)
        if record is None:
            message = f"No active connection found for app '{app}'. Create one first."
            return None, maton_error(400, "CONNECTION_NOT_FOUND", message)
        return record["connection_id"], None

    def _fault_response(self, fault: Fault, app: str, req: Request) -> Response:
        if fault.kind == "html5xx":
            try:
                phrase = HTTPStatus(fault.status).phrase
            except ValueError:
                phrase = "Server Error"
            return html(fault.status, html_error(fault.status, phrase))
        if fault.kind == "quota402":
            return self._toggl_api.quota_exceeded(req.native_path)
        retry = [("Retry-After", str(fault.retry_after))]
        if app == "toggl-track":
            response = TogglError(429, "Too Many Requests").response()
        elif app == "clockify":
            response = ClockifyError(429, "Too many requests", 429).response()
        else:
            response = maton_error(429, "RATE_LIMITED", "Rate limit exceeded")
        response.headers += retry
        return response

    def _log(self, req: Request, app: str, status: int, connection: str | None) -> None:
        entry = LoggedRequest(self.clock(), req.method, app, req.path, req.native_path,
                              dict(req.query), status, connection)
        with self.lock:
            self.requests.append(entry)
