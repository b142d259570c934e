"""Typed errors: every failure the user can meet, each with a human title and message.

    TrackerError                    base: title + message (+ hint of what to do)
    ├── AuthError                   the Maton API key is missing, invalid or expired
    ├── ConnectionError_            no usable Maton connection for the service
    │   ├── NoConnection            none exists (or none is ACTIVE)
    │   ├── ConnectionPending       the browser sign-in has not finished
    │   └── ConnectionFailed        the sign-in failed or the grant expired
    ├── RequestError                the service refused the request as sent
    │   ├── BadRequest              validation failed (400)
    │   ├── Forbidden               no access (403)
    │   ├── NotFound                the thing is gone (404, Clockify's 400/501)
    │   ├── Conflict                e.g. "Time entry already stopped" (409)
    │   └── PremiumRequired         a paid-plan feature (Toggl 402 that is not the quota)
    ├── Throttled                   come back later; `retry_at` says when
    │   ├── RateLimited             429 (Retry-After)
    │   └── QuotaExhausted          Toggl's hourly quota (402), paused until `retry_at`
    ├── ServerError                 5xx, HTML error pages
    ├── NetworkError                unreachable, refused, timed out
    │   └── OutcomeUnknown          the request may have been applied (timed out after sending)
    ├── MalformedResponse           the body is not what the API documents
    ├── KeyringUnavailable          the OS keyring is missing or locked
    ├── LocalDataError              the local store is not a database, or too new
    ├── SetupError                  a setting or environment variable that cannot be used
    └── Interrupted                 trayapp stopped that work (a restart, quitting)

Messages never contain the API key: they are built from fixed text and service error bodies only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .durations import format_moment, utcnow


class TrackerError(Exception):
    title = "Something went wrong"
    hint = ""
    #: Whether repeating the same request later may succeed without the user doing anything.
    #: The one rule for "offline": the tray's amber badge, backing off, retrying by itself.
    transient = False
    #: Nothing changes until the user does something (the key, a connection, the keyring):
    #: no automatic retries, and the problem stays shown until it is solved.
    needs_user = False

    def __init__(self, message: str = "", *, status: int | None = None,
                 hint: str | None = None) -> None:
        self.status = status
        self.message = message or self.default_message()
        if hint is not None:  # advice that depends on where it happened (e.g. the key's source)
            self.hint = hint
        super().__init__(self.message)

    def default_message(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        """Message plus what to do, as one paragraph for a dialog or notification."""
        return f"{self.message} {self.hint}".strip()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status})"


class AuthError(TrackerError):
    title = "Maton API key rejected"
    needs_user = True
    hint = "Check the key in Settings (copy it again from maton.ai/settings)."

    def default_message(self) -> str:
        return "The Maton API key is missing, invalid or expired."


class ConnectionError_(TrackerError):  # noqa: N801 - avoid shadowing the builtin ConnectionError
    title = "Account not connected"
    needs_user = True
    hint = "Open Settings and connect the account."


class NoConnection(ConnectionError_):
    def default_message(self) -> str:
        return "There is no active connection to this service in your Maton account."


class ConnectionPending(ConnectionError_):
    title = "Sign-in not finished"
    hint = "Finish signing in in the browser window, or cancel and connect again."

    def default_message(self) -> str:
        return "The connection is waiting for you to sign in."


class ConnectionFailed(ConnectionError_):
    title = "Connection failed"
    hint = "Connect the account again in Settings."

    def default_message(self) -> str:
        return "The connection to the service failed or its sign-in expired."


class RequestError(TrackerError):
    title = "Request refused"


class BadRequest(RequestError):
    title = "Request refused"


class Forbidden(RequestError):
    title = "No access"

    def default_message(self) -> str:
        return "Your account does not have access to this."


class NotFound(RequestError):
    title = "Not found"

    def default_message(self) -> str:
        return "It no longer exists on the server; it may have been deleted elsewhere."


class Conflict(RequestError):
    title = "Already done"


class PremiumRequired(RequestError):
    title = "Paid plan required"
    hint = "This feature needs a paid plan of the service."


class Throttled(TrackerError):
    transient = True

    def __init__(
        self, message: str = "", *, retry_at: datetime | None = None, status: int | None = None
    ) -> None:
        self.retry_at = retry_at
        super().__init__(message, status=status)

    @classmethod
    def after(cls, seconds: float, message: str = "", status: int | None = None) -> Throttled:
        return cls(message, retry_at=utcnow() + timedelta(seconds=seconds), status=status)

    @property
    def retry_in(self) -> float:
        if self.retry_at is None:
            return 0.0
        return max(0.0, (self.retry_at - utcnow()).total_seconds())


class RateLimited(Throttled):
    title = "Too many requests"
    hint = "trayapp will retry by itself."

    def default_message(self) -> str:
        return "The service asked trayapp to slow down."


class QuotaExhausted(Throttled):
    title = "Hourly request quota used up"
    hint = "Timers keep running locally and are sent when the quota resets."

    def default_message(self) -> str:
        when = f" until {format_moment(self.retry_at)}" if self.retry_at else ""
        return f"Toggl's hourly API quota is used up; syncing is paused{when}."


class ServerError(TrackerError):
    title = "Service unavailable"
    hint = "trayapp will try again shortly."
    transient = True

    def default_message(self) -> str:
        return f"The server had a problem (HTTP {self.status})." if self.status else self.title


class NetworkError(TrackerError):
    title = "Offline"
    hint = "Your changes are kept and sent when the connection returns."
    transient = True

    def default_message(self) -> str:
        return "The gateway cannot be reached."


class OutcomeUnknown(NetworkError):
    """The request was sent but no answer came: the server may or may not have applied it."""

    title = "No answer from the server"


class MalformedResponse(TrackerError):
    title = "Unexpected answer"
    hint = "This may be a temporary problem of the service; try again later."
    transient = True

    def default_message(self) -> str:
        return "The service sent a response trayapp does not understand."


class KeyringUnavailable(TrackerError):
    title = "Keyring unavailable"
    needs_user = True
    hint = "Unlock or install a keyring (Secret Service), or set the MATON_API_KEY variable."

    def default_message(self) -> str:
        return "The system keyring is missing or locked, so the Maton key cannot be stored."


class LocalDataError(TrackerError):
    """The local store cannot be used as it is. It is left untouched: unsent changes in it
    are not lost, and a newer trayapp can still open it."""

    title = "Local data unusable"
    needs_user = True
    hint = "Move the file away: trayapp then makes a new one and reloads entries from the server."

    def default_message(self) -> str:
        return "trayapp's local data file cannot be read."

    @classmethod
    def newer(cls, path: str, found: int, known: int) -> LocalDataError:
        error = cls(f"{path} was written by a newer trayapp (data version {found}; this one "
                    f"knows up to {known}).")
        error.hint = ("Run the newer trayapp, or move the file away to start with an empty "
                      "cache (changes not yet sent stay in the moved file).")
        return error

    @classmethod
    def unusable(cls, path: str, reason: str) -> LocalDataError:
        """The file or its folder cannot be used right now (read-only, full disk...)."""
        error = cls(f"{path} cannot be used: {reason}.")
        error.hint = ("Check that this folder is yours and writable and that the disk is not "
                      "full; nothing queued in it is lost.")
        return error

    @classmethod
    def busy(cls, path: str) -> LocalDataError:
        """Another program holds the file for a moment: it passes by itself."""
        error = cls(f"{path} is busy in another program.")
        error.hint = "trayapp tries again shortly."
        error.transient, error.needs_user = True, False
        return error

    @classmethod
    def unreadable(cls, path: str, reason: str) -> LocalDataError:
        return cls(f"{path} is damaged or is not a trayapp database ({reason}).")


class SetupError(TrackerError):
    """A setting or environment variable trayapp cannot use (e.g. TRAYAPP_GATEWAY_URL)."""

    title = "Setup problem"
    needs_user = True
    hint = "Correct it and start trayapp again."


class Interrupted(TrackerError):
    """trayapp stopped work it had started (a new key, quitting). Whatever reached the disk is
    kept and sent later; nothing is done twice."""

    title = "Interrupted"
    hint = "Check with `trayapp status`."

    def default_message(self) -> str:
        return "trayapp restarted before this was finished."
