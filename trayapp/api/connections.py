"""Maton connections: the OAuth link between the user's Maton account and Toggl or Clockify."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..core import errors as e
from ..core.durations import parse_timestamp
from ..core.models import Connection, ConnectionStatus, Service
from .gateway import Gateway

POLL_INTERVAL = 2.0  # what Maton's own CLI does
CONNECT_TIMEOUT = 300.0  # five minutes, also as Maton's CLI


class Cancelled(Exception):
    """The user cancelled waiting for a connection."""


def parse_connection(data: Any) -> Connection:
    """Accept both `{"connection": {...}}` and the bare object; snake_case or camelCase."""
    if isinstance(data, dict) and isinstance(data.get("connection"), dict):
        data = data["connection"]
    if not isinstance(data, dict):
        raise e.MalformedResponse("The connection record is not an object.")
    conn_id = data.get("connection_id") or data.get("connectionId") or data.get("id")
    if not isinstance(conn_id, str) or not conn_id:
        raise e.MalformedResponse("The connection record has no id.")
    status = str(data.get("status", "")).upper()
    try:
        parsed_status = ConnectionStatus(status)
    except ValueError:
        parsed_status = ConnectionStatus.UNKNOWN

    def when(*keys: str):
        for key in keys:
            value = data.get(key)
            if isinstance(value, str):
                try:
                    return parse_timestamp(value)
                except ValueError:
                    return None
        return None

    url = data.get("url")
    return Connection(
        id=conn_id,
        app=str(data.get("app", "")),
        status=parsed_status,
        url=url if isinstance(url, str) else None,
        created=when("creation_time", "creationTime"),
        updated=when("last_updated_time", "lastUpdatedTime"),
    )


class Connections:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def list(self, app: Service | None = None, status: ConnectionStatus | None = None
             ) -> list[Connection]:
        params = {"app": app.value if app else None, "status": status.value if status else None}
        data = self.gateway.request("GET", "/connections", params=params).data
        items = data.get("connections") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise e.MalformedResponse("The connection list is missing.")
        return [parse_connection(item) for item in items]

    def active(self, app: Service) -> Connection | None:
        """The connection Maton would use by default: the oldest ACTIVE one."""
        found = [c for c in self.list(app) if c.status is ConnectionStatus.ACTIVE and c.app == app]
        found.sort(key=lambda c: (c.created is None, c.created or 0))
        return found[0] if found else None

    def create(self, app: Service) -> Connection:
        response = self.gateway.request("POST", "/connections", json_body={"app": app.value})
        return parse_connection(response.data)

    def get(self, connection_id: str) -> Connection:
        return parse_connection(self.gateway.request("GET", f"/connections/{connection_id}").data)

    def delete(self, connection_id: str) -> None:
        self.gateway.request("DELETE", f"/connections/{connection_id}")

    def wait_until_active(
        self,
        connection_id: str,
        *,
        timeout: float = CONNECT_TIMEOUT,
        interval: float = POLL_INTERVAL,
        cancelled: Callable[[], bool] = lambda: False,
        on_poll: Callable[[Connection], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Connection:
        """Poll every `interval` seconds until ACTIVE.

        Raises ConnectionFailed on FAILED, ConnectionPending on time-out, Cancelled when
        `cancelled()` turns true. Transient network errors while polling are ride out.
        """
        deadline = clock() + timeout
        while True:
            if cancelled():
                raise Cancelled()
            try:
                connection = self.get(connection_id)
            except e.NetworkError:
                connection = None
            if connection is not None:
                if on_poll:
                    on_poll(connection)
                if connection.status is ConnectionStatus.ACTIVE:
                    return connection
                if connection.status is ConnectionStatus.FAILED:
                    raise e.ConnectionFailed("Signing in to the service failed.")
            if clock() + interval > deadline:
                raise e.ConnectionPending(
                    f"Sign-in was not completed within {int(timeout // 60) or 1} minutes."
                )
            # Sleep in small steps so a cancel is noticed quickly.
            end = clock() + interval
            while clock() < end:
                if cancelled():
                    raise Cancelled()
                sleep(min(0.1, max(0.0, end - clock())))
