"""The Accounts commands (`accounts`, `connect`, `disconnect`, `workspace`) and the choice of
connection, for the command line and the Settings window alike. The rules themselves (which
connection a service uses, how a sign-in is polled) live in accounts.py; this module puts them
together with a Backend. Qt-free; everything that asks Maton or a service blocks (the app
runs it on its network worker). Changing the settings is separate (`choose_connection`,
`record_connection`...): the app does that on the thread that owns them.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from ..config import Config
from ..core import errors as e
from ..core.models import Connection, ConnectionStatus, Service, Workspace
from .accounts import (
    SignIn,
    SignIns,
    SignInState,
    choose_workspace,
    current_connection,
    forget_connection,
    record_connection,
)
from .backend import Backend, save_quietly


def command_backend(long_wait: bool = False) -> Backend:
    """The Backend a command line `accounts`, `connect`, `disconnect` or `workspace` works
    with (the key, the settings); each request within the command's deadline unless
    `long_wait` (a sign-in). SetupError when there is no key."""
    from ..api.gateway import COMMAND_DEADLINE
    from .backend import read_key
    from .oneshot import NO_KEY

    key, problem = read_key()
    if problem is not None:
        raise problem
    if not key:
        raise e.SetupError(NO_KEY)
    return Backend(Config.load(), key, demo=False,
                   give_up_after=None if long_wait else COMMAND_DEADLINE)


def choose_connection(config: Config, service: Service, connection_id: str,
                      connections: list[Connection] | None = None) -> bool:
    """Use `connection_id` for `service` from now on: it is sent as `Maton-Connection` on
    every request of that service (the Settings window's choice when a service has several
    connections). `connections`: Maton's list, to check that it is one of that service's.
    Settings only (the GUI thread); then `Backend.use_recorded_connections()` on the thread
    that sends. True if it changed."""
    if connections is not None and not any(c.id == connection_id and c.app == service.value
                                           for c in connections):
        raise e.NotFound(f"Maton has no {service.title} connection {connection_id}.")
    if config.connections.get(service.value) == connection_id:
        return False
    record_connection(config, service, connection_id)
    config.workspaces.pop(service.value, None)  # another account: its default workspace
    return True


def use_chosen_connection(backend: Backend, service: Service) -> None:
    """After `choose_connection` (on the thread that sends): the service's requests carry
    the chosen connection, and what was cached from the other account is forgotten (changes
    not yet sent stay)."""
    backend.use_recorded_connections()
    backend.account.use_workspace(service, backend.config.workspaces.get(service.value))
    backend.account.forget_service(service)


def _created(conn: Connection) -> float:
    return conn.created.timestamp() if conn.created else 0.0


def account_rows(backend: Backend, connections: list[Connection] | None = None
                 ) -> list[dict[str, Any]]:
    """`accounts --json` (DESIGN.md): each Maton connection of either service, oldest first,
    with `service`, `connection_id`, `status` (Maton's), `account` (name or email, from the
    service's user call), `workspace` (the one tracked in, else the account's default; name),
    `current` (the connection trayapp uses). An active connection costs two requests (the
    user, the workspaces); a failing one shows null for what it could not tell."""
    from ..api.trackers import make_tracker

    found = connections if connections is not None else backend.connections().list()
    gateway = backend.account.gateway
    rows: list[dict[str, Any]] = []
    for service in Service:
        chosen = backend.config.connections.get(service.value)
        current = current_connection(found, service, chosen)
        for conn in sorted((c for c in found if c.app == service.value), key=_created):
            account = workspace = None
            if conn.status is ConnectionStatus.ACTIVE and gateway is not None:
                tracker = make_tracker(service, gateway, conn.id)
                try:
                    me = tracker.me()
                    account = me.name or me.email or None
                    wanted = (backend.config.workspaces.get(service.value)
                              if current is not None and conn.id == current.id else None)
                    spaces = tracker.workspaces()
                    wid = wanted or me.default_workspace_id
                    named = next((w for w in spaces if w.id == wid), spaces[0] if spaces else None)
                    workspace = named.name if named else None
                except e.TrackerError:
                    pass  # shown as unknown; `status` says what is wrong
            rows.append({"service": service.value, "connection_id": conn.id,
                         "status": conn.status.value, "account": account,
                         "workspace": workspace,
                         "current": current is not None and conn.id == current.id})
    return rows


def accounts_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No accounts are connected: `trayapp connect toggl-track` (or clockify)."
    lines = []
    for row in rows:
        title = Service(row["service"]).title
        parts = [("* " if row["current"] else "  ") + title, row["account"] or "(unknown account)"]
        if row["workspace"]:
            parts.append(f"workspace {row['workspace']}")
        parts.append(row["status"])
        parts.append(row["connection_id"])
        lines.append("  ·  ".join(parts))
    if any(r["current"] for r in rows):
        lines.append("* the connection trayapp uses")
    return "\n".join(lines)


def connect(backend: Backend, service: Service, show: Callable[[str], None],
            open_page: Callable[[str], object], sign_ins: SignIns | None = None) -> SignIn:
    """`trayapp connect SERVICE`: a new Maton connection; `show(url)` first (the sign-in
    page, the command's first line), then `open_page(url)` (the browser, where there is
    one), then wait until it is active (at most SignIns.timeout; Ctrl+C cancels; either way
    the pending connection is deleted). Active: the service uses it from now on (the
    settings are saved). Returns the finished sign-in."""
    sign_ins = sign_ins or SignIns(backend.connections)
    sign_in = sign_ins.begin(service)
    try:
        show(sign_in.url)
        open_page(sign_in.url)
    except KeyboardInterrupt:
        return sign_ins.cancel(sign_in)
    done = sign_ins.wait(sign_in)
    if done.state is SignInState.ACTIVE:
        record_connection(backend.config, service, done.connection_id)
        save_quietly(backend.config)
    return done


def disconnect(backend: Backend, service: Service) -> str:
    """`trayapp disconnect SERVICE`: send what waits and stop a timer running there first
    (Backend.wind_up), then delete the Maton connection the app uses for it. Returns the
    connection's id."""
    conn_id = backend.config.connections.get(service.value)
    if conn_id is None:
        found = current_connection(backend.connections().list(), service, None)
        if found is None:
            raise e.NoConnection(f"{service.title} is not connected.")
        conn_id = found.id
        backend.account.use_connection(service, conn_id)
    backend.wind_up(service)
    SignIns(backend.connections).disconnect(conn_id)
    forget_connection(backend.config, service, conn_id)
    save_quietly(backend.config)
    return conn_id


def disconnect_question(service: Service, account: str | None = None) -> str:
    """What to ask before a disconnect (the terminal and the Settings window)."""
    who = f" ({account})" if account else ""
    return (f"Disconnect {service.title}{who}? A timer running there is stopped and waiting "
            "changes are sent first; the Maton connection is deleted, so signing in again is "
            "needed to track there.")


def current_workspace(backend: Backend, service: Service) -> tuple[Workspace, list[Workspace]]:
    """The workspace tracked in, and all of the account's (one or two requests)."""
    session = backend.account.session(service)
    wid = session.prepare()
    spaces = session.tracker.workspaces()
    here = next((w for w in spaces if w.id == wid), None)
    return here or Workspace(wid, wid), spaces


def switch_workspace(backend: Backend, service: Service, name: str) -> Workspace:
    """`trayapp workspace NAME`: track in that workspace (exact, case-insensitive name).
    Unsent changes are kept and sent as made; each workspace keeps its cache."""
    here, spaces = current_workspace(backend, service)
    wanted = name.strip().casefold()
    match = [w for w in spaces if w.name.casefold() == wanted]
    if not match:
        names = [w.name for w in spaces]
        close = difflib.get_close_matches(name.strip(), names, n=3, cutoff=0.5) or names[:5]
        raise e.NotFound(f"No workspace named “{name.strip()}”. "
                         f"{service.title} has {', '.join(f'“{n}”' for n in close)}.")
    if len(match) > 1:
        raise e.BadRequest(f"Several workspaces are named “{name.strip()}”: rename one on "
                           f"{service.title} first.")
    chosen = match[0]
    if chosen.id != here.id:
        choose_workspace(backend.config, service, chosen.id)
        save_quietly(backend.config)
        backend.account.use_workspace(service, chosen.id)
    return chosen
