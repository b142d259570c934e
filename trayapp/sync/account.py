"""Everything needed to reach the services: the gateway client, the store, and one Session
per service.

Not tied to a thread. The tray app builds one Account and shares it between its two worker
threads (`local` runs the store-only actions, `net` makes every request; see app.py), and a
one-shot command uses one directly. The Store locks itself and the table of sessions has its
own lock; the gateway client has none, so requests belong on one thread at a time (in the app,
`net`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import httpx

from ..api.connections import Connections
from ..api.gateway import Gateway
from ..api.trackers import make_tracker
from ..core import errors as e
from ..core.durations import utcnow
from ..core.models import Service
from ..store.rebuild import Rebuilt, open_or_rebuild
from .session import CONFIRM_AFTER, Session

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.12


class GatewayOptions(TypedDict, total=False):
    """Passed on to every Gateway this account makes (see Gateway.__init__)."""

    transport: httpx.BaseTransport | None
    timeout: httpx.Timeout
    max_retries: int
    max_wait: float
    per_second: int
    sleep: Callable[[float], None]
    auth_hint: str | None
    give_up_after: float | None


class Account:
    def __init__(
        self,
        api_key: str | None,
        base_url: str,
        store_path: Path | str,
        connections: dict[str, str] | None = None,
        workspaces: dict[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        confirm_after: timedelta = CONFIRM_AFTER,
        **gateway_options: Unpack[GatewayOptions],
    ) -> None:
        self.confirm_after = confirm_after
        # A damaged file is made again (kept aside, unsent changes carried over): say so.
        self.store, rebuilt = open_or_rebuild(store_path)
        self.rebuilt: Rebuilt | None = rebuilt
        self.base_url = base_url
        self.clock = clock
        self.connection_ids = dict(connections or {})
        self.workspace_ids = dict(workspaces or {})
        self._gateway_options = gateway_options
        self.gateway: Gateway | None = None
        self._sessions: dict[Service, Session] = {}
        self._sessions_lock = threading.RLock()  # `local` and `net` both ask for sessions
        #: The services tracked on when not those with a connection id (the demo: both).
        self.services: list[Service] | None = None
        self.set_key(api_key)

    def set_key(self, api_key: str | None) -> None:
        """A new key means a new client; sessions keep their store."""
        if self.gateway:
            self.gateway.close()
        self.gateway = None
        self.key_error: e.AuthError | None = e.AuthError("No Maton API key is set.")
        if api_key:
            try:
                self.gateway = Gateway(api_key, self.base_url, **self._gateway_options)
                self.key_error = None
            except e.AuthError as exc:  # unusable: every request will say so
                self.key_error = exc
        with self._sessions_lock:
            self._sessions.clear()

    @contextmanager
    def giving_up_after(self, seconds: float) -> Iterator[None]:
        """Every request made in this block ends within `seconds`."""
        if self.gateway is None:
            yield
            return
        with self.gateway.giving_up_after(seconds):
            yield

    def _gw(self) -> Gateway:
        if self.gateway is None:
            raise self.key_error or e.AuthError()
        return self.gateway

    @property
    def connections(self) -> Connections:
        return Connections(self._gw())

    def session(self, service: Service) -> Session:
        with self._sessions_lock:  # one Session per service, even when both threads ask
            if service not in self._sessions:
                tracker = make_tracker(service, self._gw(),
                                       self.connection_ids.get(service.value))
                self._sessions[service] = Session(
                    tracker, self.store, workspace_id=self.workspace_ids.get(service.value),
                    clock=self.clock, confirm_after=self.confirm_after,
                )
                self._sessions[service].others = lambda: self.others(service)
            return self._sessions[service]

    def use_connection(self, service: Service, connection_id: str | None) -> None:
        if connection_id:
            self.connection_ids[service.value] = connection_id
        else:
            self.connection_ids.pop(service.value, None)
        with self._sessions_lock:
            self._sessions.pop(service, None)

    def use_workspace(self, service: Service, workspace_id: str | None) -> None:
        """Track in another workspace (None: the account's default). Each workspace keeps
        its cache (shown at once when switching back, then brought up to date); the outbox
        stays, and is sent as it was made."""
        if workspace_id:
            self.workspace_ids[service.value] = workspace_id
        else:
            self.workspace_ids.pop(service.value, None)
        with self._sessions_lock:
            self._sessions.pop(service, None)
        with self.store.transaction() as db:
            self.store.switch_workspace(service.value, workspace_id, db)

    def connected(self) -> list[Service]:
        """The services this account tracks on: those with a connection, or `services`
        when set (the demo has both, without connection ids)."""
        if self.services is not None:
            return list(self.services)
        return [s for s in Service if s.value in self.connection_ids]

    def others(self, service: Service) -> list[Session]:
        """The sessions of the other connected services (for a status of both)."""
        return [self.session(s) for s in self.connected() if s is not service]

    def forget_cache(self) -> None:
        """Another account: drop every cached entry, project and id. The outbox stays, held
        (see hold_unsent): made with the old key, it may belong to another account."""
        self.workspace_ids.clear()
        with self._sessions_lock:
            self._sessions.clear()
        for service in Service:
            self._forget(service, None)

    def outbox_mark(self) -> int:
        """Where the outbox ends now (see hold_unsent)."""
        return self.store.last_outbox_seq()

    def hold_unsent(self, title: str, message: str, upto: int) -> int:
        """Changes queued up to `upto` wait for the user instead of going out by themselves
        (shown as refused: Try again sends them, Discard drops them). Returns how many."""
        return self.store.hold_outbox(title, message, upto)

    def forget_service(self, service: Service) -> None:
        """Another account on this service (another connection): its cache goes, the
        outbox stays."""
        with self._sessions_lock:
            self._sessions.pop(service, None)
        self._forget(service, self.workspace_ids.get(service.value))

    def _forget(self, service: Service, workspace_id: str | None) -> None:
        with self.store.transaction() as db:
            self.store.forget_service(service.value, workspace_id, db)

    def close(self) -> None:
        if self.gateway:
            self.gateway.close()
        self.store.close()
