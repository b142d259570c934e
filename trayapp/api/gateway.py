"""The one HTTP client for the Maton gateway.

Responsibilities, and nothing else: bearer auth, the `Maton-Connection` header, explicit timeouts,
retries only where they are safe, Toggl's quota headers, and turning every failure into a typed
`core.errors` error. The key lives only in the httpx client's headers: never in a log line,
an exception message or a repr.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from .. import __version__
from ..core import errors as e
from ..core.durations import bounded_seconds, utcnow
from ..core.text import one_line
from .deadline import Deadline, transport_with
from .errors import DEFAULT_QUOTA_WAIT, MAX_QUOTA_WAIT, error_for, retry_after_seconds
from .trust import context_for
from .urls import DEFAULT_GATEWAY_URL, check_gateway_url

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEADLINE = 20.0  # one attempt, from sending to the last byte of the answer
COMMAND_DEADLINE = DEADLINE + 5  # every request of one command, retries included
MAX_BODY = 64 << 20  # bytes: an answer larger than this is not one of the API's
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass
class Quota:
    """Toggl's hourly quota as last reported by the server (None: not reported)."""

    remaining: int | None = None
    resets_at: datetime | None = None


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any = None


@dataclass
class Stats:
    """Requests actually sent on the wire, by app; the request budget is measured from this."""

    sent: int = 0
    by_app: dict[str, int] = field(default_factory=dict)


class Gateway:
    """One httpx client per gateway base URL, used from a single (worker) thread."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_GATEWAY_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        max_wait: float = 8.0,
        per_second: int = 9,
        sleep: Callable[[float], None] = time.sleep,
        auth_hint: str | None = None,
        deadline: float = DEADLINE,
        give_up_after: float | None = None,
    ) -> None:
        # What to advise when the key is refused: it depends on where the key comes from.
        self.auth_hint = auth_hint
        key = check_key_format(api_key, auth_hint)
        self.base_url = check_gateway_url(base_url)
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.deadline = deadline
        self._deadline = Deadline()
        # A command's overall deadline: every request of this gateway ends by then.
        self._until = None if give_up_after is None else time.monotonic() + give_up_after
        self.quota = Quota()
        self.stats = Stats()
        # Maton allows 10 requests/s per key (Clockify 50/s): let short bursts through at
        # once, but never more than `per_second` in any second, so a long outbox replay is
        # paced instead of collecting 429s.
        self.per_second = per_second
        self._recent: deque[float] = deque(maxlen=max(1, per_second))
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {key}",
                "User-Agent": f"trayapp/{__version__}",
                "Accept": "application/json",
            },
            timeout=timeout,
            transport=transport or transport_with(self._deadline, context_for(self.base_url)),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"Gateway({self.base_url!r})"

    @contextmanager
    def giving_up_after(self, seconds: float) -> Iterator[None]:
        """Every request made in this block ends within `seconds` (one job of the app's
        network worker: a sync never shows as under way for longer)."""
        before = self._until
        until = time.monotonic() + seconds
        self._until = until if before is None else min(before, until)
        try:
            yield
        finally:
            self._until = before

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one entry point --------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        connection: str | None = None,
        idempotent: bool | None = None,
        service_title: str = "the service",
    ) -> Response:
        """Send one request, retrying only where it cannot do anything twice.

        - connect failures (nothing was sent): retried for every method;
        - 429: retried for every method (the server did nothing), if Retry-After is short;
        - 5xx and read failures: retried only for idempotent methods. A non-idempotent
          request that got no answer raises OutcomeUnknown, so the caller can look before
          it tries again.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        headers = {"Maton-Connection": connection} if connection else {}
        app = path.strip("/").split("/", 1)[0]
        attempt = 0
        while True:
            try:
                response, body = self._send(method, path, params, json_body, headers, app)
            except httpx.ConnectError as exc:
                untrusted = _certificate_problem(exc, self._host())
                if untrusted:  # trying again cannot help
                    raise e.NetworkError(untrusted) from None
                if attempt < self.max_retries:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise e.NetworkError(
                    f"Cannot reach the gateway at {self._host()} ({type(exc).__name__})."
                ) from None
            except httpx.TimeoutException as exc:
                if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout) or idempotent:
                    if attempt < self.max_retries:
                        attempt += 1
                        self._backoff(attempt)
                        continue
                    raise e.NetworkError(f"The gateway at {self._host()} timed out.") from None
                raise e.OutcomeUnknown(
                    "The request was sent but timed out before an answer came."
                ) from None
            except httpx.TransportError as exc:
                if idempotent and attempt < self.max_retries:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                cls = e.NetworkError if idempotent else e.OutcomeUnknown
                raise cls(
                    f"The connection to {self._host()} broke ({type(exc).__name__})."
                ) from None

            status = response.status_code
            if status < 400:
                return Response(status, response.headers,
                                self._decode(body, response.headers.get("content-type", "")))
            if attempt < self.max_retries:
                wait = None
                if status == 429:
                    wait = retry_after_seconds(response.headers)
                elif status >= 500 and idempotent:
                    wait = self._backoff_delay(attempt + 1)
                if wait is not None and wait <= self.max_wait:
                    attempt += 1
                    log.info("%s %s: HTTP %s, retrying in %.1fs", method, path, status, wait)
                    self._pause(wait)
                    continue
            error = error_for(
                status, response.headers, body, service_title=service_title
            )
            if isinstance(error, e.AuthError) and self.auth_hint:
                error.hint = self.auth_hint
            raise error

    # -- helpers --------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        headers: dict[str, str],
        app: str,
    ) -> tuple[httpx.Response, bytes]:
        if self.per_second and len(self._recent) == self._recent.maxlen:
            wait = self._recent[0] + 1.0 - time.monotonic()
            if wait > 0:
                self._pause(wait)
        budget = self._time_for_one()
        self.stats.sent += 1
        self.stats.by_app[app] = self.stats.by_app.get(app, 0) + 1
        started = time.monotonic()
        self._recent.append(started)
        request = self._client.build_request(method, path, params=_clean(params),
                                             json=json_body, headers=headers)
        with self._deadline.within(budget):
            response = self._client.send(request, stream=True)
            try:
                body = _read_body(response, started + budget)
            finally:
                response.close()
        log.debug(
            "%s %s -> %s (%.0f ms)", method, path, response.status_code,
            (time.monotonic() - started) * 1000,
        )
        self._track_quota(response.headers)
        return response, body

    def _track_quota(self, headers: Mapping[str, str]) -> None:
        remaining = headers.get("x-toggl-quota-remaining")
        resets_in = headers.get("x-toggl-quota-resets-in")
        if remaining is not None:
            try:  # a malformed header is not worth failing a request over
                self.quota.remaining = max(0, min(int(remaining), 1_000_000))
            except ValueError:
                pass
        if resets_in is not None:
            wait = bounded_seconds(resets_in, MAX_QUOTA_WAIT, DEFAULT_QUOTA_WAIT)
            self.quota.resets_at = utcnow() + timedelta(seconds=wait)

    @staticmethod
    def _decode(body: bytes, content_type: str) -> Any:
        raw = body.strip()
        if not raw:
            return None  # Toggl DELETE: 200 with an empty body; Clockify DELETE: 204
        if raw[:1] == b"<" or "html" in content_type.lower():
            raise e.MalformedResponse("The gateway answered with a web page instead of data.")
        try:
            data = json.loads(raw)
            # Text that is not Unicode (a lone surrogate, as JSON allows to write): refused
            # here, or it would fail later in the store.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested beyond the stack
            raise e.MalformedResponse() from None
        return data

    def _backoff_delay(self, attempt: int) -> float:
        base: float = min(self.max_wait, 0.25 * 2.0 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)

    def _backoff(self, attempt: int) -> None:
        self._pause(self._backoff_delay(attempt))

    def _pause(self, seconds: float) -> None:
        """Sleep, but not past the overall deadline (the next attempt then gives up)."""
        if self._until is not None:
            seconds = min(seconds, max(0.0, self._until - time.monotonic()))
        self._sleep(seconds)

    def _time_for_one(self) -> float:
        """How long the next attempt may take: its own deadline, within the overall one."""
        if self._until is None:
            return self.deadline
        left = self._until - time.monotonic()
        if left <= 0:
            raise e.NetworkError(f"The gateway at {self._host()} is too slow: gave up waiting.")
        return min(self.deadline, left)

    def _host(self) -> str:
        return urlsplit(self.base_url).netloc


# OpenSSL's verify codes whose cause is not trust: the computer's clock, or another host.
EXPIRED, NOT_YET_VALID, OTHER_HOST, OTHER_ADDRESS = 10, 9, 62, 64


def _certificate_problem(exc: BaseException, host: str) -> str | None:
    """What to tell when the TLS check refused the gateway's certificate (None: it did not)."""
    seen: BaseException | None = exc
    for _ in range(10):  # the ssl error sits a few links down httpx's and httpcore's chain
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            said = one_line(seen.verify_message or "certificate verify failed", 120)
            if seen.verify_code in (EXPIRED, NOT_YET_VALID):
                return (f"The gateway's certificate is not valid at this computer's date and "
                        f"time ({said}). Check the date, time and time zone of the computer.")
            if seen.verify_code in (OTHER_HOST, OTHER_ADDRESS):
                return (f"The certificate at {host} is for another host ({said}): something "
                        "between this computer and the gateway answers in its place.")
            return (f"The gateway at {host} showed a certificate this computer does not trust "
                    f"({said}). If a company proxy inspects secure connections, set "
                    "SSL_CERT_FILE to its certificate authority's file.")
        seen = seen.__cause__ or seen.__context__
    return None


def _read_body(response: httpx.Response, until: float) -> bytes:
    """The whole (decoded) body by `until`, and no larger than any answer of the API."""
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if time.monotonic() > until:  # the transport's deadline too, whatever transport
                raise httpx.ReadTimeout("the answer came too slowly", request=response.request)
            if len(body) > MAX_BODY:
                raise e.MalformedResponse("The answer is far larger than any the API sends.")
    except httpx.DecodingError:  # a content encoding that does not match the body
        raise e.MalformedResponse("The answer's encoding does not match its body.") from None
    return bytes(body)


def check_key_format(api_key: str | None, hint: str | None = None) -> str:
    """The one rule for what a Maton key may contain (the stripped key, or AuthError). httpx
    would refuse other characters in the header with an error that quotes the key, so such a
    key is refused here, without repeating it."""
    key = (api_key or "").strip()
    if not key:
        raise e.AuthError("No Maton API key is set.", hint=hint)
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise e.AuthError("That does not look like a Maton API key (it contains spaces or "
                          "characters a key cannot have).", hint=hint)
    return key


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop None values and spell booleans the way both APIs expect."""
    if not params:
        return None
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out
