"""Maton connections: the OAuth link between the user's Maton account and Toggl or Clockify.
The calls only; which connection to use and how a sign-in is waited for are control's rules
(control/accounts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import errors as e
from ..core.durations import parse_timestamp
from ..core.models import Connection, ConnectionStatus, Service, is_id
from .gateway import Gateway


def parse_connection(data: Any) -> Connection:
    """Accept both `{"connection": {...}}` and the bare object; snake_case or camelCase."""
    if isinstance(data, dict) and isinstance(data.get("connection"), dict):
        data = data["connection"]
    if not isinstance(data, dict):
        raise e.MalformedResponse("The connection record is not an object.")
    conn_id = data.get("connection_id") or data.get("connectionId") or data.get("id")
    if not is_id(conn_id):  # sent back in paths and headers
        raise e.MalformedResponse("The connection record has no usable id.")
    status = str(data.get("status", "")).upper()
    try:
        parsed_status = ConnectionStatus(status)
    except ValueError:
        parsed_status = ConnectionStatus.UNKNOWN

    def when(*keys: str) -> datetime | None:
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

    def create(self, app: Service) -> Connection:
        response = self.gateway.request("POST", "/connections", json_body={"app": app.value})
        return parse_connection(response.data)

    def get(self, connection_id: str) -> Connection:
        return parse_connection(self.gateway.request("GET", f"/connections/{connection_id}").data)

    def delete(self, connection_id: str) -> None:
        self.gateway.request("DELETE", f"/connections/{connection_id}")
