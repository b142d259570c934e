"""Turn an HTTP error response into a typed `core.errors` error.

Pure functions over (status, headers, body), so they can be fed anything (see the property tests).
Body shapes handled: Toggl's bare JSON strings and empty 401s, Clockify's `{message, code}` (and the
older `{description, code}`), Maton's `{"error": {"code", "message"}}`, HTML error pages, garbage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import timedelta

from ..core import errors as e
from ..core.durations import bounded_seconds, utcnow
from ..core.text import one_line

_QUOTA_WORDS = ("quota", "hourly limit")
_RESET_IN = re.compile(r"reset[s]? in (\d+)\s*(?:s|sec|seconds)?", re.I)
DEFAULT_QUOTA_WAIT = 3600.0
DEFAULT_RETRY_AFTER = 1.0
# The longest waits a server can impose: Toggl's quota resets within the hour; a Retry-After
# longer than a quarter of an hour is not a rate limit but a fault.
MAX_QUOTA_WAIT = 2 * 3600.0
MAX_RETRY_AFTER = 15 * 60.0
# A server's message is shown on one line (a terminal, the tray): longer ones are cut.
MAX_MESSAGE = 300


def body_text(body: bytes, content_type: str = "") -> tuple[str, str | int | None]:
    """The human message in an error body and an app-level code, or ('', None).

    HTML pages (proxies, load balancers) yield no message: their markup is never shown to a user.
    A message is one printable line of bounded length: it reaches terminals, the tray and the log.
    """
    raw = body.strip()
    if not raw or "html" in content_type.lower() or raw[:1] == b"<":
        return "", None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return "", None
    if isinstance(data, str):  # Toggl
        return one_line(data, MAX_MESSAGE), None
    if not isinstance(data, dict):
        return "", None
    error = data.get("error")
    if isinstance(error, dict):  # Maton
        data = error
    elif isinstance(error, str) and "message" not in data:
        data = {"message": error}
    message = data.get("message") or data.get("description") or ""
    code = data.get("code")
    if not isinstance(message, str):
        message = ""
    if not isinstance(code, str | int) or isinstance(code, bool):
        code = None
    return one_line(message, MAX_MESSAGE), code


def retry_after_seconds(headers: Mapping[str, str], default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds from a Retry-After header (delta-seconds form; dates are rare here)."""
    return bounded_seconds(headers.get("retry-after", ""), MAX_RETRY_AFTER, default)


def quota_reset_seconds(headers: Mapping[str, str], message: str) -> float:
    header = headers.get("x-toggl-quota-resets-in")
    if header is not None:
        return bounded_seconds(header, MAX_QUOTA_WAIT, DEFAULT_QUOTA_WAIT)
    match = _RESET_IN.search(message)
    found = match.group(1) if match else DEFAULT_QUOTA_WAIT
    return bounded_seconds(found, MAX_QUOTA_WAIT, DEFAULT_QUOTA_WAIT)


def is_quota_message(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in _QUOTA_WORDS)


def error_for(
    status: int, headers: Mapping[str, str], body: bytes, *, service_title: str = "the service"
) -> e.TrackerError:
    """Map one error response to the matching typed error."""
    headers = {k.lower(): v for k, v in headers.items()}
    message, code = body_text(body, headers.get("content-type", ""))
    lowered = message.lower()
    code_text = str(code or "").upper()

    if status == 400:
        if "CONNECTION" in code_text or "connection" in lowered:
            if "pending" in lowered:
                return e.ConnectionPending(status=status)
            if "failed" in lowered or "expired" in lowered:
                return e.ConnectionFailed(status=status)
            return e.NoConnection(
                f"There is no active {service_title} connection in your Maton account.",
                status=status,
            )
        if code == 501 or "doesn't belong" in lowered or "not found" in lowered:
            return e.NotFound(message, status=status)  # Clockify reports not-found as 400/501
        return e.BadRequest(message or f"{service_title} refused the request.", status=status)
    if status == 401:
        return e.AuthError(status=status)
    if status == 402:
        if is_quota_message(message):
            wait = quota_reset_seconds(headers, message)
            return e.QuotaExhausted(retry_at=utcnow() + timedelta(seconds=wait), status=status)
        return e.PremiumRequired(message or "This needs a paid plan.", status=status)
    if status == 403:
        return e.Forbidden(message, status=status)
    if status in (404, 410):
        return e.NotFound(message, status=status)
    if status == 409:
        return e.Conflict(message or "Already done.", status=status)
    if status == 429:
        return e.RateLimited.after(retry_after_seconds(headers), status=status)
    if status >= 500:
        return e.ServerError(status=status)
    return e.BadRequest(message or f"{service_title} refused the request (HTTP {status}).",
                        status=status)
