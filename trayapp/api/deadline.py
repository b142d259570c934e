"""One deadline for a whole request, headers included.

httpx's time-outs bound each read, so a server that sends a byte every few seconds never meets
them and holds a request for as long as it likes. The network layer below bounds every read by
what is left of the current request's deadline instead; the deadline is per thread, as each
gateway is used from one worker thread.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

log = logging.getLogger(__name__)


class Deadline:
    """`with deadline.within(s):` bounds everything read from the network in that block."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        self._local.until = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.until = None

    def left(self) -> float | None:
        until: float | None = getattr(self._local, "until", None)
        return None if until is None else until - time.monotonic()

    def bound(self, timeout: float | None) -> float | None:
        left = self.left()
        if left is None:
            return timeout
        if left <= 0:
            raise httpcore.ReadTimeout("the answer came too slowly")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout))
        return _Stream(stream, self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self._backend = backend
        self._deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, self._deadline.bound(timeout),
                                           local_address, socket_options)
        return _Stream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[typing.Any] | None = None
                            ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, self._deadline.bound(timeout),
                                                   socket_options)
        return _Stream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def transport_with(deadline: Deadline, verify: ssl.SSLContext | bool = True
                   ) -> httpx.HTTPTransport:
    """httpx's own transport, reading through the deadline."""
    transport = httpx.HTTPTransport(verify=verify)
    pool = getattr(transport, "_pool", None)  # httpx offers no public way to set the backend
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _Backend(backend, deadline)  # type: ignore[union-attr]
    else:  # a newer httpx: per-read time-outs still hold, and the body is still bounded
        log.warning("This httpx does not allow a deadline for the answer's headers.")
    return transport
