"""Accounts: the Maton key, the connection each service uses, signing in, workspaces.

Every rule about them lives here, once: which connection a service uses, how a sign-in is
polled and when it gives up, that a key is checked with Maton before it is saved, what to
tell a user whose key comes from the environment, which account the settings belong to.
Qt-free. Methods that talk to Maton, a service or the keyring block (a few hundred
milliseconds): the app runs them on its network worker, the command line calls them directly.
Functions that change the settings talk to no one: the app calls them on the GUI thread,
which owns the settings.
"""

from __future__ import annotations

import enum
import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .. import secrets as keystore
from ..api.urls import check_sign_in_url
from ..config import Config, gateway_url
from ..core import errors as e
from ..core.models import Connection, ConnectionStatus, Service, Workspace
from ..core.text import one_line

POLL_INTERVAL = 2.0  # seconds between sign-in checks: what Maton's own CLI does
SIGN_IN_TIMEOUT = 300.0  # five minutes, also as Maton's CLI

ENV_HINT = ("Check the MATON_API_KEY environment variable (copy the key again from "
            "maton.ai/settings).")


# -- which connection a service uses: the one rule ----------------------------------------------

def current_connection(connections: Iterable[Connection], service: Service,
                       chosen: str | None) -> Connection | None:
    """The connection trayapp uses for `service`: the one chosen before while Maton still has
    it (whatever its status, so a FAILED one is shown as such), else what Maton itself uses
    when no `Maton-Connection` header is sent: the oldest ACTIVE connection for the app."""
    mine = [c for c in connections if c.app == service.value]
    for conn in mine:
        if conn.id == chosen:
            return conn
    active = sorted((c for c in mine if c.status is ConnectionStatus.ACTIVE),
                    key=lambda c: (c.created is None, c.created.timestamp() if c.created else 0))
    return active[0] if active else None


def adopt(config: Config, connections: Sequence[Connection]) -> dict[Service, Connection | None]:
    """Record in `config` the connection each service uses (GUI thread: it owns the settings).
    Returns that connection per service (None: not connected)."""
    found: dict[Service, Connection | None] = {}
    for service in Service:
        conn = current_connection(connections, service, config.connections.get(service.value))
        found[service] = conn
        if conn is not None:
            config.connections[service.value] = conn.id
        else:
            config.connections.pop(service.value, None)
    if config.service and config.service not in config.connections:
        config.service = None
    return found


def choose_service(config: Config, wanted: str | Service | None = None,
                   available: Sequence[Service] | None = None) -> Service:
    """The service an action goes to: the one asked for (it must be connected), else the one
    chosen in Settings while it is connected, else the first connected one. `available`
    overrides the connected services (the demo has both)."""
    services = list(available) if available is not None else config.connected()
    if wanted:
        try:
            service = Service(wanted)
        except ValueError:
            raise e.BadRequest(f"Unknown service {wanted!r}: use toggl-track or clockify."
                               ) from None
        if services and service not in services:
            raise e.NoConnection(f"{service.title} is not connected.")
        return service
    if config.service and Service(config.service) in services:
        return Service(config.service)
    return services[0] if services else Service.TOGGL


# -- the key ------------------------------------------------------------------------------------

def fingerprint(key: str) -> str:
    """A short hash that tells keys apart; the key cannot be read back from it."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:16]


def claim(config: Config, key: str) -> bool:
    """The settings' connections and workspaces belong to one Maton account: the key's. For
    another key they are forgotten (Maton is asked again) and True is returned: the cache of
    the old account must go too. Settings from before this was recorded are taken as the
    key's own."""
    mine = fingerprint(key)
    if config.account in (None, mine):
        config.account = mine
        return False
    config.account = mine
    config.connections.clear()
    config.workspaces.clear()
    config.service = None
    return True


class KeySource(enum.Enum):
    ENVIRONMENT = "environment"  # MATON_API_KEY: read-only here
    KEYRING = "keyring"
    NONE = "none"  # nothing stored yet
    NO_KEYRING = "no keyring"  # no usable keyring: only the environment variable works


@dataclass(frozen=True)
class KeyInfo:
    source: KeySource
    where: str  # a human name for where the key is kept
    key: str | None = None
    problem: e.TrackerError | None = None  # why the keyring could not be read


def key_store_name() -> str:
    """Where a saved key is kept (asked once per run)."""
    return keystore.backend_name()


def key_info() -> KeyInfo:
    """Where the key comes from, and the key (local: the keyring or the environment)."""
    if keystore.from_environment():
        return KeyInfo(KeySource.ENVIRONMENT, "the MATON_API_KEY environment variable",
                       keystore.get_key())
    try:
        where, key = keystore.name_and_key()
    except e.KeyringUnavailable as exc:
        return KeyInfo(KeySource.NO_KEYRING, keystore.backend_name(), problem=exc)
    if where == keystore.NO_KEYRING:
        return KeyInfo(KeySource.NO_KEYRING, where)
    return KeyInfo(KeySource.KEYRING if key else KeySource.NONE, where, key)


def check_key(key: str, base_url: str | None = None, hint: str | None = None
              ) -> list[Connection]:
    """Ask Maton whether `key` works (asks Maton: one request). Returns its connections;
    raises AuthError (rejected or malformed), NetworkError (not checked), ..."""
    from ..api.connections import Connections
    from ..api.gateway import COMMAND_DEADLINE, Gateway

    gateway = Gateway(key, base_url or gateway_url(), max_retries=1, auth_hint=hint,
                      give_up_after=COMMAND_DEADLINE)
    try:
        return Connections(gateway).list()
    finally:
        gateway.close()


def save_key(key: str, base_url: str | None = None) -> list[Connection]:
    """Check the key with Maton, then keep it in the keyring; a key Maton refused, or one that
    could not be checked, is not saved (so the demo or the working key stays in use)."""
    key = key.strip()
    try:
        connections = check_key(key, base_url)
    except e.TrackerError as exc:
        if not exc.transient:
            raise
        raise e.NetworkError(f"{exc.message} The key was not checked, so it was not saved: "
                             "try again when Maton can be reached.") from None
    keystore.set_key(key)
    return connections


def remove_key() -> None:
    """Forget the saved key (local: the keyring). The app goes back to the demo."""
    keystore.delete_key()


# -- signing in ---------------------------------------------------------------------------------

class SignInState(enum.Enum):
    WAITING = "waiting"  # the browser page is open; polling
    ACTIVE = "active"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    CANCELLED = "cancelled"

    @property
    def done(self) -> bool:
        return self is not SignInState.WAITING


@dataclass(frozen=True)
class SignIn:
    """A browser sign-in in progress, as a value: each poll returns the next one."""

    service: Service
    connection_id: str
    url: str
    deadline: float  # on the `clock` of the Accounts that made it
    state: SignInState = SignInState.WAITING
    unreachable: bool = False  # the last check could not reach Maton (still waiting)
    error: e.TrackerError | None = None


def page_to_open(url: str) -> str:
    """A page from Maton (the sign-in page) fit to open in the browser, or MalformedResponse
    saying which and why not; the address is quoted as printable text, cut short."""
    if not url:
        raise e.MalformedResponse("Maton returned no sign-in page to open.")
    try:
        return check_sign_in_url(url)
    except ValueError as why:
        raise e.MalformedResponse(
            "Maton returned a sign-in page that trayapp does not open: "
            f"{one_line(url, 120)}. {why}", hint="Nothing was opened.") from None


class ConnectionsApi(Protocol):
    """What accounts need from Maton (api/connections.py's Connections is one)."""

    def list(self) -> list[Connection]: ...
    def create(self, app: Service) -> Connection: ...
    def get(self, connection_id: str) -> Connection: ...
    def delete(self, connection_id: str) -> None: ...


ConnectionsFactory = Callable[[], ConnectionsApi]


class SignIns:
    """Starting, polling, cancelling and finishing sign-ins (each call asks Maton once)."""

    def __init__(self, connections: ConnectionsFactory, *, timeout: float = SIGN_IN_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._connections = connections
        self.timeout = timeout
        self.clock = clock

    def begin(self, service: Service) -> SignIn:
        conn = self._connections().create(service)
        try:
            url = page_to_open(conn.url or "")
        except e.TrackerError:
            self._forget(conn.id)  # nobody can sign in there
            raise
        return SignIn(service, conn.id, url, self.clock() + self.timeout)

    def poll(self, sign_in: SignIn) -> SignIn:
        """One check of a waiting sign-in; past its deadline it is given up (and removed)."""
        if sign_in.state.done:
            return sign_in
        try:
            conn = self._connections().get(sign_in.connection_id)
        except e.NotFound:  # deleted elsewhere (another window, the web)
            return replace(sign_in, state=SignInState.FAILED,
                           error=e.ConnectionFailed("The sign-in was removed from Maton."))
        except e.TrackerError as exc:
            if not exc.transient:
                raise
            conn = None  # offline or busy for a moment: keep waiting, say so
        if conn is not None and conn.status is ConnectionStatus.ACTIVE:
            return replace(sign_in, state=SignInState.ACTIVE, unreachable=False)
        if conn is not None and conn.status is ConnectionStatus.FAILED:
            return replace(sign_in, state=SignInState.FAILED,
                           error=e.ConnectionFailed("Signing in to the service failed."))
        if self.clock() >= sign_in.deadline:
            self._forget(sign_in.connection_id)
            return replace(sign_in, state=SignInState.TIMED_OUT, error=e.ConnectionPending(
                f"Sign-in was not finished within {span(self.timeout)}."))
        return replace(sign_in, unreachable=conn is None)

    def cancel(self, sign_in: SignIn) -> SignIn:
        """Stop waiting, and remove the unfinished connection from Maton (best effort). One
        that became ACTIVE since the last check is kept: the user did sign in."""
        try:
            if self._connections().get(sign_in.connection_id).status is ConnectionStatus.ACTIVE:
                return replace(sign_in, state=SignInState.ACTIVE)
        except e.TrackerError:
            # Not known whether the user finished: keep it (Maton drops an unfinished one by
            # itself; a finished one is found by the next look at the connections).
            return replace(sign_in, state=SignInState.CANCELLED)
        self._forget(sign_in.connection_id)
        return replace(sign_in, state=SignInState.CANCELLED)

    def wait(self, sign_in: SignIn, *, interval: float = POLL_INTERVAL,
             sleep: Callable[[float], None] = time.sleep) -> SignIn:
        """Poll until the sign-in is done (the command line; the app polls with a timer).
        KeyboardInterrupt cancels, as Ctrl+C should."""
        try:
            while True:
                sign_in = self.poll(sign_in)
                if sign_in.state.done:
                    return sign_in
                sleep(interval)
        except KeyboardInterrupt:
            return self.cancel(sign_in)

    def disconnect(self, connection_id: str) -> None:
        """Remove a connection from Maton; one that is already gone counts as removed."""
        try:
            self._connections().delete(connection_id)
        except e.NotFound:
            pass

    def _forget(self, connection_id: str) -> None:
        try:
            self._connections().delete(connection_id)
        except e.TrackerError:
            pass  # it expires on Maton's side anyway


def span(seconds: float) -> str:
    """300 -> '5 minutes', 0.4 -> '1 second'."""
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    n = max(1, round(seconds))
    return f"{n} second{'' if n == 1 else 's'}"


# -- workspaces ---------------------------------------------------------------------------------

WorkspaceLister = Callable[[Service], list[Workspace]]


def workspaces(services: Iterable[Service], lister: WorkspaceLister
               ) -> dict[Service, list[Workspace] | e.TrackerError]:
    """Each service's workspaces (asks each service once); one failing service does not hide
    the others."""
    out: dict[Service, list[Workspace] | e.TrackerError] = {}
    for service in services:
        try:
            out[service] = lister(service)
        except e.TrackerError as exc:
            out[service] = exc
    return out


def choose_workspace(config: Config, service: Service, workspace_id: str | None) -> bool:
    """Record the workspace new timers go to (None: the account's default). True if changed."""
    if workspace_id == config.workspaces.get(service.value):
        return False
    if workspace_id:
        config.workspaces[service.value] = workspace_id
    else:
        config.workspaces.pop(service.value, None)
    return True


def record_connection(config: Config, service: Service, connection_id: str) -> None:
    """A sign-in finished: the service uses that connection from now on (settings only)."""
    config.connections[service.value] = connection_id


def forget_connection(config: Config, service: Service, connection_id: str) -> None:
    """After a disconnect: the service is no longer connected (settings only)."""
    if config.connections.get(service.value) == connection_id:
        del config.connections[service.value]
    if config.service == service.value:
        config.service = None
