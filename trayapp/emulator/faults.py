"""Fault injection: network and server failures the app must survive.

"refuse" and "drop" cannot be expressed as an HTTP response; the app raises the exceptions below
and the socket server turns them into a reset / a silent close. Under `httpx.WSGITransport` they
simply propagate, which httpx surfaces as a transport-level error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["FAULT_KINDS", "DropConnection", "Fault", "FaultBook", "RefuseConnection", "html_error"]

FAULT_KINDS = ("refuse", "delay", "drop", "html5xx", "429", "quota402")


class RefuseConnection(ConnectionResetError):
    """Close the connection before reading the body or committing anything."""


class DropConnection(ConnectionResetError):
    """The request was committed; close the connection without sending the response."""


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path: str | None = None  # regex searched in the full request path
    app: str | None = None
    times: int | None = 1  # None = forever
    delay: float = 0.0
    status: int = 503
    retry_after: int = 1
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 or None")
        self._regex = re.compile(self.path) if self.path else None

    def matches(self, method: str, app: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.app and self.app != app:
            return False
        return not (self._regex and not self._regex.search(path))


class FaultBook:
    """Registered faults; `take` consumes the matching ones for one request."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def __len__(self) -> int:
        return len(self._faults)

    def take(self, method: str, app: str, path: str) -> tuple[float, Fault | None]:
        """Total delay to apply, and the first non-delay fault that fires (if any).

        Delays stack with a later fault so a test can ask for "slow, then 503".
        """
        delay = 0.0
        chosen: Fault | None = None
        for fault in list(self._faults):
            if not fault.matches(method, app, path):
                continue
            if fault.kind == "delay":
                delay += fault.delay
            elif chosen is None:
                chosen = fault
            else:
                continue
            self._use(fault)
        return delay, chosen

    def _use(self, fault: Fault) -> None:
        if fault.times is None:
            return
        fault.times -= 1
        if fault.times <= 0:
            self._faults.remove(fault)


def html_error(status: int, phrase: str) -> str:
    """The kind of page a proxy or load balancer returns in front of an API."""
    return (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
