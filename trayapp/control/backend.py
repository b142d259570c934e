"""The account the app works on, from start to quit: the user's (the Maton key and the settings)
or the demo (the built-in emulator on loopback, with sample data and a store of its own).

Building a Backend opens the store and, for the demo, starts the emulator; it sends nothing.
A new key, removing the key, or leaving the demo means a new Backend; one for another Maton
account than the settings were made with forgets that account's connections and cache.
Qt-free: the app and the one-shot command line both use it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import logs
from .. import secrets as keystore
from ..config import Config, gateway_url
from ..core import errors as e
from ..core.models import Connection, Service, Workspace
from ..paths import store_path
from .accounts import ENV_HINT, adopt, claim, fingerprint
from .notices import Notice

if TYPE_CHECKING:
    from ..api.connections import Connections
    from ..emulator import EmulatorServer
    from ..sync.account import Account

log = logging.getLogger(__name__)

DEMO_KEY = "demo-key"


def read_key() -> tuple[str | None, e.TrackerError | None]:
    """The Maton key (environment first, then the keyring), or why it cannot be read."""
    try:
        return keystore.get_key(), None
    except e.KeyringUnavailable as exc:
        return None, exc


def checked_gateway_url() -> str:
    """The gateway address, or a typed error naming the variable that holds a bad one."""
    try:
        return gateway_url()
    except ValueError as exc:
        raise e.SetupError(f"TRAYAPP_GATEWAY_URL: {exc}") from None


class Backend:
    def __init__(self, config: Config, key: str | None, *, demo: bool,
                 path: Path | None = None, give_up_after: float | None = None) -> None:
        from ..sync.account import Account  # the HTTP stack: only once it is needed

        self.config = config
        self.demo = demo
        self.server: EmulatorServer | None = None
        other_account = False
        if demo:
            from ..emulator import Emulator, serve

            self.server = serve(Emulator(api_key=DEMO_KEY, seed=True), "127.0.0.1", 0)
            base_url, key = self.server.base_url, DEMO_KEY
            path = path or store_path(demo=True)
            path.unlink(missing_ok=True)  # the demo starts fresh, like its emulator
            connections: dict[str, str] = {}
            workspaces: dict[str, str] = {}
        else:
            base_url = checked_gateway_url()
            path = path or store_path()
            # Another key than the settings were made with: their connections and workspaces
            # are not used until Maton accepts this key and says which it has (`adopt`).
            other_account = key is not None and config.account not in (None, fingerprint(key))
            if key is not None and config.account is None and config.connections:
                config.account = fingerprint(key)  # settings from before this was recorded
                save_quietly(config)
            connections = {} if other_account else dict(config.connections)
            workspaces = {} if other_account else dict(config.workspaces)
        self.key = key
        self.other_account = other_account
        logs.REDACT.secrets.add(key or "")
        hint = ENV_HINT if keystore.from_environment() and not demo else None
        self.account: Account = Account(key, base_url, path, connections, workspaces,
                                        auth_hint=hint, give_up_after=give_up_after)
        # What is queued now was made with the key the settings belong to (see adopt).
        self._made_before = self.account.outbox_mark() if other_account else 0
        # What the user must be told once it is open (the app: notifications; a one-shot
        # command: a line each on stderr), e.g. that a damaged store was made again.
        rebuilt = self.account.rebuilt
        self.notices = [Notice(rebuilt.title, rebuilt.message)] if rebuilt else []

    @property
    def services(self) -> list[Service]:
        """What can be tracked on: both services in the demo, else the connected ones."""
        if self.demo:
            return list(Service)
        return [] if self.other_account else self.config.connected()

    @property
    def needs_discovery(self) -> bool:
        """No connection known for this key yet: ask Maton which services are connected."""
        return not self.demo and not self.services

    def connections(self) -> Connections:
        """Maton's connections API with this backend's key (asks nothing by itself)."""
        return self.account.connections

    def workspaces(self, service: Service) -> list[Workspace]:
        """The service's workspaces (asks the service once)."""
        return self.account.session(service).tracker.workspaces()

    def adopt(self, connections: Sequence[Connection]) -> dict[Service, Connection | None]:
        """Maton's connections, as just listed (so Maton accepts the key): record the one
        each service uses (the one rule, accounts.adopt) and use them. For another Maton
        account than the settings' before, its settings and cache start clean, and what was
        queued for the old one waits for the user. On the thread that owns the settings."""
        if self.other_account and self.key is not None:
            claim(self.config, self.key)
            self.account.forget_cache()
            self.account.hold_unsent(
                "Made with another Maton key",
                "This change was made while another Maton key was in use. Try again to send "
                "it to the account of the current key, or discard it.", self._made_before)
            self.other_account = False
        found = adopt(self.config, connections)
        self.use_recorded_connections()
        return found

    def wind_up(self, service: Service) -> None:
        """Before `service` is disconnected: send what is waiting and stop a timer running
        there (it could not be stopped from here afterwards). Raises when that cannot be
        done now; the connection must then stay. Asks the service once or three times."""
        session = self.account.session(service)
        snapshot = session.sync(catalog=False)
        if snapshot.running is not None:
            session.stop()
            snapshot = session.flush()
        if snapshot.error is not None or snapshot.pending or snapshot.problems:
            reason = snapshot.error.message if snapshot.error else "changes are still waiting"
            raise e.Conflict(f"{service.title} was not disconnected: its running timer and "
                             f"waiting changes could not be sent first ({reason}). Try again "
                             "when they can.")

    def use_recorded_connections(self) -> None:
        """Sessions made from now on send the connections the settings record."""
        for service in Service:
            self.account.use_connection(service, self.config.connections.get(service.value))

    def chosen_workspaces(self) -> dict[Service, str | None]:
        """The workspace the settings choose per service (None: the account's default), read
        on the thread that owns the settings; `use_workspaces` applies them."""
        return {s: self.config.workspaces.get(s.value) for s in self.services}

    @staticmethod
    def use_workspaces(account: Account, chosen: dict[Service, str | None]) -> None:
        """Switch to the chosen workspaces where another is in use (on the thread that sends:
        each switch drops that workspace's cache; unsent changes stay)."""
        for service, workspace_id in chosen.items():
            if account.workspace_ids.get(service.value) != workspace_id:
                account.use_workspace(service, workspace_id)

    def abort(self) -> None:
        """Abort a request in flight (it may wait up to its time-out): its action stays in
        the outbox, and the thread that sent it can finish at once."""
        if self.account.gateway is not None:
            self.account.gateway.close()

    def close(self) -> None:
        """Close the client, the store and the demo server. Safe to repeat."""
        self.abort()
        self.account.close()
        if self.server is not None:
            self.server.close()
            self.server = None


def save_quietly(config: Config) -> None:
    """Save the settings; a failure is logged (the app keeps them in memory)."""
    try:
        config.save()
    except OSError as exc:
        log.warning("settings not saved: %s", exc.strerror or exc)
