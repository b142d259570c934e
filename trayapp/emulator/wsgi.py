"""Small HTTP plumbing shared by every layer: request, response and a regex router.

Kept framework-free on purpose: the emulator is stdlib only and must run under both our own
socket server and `httpx.WSGITransport`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "BadJson",
    "Handler",
    "JSON_UTF8",
    "Request",
    "Response",
    "Router",
    "empty",
    "html",
    "json_response",
    "read_request",
]

JSON_UTF8 = "application/json; charset=utf-8"


class BadJson(ValueError):
    """The request body is not valid JSON."""


@dataclass
class Request:
    method: str
    path: str  # full path as sent, e.g. /toggl-track/api/v9/me
    query: dict[str, str]  # first value of each query parameter
    headers: dict[str, str]  # lower-cased names
    base_url: str  # scheme://host[:port] as the client addressed us
    native_path: str = ""  # path after the app prefix, filled by the dispatcher
    # The body is read lazily so a "refuse" fault can drop the socket without reading it.
    reader: Callable[[], bytes] = field(default=lambda: b"", repr=False)
    _body: bytes | None = field(default=None, repr=False)

    @property
    def body(self) -> bytes:
        if self._body is None:
            self._body = self.reader()
        return self._body

    def json(self) -> Any:
        if not self.body.strip():
            raise BadJson("empty body")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadJson(str(exc)) from exc

    def json_or_none(self) -> Any:
        """Body as JSON, or None when empty (endpoints whose body is optional)."""
        return self.json() if self.body.strip() else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def status_line(self) -> str:
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        return f"{self.status} {phrase}"


def json_response(
    status: int,
    payload: Any,
    headers: Iterable[tuple[str, str]] = (),
    content_type: str = "application/json",
) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, [("Content-Type", content_type), *headers])


def empty(status: int, content_type: str | None = None) -> Response:
    """A body-less response; Toggl's DELETE still says `application/json` (clients trip on it)."""
    headers = [("Content-Type", content_type)] if content_type else []
    return Response(status, b"", headers)


def html(status: int, text: str) -> Response:
    return Response(status, text.encode(), [("Content-Type", "text/html; charset=utf-8")])


Handler = Callable[..., Response]


class Router:
    """Maps (method, path regex) to handlers; tells 404 (no path) from 405 (wrong method)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(f"^{pattern}/?$"), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return decorate

    def match(self, method: str, path: str) -> tuple[Handler, tuple[str, ...]] | str:
        """The handler and its path groups, or "404" / "405"."""
        path_matched = False
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if not found:
                continue
            path_matched = True
            if route_method == method.upper():
                return handler, found.groups()
        return "405" if path_matched else "404"


def read_request(environ: dict[str, Any]) -> Request:
    """Build a Request from a WSGI environ (the body is read on first use)."""
    path = environ.get("PATH_INFO", "") or "/"
    # WSGI hands PATH_INFO over as latin-1 decoded bytes; undo that for non-ASCII paths.
    try:
        path = path.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass  # some servers (httpx's WSGITransport) already hand over real text
    raw_query = environ.get("QUERY_STRING", "")
    query = {k: v[0] for k, v in parse_qs(raw_query, keep_blank_values=True).items()}
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")

    def reader() -> bytes:
        return stream.read(length) if (stream is not None and length > 0) else b""

    scheme = environ.get("wsgi.url_scheme", "http")
    host = headers.get("host") or (
        f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    )
    return Request(
        method=environ.get("REQUEST_METHOD", "GET").upper(),
        path=path,
        query=query,
        headers=headers,
        reader=reader,
        base_url=f"{scheme}://{host}",
    )
