"""Accounts: one row per service with its state and what can be done from there (Connect,
Cancel a sign-in in progress, Disconnect). The rules (which connection is used, how a sign-in
is polled and given up) are control's; this section renders them and asks for them."""

from __future__ import annotations

import enum
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from ...config import Config
from ...control import accounts
from ...control.accounts import ConnectionsApi, SignIn, SignIns, SignInState
from ...core import errors as e
from ...core.models import Connection, ConnectionStatus, Service
from .common import ERROR_COLOR, MUTED_COLOR, OK_COLOR, Confirm, Opener, Runner

Adopt = Callable[[Sequence[Connection]], Mapping[Service, Connection | None]]
#: Maton's connections -> a row per connection: service, connection_id, status, account,
#: workspace, current (as `trayapp accounts --json`). Asks each service (the worker runs it).
Details = Callable[[list[Connection]], list[dict[str, Any]]]


def account_details(backend: Any, connections: list[Connection]) -> list[dict[str, Any]]:
    """Each connection with the account it reaches (control's `accounts` rows)."""
    from ...control.connections import account_rows

    return account_rows(backend, connections)


def use_connection(backend: Any, service: Service) -> None:
    """The service's requests carry the connection chosen in the settings from now on."""
    from ...control.connections import use_chosen_connection

    use_chosen_connection(backend, service)


def choose(config: Config, service: Service, connection_id: str,
           connections: list[Connection]) -> bool:
    from ...control.connections import choose_connection

    return choose_connection(config, service, connection_id, connections)


Link = tuple[str, str]  # (address, the words shown for it)


def anchor(url: str, words: str) -> str:
    """A link for a rich-text label: address and words escaped (they come from Maton)."""
    return f" <a href=\"{html.escape(url)}\">{html.escape(words)}</a>"


class RowState(enum.Enum):
    CHECKING = "checking"  # asking Maton
    CONNECTED = "connected"
    UNCHECKED = "unchecked"  # connected as far as the settings know; Maton not reachable
    NOT_CONNECTED = "not connected"
    WAITING = "waiting"  # a browser sign-in is in progress
    FAILED = "failed"
    BUSY = "busy"  # starting a sign-in or disconnecting
    DEMO = "demo"


@dataclass
class Row:
    """One service's line: what each state shows is decided in one place (`render`)."""

    status: QLabel
    connect: QPushButton
    disconnect: QPushButton
    cancel: QPushButton
    who: QLabel  # the account it reaches and its workspace
    choice: QComboBox  # which connection, when the service has several
    state: RowState = RowState.CHECKING
    shown: tuple[RowState, str, str | None, Link | None] = (RowState.CHECKING, "", None, None)

    def render(self, state: RowState, text: str, color: str | None = None,
               link: Link | None = None) -> None:
        """`text` is plain (it may quote Maton); `link` (address, words) follows it."""
        self.state, self.shown = state, (state, text, color, link)
        colors = {RowState.CONNECTED: OK_COLOR, RowState.FAILED: ERROR_COLOR,
                  RowState.UNCHECKED: MUTED_COLOR, RowState.DEMO: MUTED_COLOR}
        self.status.setStyleSheet(f"color: {color or colors.get(state, '')};")
        self.status.setText(html.escape(text) + (anchor(*link) if link else ""))
        can_connect = state in (RowState.NOT_CONNECTED, RowState.FAILED)
        self.connect.setVisible(can_connect or state is RowState.CHECKING)
        self.connect.setEnabled(can_connect)
        self.connect.setText("Try again" if state is RowState.FAILED else "Connect")
        self.disconnect.setVisible(state in (RowState.CONNECTED, RowState.UNCHECKED))
        self.disconnect.setEnabled(True)
        self.cancel.setVisible(state is RowState.WAITING)


class AccountsSection(QGroupBox):
    changed = Signal()  # the settings record other connections (already saved)
    listed = Signal()  # Maton said which connections there are (the rows show it)
    problem = Signal(object)  # TrackerError | str | None: for the window's status line

    def __init__(self, config: Config, run: Runner, connections: Callable[[], ConnectionsApi],
                 *, adopt: Adopt, wind_up: Callable[[Service], None], demo: bool,
                 opener: Opener, confirm: Confirm, save: Callable[[], bool],
                 poll_interval_ms: int, sign_in_timeout_s: float,
                 details: Details | None = None,
                 switch: Callable[[Service], None] | None = None) -> None:
        super().__init__("Accounts")
        self.config = config
        self._run = run
        self._connections = connections
        self._adopt = adopt  # Maton's list -> the connection each service uses (settings)
        self._wind_up = wind_up  # before a disconnect: stop its timer, send what waits
        self.demo = demo
        self._open = opener
        self._confirm = confirm
        self._save = save
        self._details = details
        self._switch = switch  # after another connection is chosen (the worker runs it)
        self.found: list[Connection] = []  # Maton's list, as last asked
        self.sign_ins = SignIns(connections, timeout=sign_in_timeout_s)
        self._waits: dict[Service, SignIn] = {}
        self._polling: set[Service] = set()  # a check is on its way: never stack another
        self._poll = QTimer(self)
        self._poll.setInterval(poll_interval_ms)
        self._poll.timeout.connect(self._poll_all)
        self.rows: dict[Service, Row] = {}
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        for i, service in enumerate(Service):
            status = QLabel()
            status.setWordWrap(True)
            status.setTextFormat(Qt.TextFormat.RichText)
            status.linkActivated.connect(self._open)
            buttons = QHBoxLayout()
            buttons.setSpacing(6)
            who = QLabel()
            who.setStyleSheet(f"color: {MUTED_COLOR};")
            who.setWordWrap(True)
            who.setTextFormat(Qt.TextFormat.PlainText)
            who.hide()
            choice = QComboBox()
            choice.setToolTip(f"The {service.title} account trayapp uses (sent to Maton as "
                              "Maton-Connection)")
            choice.setAccessibleName(f"{service.title} connection")
            choice.hide()
            choice.activated.connect(lambda _=0, s=service: self.choose_connection(s))
            row = Row(status, QPushButton("Connect"), QPushButton("Disconnect"),
                      QPushButton("Cancel"), who, choice)
            row.connect.setToolTip(f"Sign in to {service.title} in your browser, through Maton")
            row.disconnect.setToolTip(f"Remove the {service.title} connection from Maton")
            row.cancel.setToolTip("Stop waiting for the browser sign-in")
            row.connect.clicked.connect(lambda _=False, s=service: self.connect_service(s))
            row.disconnect.clicked.connect(lambda _=False, s=service: self.disconnect_service(s))
            row.cancel.clicked.connect(lambda _=False, s=service: self.cancel(s))
            for button in (row.connect, row.disconnect, row.cancel):
                buttons.addWidget(button)
            grid.addWidget(QLabel(f"<b>{service.title}</b>"), i, 0)
            column = QVBoxLayout()
            column.setSpacing(4)
            column.addWidget(status)
            column.addWidget(who)
            column.addWidget(choice)
            grid.addLayout(column, i, 1)
            grid.addLayout(buttons, i, 2)
            self.rows[service] = row
            row.render(RowState.CHECKING, "Checking…")

    def state(self, service: Service) -> RowState:
        return self.rows[service].state

    def status_text(self, service: Service) -> str:
        return self.rows[service].status.text()

    def _settled(self, service: Service) -> bool:
        """No sign-in or disconnect owns this row right now."""
        return service not in self._waits and self.rows[service].state is not RowState.BUSY

    # -- the list of connections -------------------------------------------------------------
    def refresh(self) -> None:
        """Ask Maton once for the connections and show what each service uses."""
        if self.demo:
            # The demo's accounts are the emulator's: never adopt them into the settings.
            for row in self.rows.values():
                row.render(RowState.DEMO, "Demo account with sample data; your own "
                                          "accounts are not touched.")
            return
        self._run(lambda: self._connections().list(), self._listed, self._list_failed,
                  "settings.connections")

    def _listed(self, connections: list[Connection]) -> None:
        self.problem.emit(None)
        before = (dict(self.config.connections), self.config.service)
        found = self._adopt(connections)
        for service, conn in found.items():
            if self._settled(service):
                self._show(service, conn)
        if (self.config.connections, self.config.service) != before and self._save():
            self.changed.emit()
        self.listed.emit()
        self.found = list(connections)
        if self._details is not None and connections:
            details = self._details
            self._run(lambda: details(connections), self.show_details, lambda _: None,
                      "settings.accounts")

    # -- which account each connection reaches ------------------------------------------------
    def show_details(self, rows: list[dict[str, Any]]) -> None:
        """Each service's account and workspace; a choice when it has several connections."""
        for service, row in self.rows.items():
            mine = [r for r in rows if r.get("service") == service.value]
            current = next((r for r in mine if r.get("current")), None)
            if current is None or not self._settled(service):
                row.who.hide()
                row.choice.hide()
                continue
            parts = [f"Account: {current.get('account') or 'unknown'}"]
            if current.get("workspace"):
                parts.append(f"Workspace: {current['workspace']}")
            if current.get("status") not in (None, "ACTIVE"):
                parts.append(f"Maton says {current['status']}")
            row.who.setText(" · ".join(parts))
            row.who.show()
            row.choice.clear()
            for r in mine:
                who = r.get("account") or "unknown account"
                state = "" if r.get("status") == "ACTIVE" else f" ({r.get('status')})"
                row.choice.addItem(f"{who}{state} · connection {str(r['connection_id'])[:8]}",
                                   r["connection_id"])
            row.choice.setCurrentIndex(max(0, row.choice.findData(current["connection_id"])))
            row.choice.setVisible(len(mine) > 1)

    def choose_connection(self, service: Service) -> None:
        """The user picked another of the service's connections: used from now on."""
        connection_id = self.rows[service].choice.currentData()
        if not connection_id:
            return
        try:
            changed = choose(self.config, service, str(connection_id), self.found)
        except e.TrackerError as exc:
            self.problem.emit(exc)
            return
        if not changed or not self._save():
            return
        switch = self._switch

        def switched(_: object = None) -> None:
            self.changed.emit()
            self.refresh()

        if switch is None:
            switched()
        else:
            self._run(lambda: switch(service), switched, self.problem.emit,
                      f"settings.choose.{service.value}")

    def _show(self, service: Service, conn: Connection | None) -> None:
        row = self.rows[service]
        if conn is None:
            row.render(RowState.NOT_CONNECTED, "Not connected")
        elif conn.status is ConnectionStatus.ACTIVE:
            row.render(RowState.CONNECTED, "Connected")
        elif conn.status is ConnectionStatus.FAILED:
            row.render(RowState.FAILED, "Failed: connect again to sign in anew.")
        else:
            row.render(RowState.NOT_CONNECTED, "Sign-in not finished")

    def _list_failed(self, error: e.TrackerError) -> None:
        for service, row in self.rows.items():
            if self._settled(service):
                if service.value in self.config.connections:
                    row.render(RowState.UNCHECKED, "Connected (not checked)")
                else:
                    row.render(RowState.NOT_CONNECTED, "Not connected", MUTED_COLOR)
        if isinstance(error, e.AuthError):
            self.problem.emit("Save a working Maton API key to see and connect your accounts. "
                              f"({error.message})")
        else:
            self.problem.emit(error)

    # -- signing in ---------------------------------------------------------------------------
    def connect_service(self, service: Service) -> None:
        if service in self._waits or self.demo:
            return
        self.rows[service].render(RowState.BUSY, "Starting sign-in…")
        self.problem.emit(None)

        def failed(error: e.TrackerError) -> None:
            self.rows[service].render(RowState.NOT_CONNECTED, "Not connected")
            self.problem.emit(error)

        self._run(lambda: self.sign_ins.begin(service), self._begun, failed,
                  f"settings.connect.{service.value}")

    def _begun(self, sign_in: SignIn) -> None:
        self._waits[sign_in.service] = sign_in
        row = self.rows[sign_in.service]
        if self._open(sign_in.url):
            row.render(RowState.WAITING, "Waiting for sign-in in your browser…",
                       link=(sign_in.url, "Open the page again"))
        else:
            row.render(RowState.WAITING, "Your browser did not open. Open this page to sign in:",
                       link=(sign_in.url, sign_in.url))
        self._poll.start()

    def _poll_all(self) -> None:
        for service, sign_in in list(self._waits.items()):
            if service in self._polling:
                continue  # a slow answer must not be made stale by the next tick, forever
            self._polling.add(service)
            self._run(partial(self.sign_ins.poll, sign_in), self._polled,
                      partial(self._poll_failed, service), f"settings.poll.{service.value}")

    def _polled(self, sign_in: SignIn) -> None:
        service = sign_in.service
        self._polling.discard(service)
        current = self._waits.get(service)
        if current is None or current.connection_id != sign_in.connection_id:
            return  # cancelled meanwhile
        row = self.rows[service]
        if sign_in.state is SignInState.WAITING:
            self._waits[service] = sign_in
            if sign_in.unreachable:
                row.render(RowState.WAITING, "Waiting for sign-in in your browser… (Maton "
                           "cannot be reached right now; still trying)",
                           link=(sign_in.url, "Open the page again"))
            return
        self._end(service)
        if sign_in.state is SignInState.ACTIVE:
            self._connected(sign_in)
        elif sign_in.state is SignInState.TIMED_OUT and sign_in.error is not None:
            row.render(RowState.FAILED, f"{sign_in.error.message} Try again.")
        else:
            row.render(RowState.FAILED, "Sign-in failed. Try again.")

    def _connected(self, sign_in: SignIn) -> None:
        accounts.record_connection(self.config, sign_in.service, sign_in.connection_id)
        self.rows[sign_in.service].render(RowState.CONNECTED, "Connected")
        if self._save():
            self.changed.emit()

    def _poll_failed(self, service: Service, error: e.TrackerError) -> None:
        self._polling.discard(service)
        if service in self._waits:
            self._end(service)
            self.rows[service].render(RowState.FAILED, "Could not check the sign-in.")
            self.problem.emit(error)

    def _end(self, service: Service) -> SignIn | None:
        sign_in = self._waits.pop(service, None)
        if not self._waits:
            self._poll.stop()
        return sign_in

    def cancel(self, service: Service) -> None:
        sign_in = self._end(service)
        if sign_in is None:
            return
        self.rows[service].render(RowState.NOT_CONNECTED, "Not connected")

        def done(result: SignIn) -> None:
            # Signed in just before the cancel (and not connecting again meanwhile).
            if result.state is SignInState.ACTIVE and service not in self._waits:
                self._connected(result)

        self._run(lambda: self.sign_ins.cancel(sign_in), done, lambda _: None,
                  f"settings.cancel.{service.value}")

    def cancel_all(self) -> None:
        for service in list(self._waits):
            self.cancel(service)

    # -- disconnecting ------------------------------------------------------------------------
    def disconnect_service(self, service: Service) -> None:
        cid = self.config.connections.get(service.value)
        row = self.rows[service]
        if not cid:
            row.render(RowState.NOT_CONNECTED, "Not connected")
            return
        question = (f"trayapp will stop a timer running on {service.title}, send what is "
                    "waiting, and remove the connection from your Maton account. Time already "
                    f"tracked stays in {service.title}.")
        if not self._confirm(self, f"Disconnect {service.title}?", question):
            return
        previous = row.shown
        row.render(RowState.BUSY, "Disconnecting…")

        def done(_: object) -> None:
            accounts.forget_connection(self.config, service, cid)
            row.render(RowState.NOT_CONNECTED, "Not connected")
            if self._save():
                self.changed.emit()

        def failed(error: e.TrackerError) -> None:
            row.render(*previous)
            self.problem.emit(error)

        def disconnect(_: object = None) -> None:
            self._run(lambda: self.sign_ins.disconnect(cid), done, failed,
                      f"settings.disconnect.{service.value}")

        def not_wound_up(error: e.TrackerError) -> None:
            # E.g. the service no longer accepts the connection, or a change it refused
            # waits: the user may still want it gone, knowing what stays behind.
            question = (f"{error.message}\n\nDisconnect anyway? A timer still running on "
                        f"{service.title} keeps running there, and changes not sent to it wait "
                        "until it is connected again.")
            if self._confirm(self, f"Disconnect {service.title} anyway?", question):
                disconnect()
            else:
                failed(error)

        self._run(lambda: self._wind_up(service), disconnect, not_wound_up,
                  f"settings.wind-up.{service.value}")

    def connected(self) -> Sequence[Service]:
        return [s for s, row in self.rows.items()
                if row.state in (RowState.CONNECTED, RowState.UNCHECKED)]
