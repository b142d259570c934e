"""The settings window: the Maton key, connected accounts, where to track, behaviour.

Every network call goes through the worker; this window only renders answers. Connecting an
account opens Maton's sign-in page in the browser and polls the new connection every couple of
seconds until it is ACTIVE or FAILED, the user cancels, or it times out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QIcon,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .. import secrets
from ..api.connections import Connections
from ..api.gateway import Gateway
from ..config import LEFT_CLICK_ACTIONS, Config
from ..config import gateway_url as config_gateway_url
from ..core import errors as e
from ..core.models import Connection, ConnectionStatus, Service, Workspace
from ..platform import autostart
from . import browser

SERVICES = (Service.TOGGL, Service.CLOCKIFY)
KEY_PAGE = "https://maton.ai/settings"
OK_COLOR = "#1a7f37"
ERROR_COLOR = "#d1242f"
MUTED_COLOR = "#6e7781"
NO_KEYRING = "no keyring available"  # what secrets.backend_name() says then

Opener = Callable[[str], bool]
Confirm = Callable[[QWidget, str, str], bool]


def open_url(url: str) -> bool:
    """Open a page in the browser; tests replace this (or pass `opener=`)."""
    return browser.open_url(url)


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask yes/no; tests replace this (or pass `confirm=`)."""
    answer = QMessageBox.question(
        parent, title, text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def check_key(key: str, base_url: str) -> list[Connection]:
    """Runs on the worker: list the connections with a throw-away client for the typed key."""
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        # httpx would refuse the header with an error quoting it; never let the key into text.
        raise e.AuthError("That does not look like a Maton API key (it contains spaces or "
                          "unusual characters).")
    gateway = Gateway(key, base_url, max_retries=1)
    try:
        return Connections(gateway).list()
    finally:
        gateway.close()


def _span(seconds: float) -> str:
    """300 -> '5 minutes', 0.4 -> '1 second'."""
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    n = max(1, round(seconds))
    return f"{n} second{'' if n == 1 else 's'}"


def _eye_icon(crossed: bool, color: QColor) -> QIcon:
    """The show/hide glyph for the key field, drawn so it exists without an icon theme."""
    icon = QIcon()
    for size in (16, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(color, size / 14))
        s = size
        path = QPainterPath(QPointF(s * 0.08, s * 0.5))
        path.quadTo(QPointF(s * 0.5, s * 0.08), QPointF(s * 0.92, s * 0.5))
        path.quadTo(QPointF(s * 0.5, s * 0.92), QPointF(s * 0.08, s * 0.5))
        p.drawPath(path)
        p.setBrush(color)
        p.drawEllipse(QRectF(s * 0.38, s * 0.38, s * 0.24, s * 0.24))
        if crossed:
            p.drawLine(QPointF(s * 0.15, s * 0.85), QPointF(s * 0.85, s * 0.15))
        p.end()
        icon.addPixmap(pixmap)
    return icon


@dataclass
class _Row:
    """One service's line in the Accounts section."""

    status: QLabel
    connect: QPushButton
    disconnect: QPushButton
    cancel: QPushButton
    # unknown | connected | not_connected | waiting | failed | busy | demo
    state: str = "unknown"


@dataclass
class _Wait:
    """A sign-in in progress: the new connection, polled until it settles."""

    connection_id: str
    url: str
    poll: QTimer
    deadline: QTimer
    previous: tuple[str, str]  # the row's (state, text) to restore on cancel
    polling: bool = False  # a poll is on the worker: never stack another behind it


class SettingsWindow(QWidget):
    key_changed = Signal(str)  # a key was saved: the app re-creates the gateway
    connections_changed = Signal()  # config.connections changed
    config_changed = Signal()  # something was saved to config
    demo_requested = Signal()

    def __init__(
        self,
        worker: Any,
        config: Config,
        parent: QWidget | None = None,
        *,
        poll_interval_ms: int = 2000,
        connect_timeout_s: float = 300.0,
        opener: Opener | None = None,
        confirm: Confirm | None = None,
        gateway_url: str | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.worker = worker
        self.config = config
        self.poll_interval_ms = poll_interval_ms
        self.connect_timeout_s = connect_timeout_s
        self._opener = opener
        self._confirm = confirm
        self.demo = demo
        if gateway_url is None and demo:
            # The worker talks to the built-in emulator: test a real key on the real gateway.
            with contextlib.suppress(ValueError):  # a bad TRAYAPP_GATEWAY_URL: the test says so
                gateway_url = config_gateway_url()
        self._gateway_url = gateway_url  # None: the worker account's gateway
        self._rows: dict[Service, _Row] = {}
        self._waits: dict[Service, _Wait] = {}
        self._workspaces: dict[Service, list[Workspace] | e.TrackerError] = {}
        self._workspaces_loading = False
        self._key_dirty = False
        self._list_error = False  # the status line shows a failed connections refresh
        self._updating = False  # filling widgets from config must not save back

        self.setWindowTitle("trayapp Settings")
        self._build()
        self.resize(600, 720)
        self._load_key()
        self._load_behaviour()
        self._render_tracking()

    # == layout ====================================================================================
    def _build(self) -> None:
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(16, 16, 16, 16)
        body.setSpacing(14)
        body.addWidget(self._build_welcome())
        body.addWidget(self._build_key())
        body.addWidget(self._build_accounts())
        body.addWidget(self._build_tracking())
        body.addWidget(self._build_behaviour())
        body.addStretch(1)
        self._body = body

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_line.setStyleSheet(f"color: {ERROR_COLOR};")
        self.status_line.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(16, 0, 16, 12)
        bottom.addWidget(self.status_line, 1)
        bottom.addWidget(close, 0, Qt.AlignmentFlag.AlignBottom)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addWidget(scroll, 1)
        outer.addLayout(bottom)

    def _build_welcome(self) -> QWidget:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setAutoFillBackground(True)
        frame.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        text = QLabel(
            "<b>Welcome to trayapp.</b> It tracks time on Toggl Track and Clockify through "
            "<b>Maton</b>, a gateway that holds your sign-ins so trayapp never sees your "
            "passwords.<ol style='margin-left:-20px'>"
            f"<li>Get a Maton API key at <a href='{KEY_PAGE}'>maton.ai/settings</a> and paste "
            "it below.</li>"
            "<li>Under <i>Accounts</i>, press <i>Connect</i>: you sign in to Toggl Track or "
            "Clockify in your browser.</li></ol>"
            "Not ready yet? The demo runs on sample data, with no account needed."
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.linkActivated.connect(self._open)
        self.demo_button = QPushButton("Try the demo")
        self.demo_button.setToolTip("Explore trayapp with sample projects and entries")
        self.demo_button.clicked.connect(self.demo_requested.emit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.demo_button)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(text)
        layout.addLayout(row)
        frame.hide()
        self.welcome = frame
        return frame

    def _build_key(self) -> QWidget:
        box = QGroupBox("Maton API key")
        self.key_edit = QLineEdit(placeholderText="Paste your Maton API key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setToolTip(f"Find your key at {KEY_PAGE}")
        self.key_edit.textEdited.connect(self._key_edited)
        self.key_edit.returnPressed.connect(self.save_key)
        color = self.palette().text().color()
        self._eye_open, self._eye_shut = _eye_icon(False, color), _eye_icon(True, color)
        self.reveal_action = QAction(self._eye_open, "Show key", self)
        self.reveal_action.setCheckable(True)
        self.reveal_action.setToolTip("Show the key")
        self.reveal_action.toggled.connect(self._reveal)
        self.key_edit.addAction(self.reveal_action, QLineEdit.ActionPosition.TrailingPosition)

        self.save_key_button = QPushButton("&Save")
        self.save_key_button.setToolTip("Store the key in the system keyring")
        self.save_key_button.clicked.connect(self.save_key)
        self.test_key_button = QPushButton("&Test")
        self.test_key_button.setToolTip("Check the key with Maton (lists your connections)")
        self.test_key_button.clicked.connect(self.test_key)
        self.key_where = QLabel()
        self.key_where.setWordWrap(True)
        self.key_where.setStyleSheet(f"color: {MUTED_COLOR};")
        self.key_result = QLabel()
        self.key_result.setWordWrap(True)
        self.key_result.hide()

        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.save_key_button)
        row.addWidget(self.test_key_button)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(self.key_where)
        layout.addWidget(self.key_result)
        return box

    def _build_accounts(self) -> QWidget:
        box = QGroupBox("Accounts")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        for i, service in enumerate(SERVICES):
            name = QLabel(f"<b>{service.title}</b>")
            status = QLabel("Checking…")
            status.setWordWrap(True)
            status.setTextFormat(Qt.TextFormat.RichText)
            status.linkActivated.connect(self._open)
            connect = QPushButton("Connect")
            connect.setToolTip(f"Sign in to {service.title} in your browser, through Maton")
            connect.clicked.connect(lambda _=False, s=service: self.connect_service(s))
            disconnect = QPushButton("Disconnect")
            disconnect.setToolTip(f"Remove the {service.title} connection from Maton")
            disconnect.clicked.connect(lambda _=False, s=service: self.disconnect_service(s))
            cancel = QPushButton("Cancel")
            cancel.setToolTip("Stop waiting for the browser sign-in")
            cancel.clicked.connect(lambda _=False, s=service: self.cancel_connect(s))
            buttons = QHBoxLayout()
            buttons.setSpacing(6)
            for b in (connect, disconnect, cancel):
                buttons.addWidget(b)
            grid.addWidget(name, i, 0)
            grid.addWidget(status, i, 1)
            grid.addLayout(buttons, i, 2)
            self._rows[service] = _Row(status, connect, disconnect, cancel)
            self._set_row(service, "unknown", "Checking…")
        return box

    def _build_tracking(self) -> QWidget:
        box = QGroupBox("Tracking")
        form = QFormLayout(box)
        form.setHorizontalSpacing(12)
        self.service_group = QButtonGroup(self)
        self.service_radios: dict[Service, QRadioButton] = {}
        radios = QHBoxLayout()
        for service in SERVICES:
            radio = QRadioButton(service.title)
            self.service_group.addButton(radio)
            self.service_radios[service] = radio
            radio.toggled.connect(lambda on, s=service: on and self._service_chosen(s))
            radios.addWidget(radio)
        radios.addStretch(1)
        self.service_hint = QLabel("Connect both accounts to choose between them.")
        self.service_hint.setStyleSheet(f"color: {MUTED_COLOR};")
        service_box = QVBoxLayout()
        service_box.setSpacing(2)
        service_box.addLayout(radios)
        service_box.addWidget(self.service_hint)
        form.addRow("Track time on:", service_box)
        self.workspace_combos: dict[Service, QComboBox] = {}
        for service in SERVICES:
            combo = QComboBox()
            combo.setMinimumContentsLength(24)
            combo.setToolTip(f"Where new {service.title} timers go")
            combo.currentIndexChanged.connect(lambda _i, s=service: self._workspace_chosen(s))
            self.workspace_combos[service] = combo
            form.addRow(f"{service.title} workspace:", combo)
        self.tracking_form = form
        return box

    def _build_behaviour(self) -> QWidget:
        box = QGroupBox("Behaviour")
        form = QFormLayout(box)
        form.setHorizontalSpacing(12)
        self.left_click_combo = QComboBox()
        for action, label in LEFT_CLICK_ACTIONS.items():
            self.left_click_combo.addItem(label, action)
        self.left_click_combo.setToolTip("What a left click on the tray icon does")
        self.left_click_combo.currentIndexChanged.connect(self._left_click_chosen)
        self.autostart_check = QCheckBox("Start trayapp when I log in")
        self.autostart_check.toggled.connect(self._autostart_toggled)
        form.addRow("Left click on the icon:", self.left_click_combo)
        form.addRow("", self.autostart_check)
        return box

    def add_section(self, widget: QWidget) -> None:
        """A section owned by someone else (the keyboard shortcuts), above the spacer."""
        self._body.insertWidget(self._body.count() - 1, widget)

    # == showing ===================================================================================
    def show_and_raise(self) -> None:
        if self.isVisible():
            self.refresh()  # showEvent will not fire again
        self.show()
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        # Escape closes, as in a dialog (children that use Escape, like popups, take it first).
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.close()
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def refresh(self) -> None:
        """Reflect the real state: key location, autostart, and the connections (one call)."""
        if not self._key_dirty:
            self._load_key()
        self._load_behaviour()
        self.refresh_connections()

    def set_first_launch(self, first: bool) -> None:
        self.welcome.setVisible(first)
        if first and not self.config.welcomed:
            self.config.welcomed = True
            self._save_config(quiet=True)
        if first:
            self.key_edit.setFocus()

    def show_error(self, error: e.TrackerError | str | None) -> None:
        """The last problem, in plain words, at the bottom of the window (None clears it)."""
        self._list_error = False
        if error is None or error == "":
            self.status_line.clear()
            self.status_line.hide()
            return
        text = error if isinstance(error, str) else f"{error.title}: {error.text}"
        self.status_line.setText(text)
        self.status_line.show()

    def _open(self, url: str) -> bool:
        opener = self._opener or open_url  # looked up now, so tests can patch the module
        return bool(opener(url))

    # == key =======================================================================================
    def _load_key(self) -> None:
        env = secrets.from_environment()
        self.key_edit.setEnabled(not env)
        self.save_key_button.setEnabled(not env)
        self.reveal_action.setEnabled(not env)
        if env:
            self.key_edit.clear()
            self.key_edit.setPlaceholderText("Set by the MATON_API_KEY environment variable")
            self.key_where.setText("The key comes from the MATON_API_KEY environment variable; "
                                   "unset it to store a key in the keyring instead.")
            return
        self.key_edit.setPlaceholderText("Paste your Maton API key")
        where = secrets.backend_name()
        if where == NO_KEYRING:
            self.key_where.setText("No usable keyring was found, so a key cannot be saved here. "
                                   "Set the MATON_API_KEY environment variable instead.")
        else:
            self.key_where.setText(f"The key is kept in: {where}")
        try:
            self.key_edit.setText(secrets.get_key() or "")
        except e.KeyringUnavailable as exc:
            self.key_edit.clear()
            self.show_error(exc)
        self._key_dirty = False

    def _key_edited(self) -> None:
        self._key_dirty = True
        self.key_result.hide()

    def _reveal(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)
        self.reveal_action.setIcon(self._eye_shut if shown else self._eye_open)
        self.reveal_action.setToolTip("Hide the key" if shown else "Show the key")

    def _key_message(self, text: str, ok: bool | None) -> None:
        color = {True: OK_COLOR, False: ERROR_COLOR, None: MUTED_COLOR}[ok]
        self.key_result.setStyleSheet(f"color: {color};")
        self.key_result.setText(text)
        self.key_result.show()

    def save_key(self) -> None:
        if secrets.from_environment():
            return
        key = self.key_edit.text().strip()
        if not key:
            self._key_message("Paste a key first.", False)
            return
        try:
            secrets.set_key(key)
        except e.KeyringUnavailable as exc:
            # Never fall back to a file: say what is wrong and what the alternative is.
            text = (f"{exc.title}: {exc.message} trayapp never writes the key to a file. "
                    "Unlock or install a keyring (for example GNOME Keyring or KWallet), or "
                    "set the MATON_API_KEY environment variable before starting trayapp.")
            self._key_message(text, False)
            self.show_error(text)
            return
        self._key_dirty = False
        self._key_message(f"Saved in {secrets.backend_name()}.", True)
        self.show_error(None)
        self.welcome.hide()
        self.key_changed.emit(key)

    def test_key(self) -> None:
        key = self.key_edit.text().strip()
        if not key and secrets.from_environment():
            key = secrets.get_key() or ""
        if not key:
            self._key_message("Paste a key first.", False)
            return
        self._key_message("Testing…", None)
        self.test_key_button.setEnabled(False)
        fixed_url = self._gateway_url

        def run(account: Any) -> list[Connection]:
            return check_key(key, fixed_url or account.base_url)

        def done(connections: list[Connection]) -> None:
            self.test_key_button.setEnabled(True)
            n = len(connections)
            self._key_message(f"Key works ({n} connection{'' if n == 1 else 's'} in your "
                              "Maton account).", True)

        def failed(error: e.TrackerError) -> None:
            self.test_key_button.setEnabled(True)
            self._key_message(f"{error.title}: {error.message}", False)

        self.worker.call(run, done, failed, kind="settings.test-key")

    # == accounts ==================================================================================
    def _set_row(self, service: Service, state: str, text: str, color: str | None = None) -> None:
        row = self._rows[service]
        row.state = state
        colors = {"connected": OK_COLOR, "failed": ERROR_COLOR}
        row.status.setStyleSheet(f"color: {color or colors.get(state, '')};")
        row.status.setText(text)
        row.connect.setVisible(state in ("not_connected", "failed", "unknown"))
        row.connect.setEnabled(state != "unknown")
        row.connect.setText("Try again" if state == "failed" else "Connect")
        row.disconnect.setVisible(state == "connected")
        row.cancel.setVisible(state == "waiting")
        for b in (row.connect, row.disconnect):
            b.setEnabled(b.isEnabled() and state != "busy")

    def status_text(self, service: Service) -> str:
        return self._rows[service].status.text()

    def state(self, service: Service) -> str:
        return self._rows[service].state

    def connected_services(self) -> list[Service]:
        return [s for s in SERVICES if self._rows[s].state == "connected"]

    def refresh_connections(self) -> None:
        if self.demo:
            # The demo's accounts are the emulator's: never adopt them into the real config.
            for service in SERVICES:
                self._set_row(service, "demo", "Demo account with sample data. Save your Maton "
                                               "key to connect your own.", MUTED_COLOR)
            self._render_tracking()
            return
        self.worker.call(lambda a: a.connections.list(), self._listed, self._list_failed,
                         kind="settings.connections")

    def _listed(self, connections: list[Connection]) -> None:
        if self._list_error:  # that problem is over; leave other messages alone
            self._list_error = False
            self.show_error(None)
        changed = False
        for service in SERVICES:
            if service in self._waits or self._rows[service].state == "busy":
                continue  # a sign-in or disconnect in progress owns this row
            mine = [c for c in connections if c.app == service.value]
            by_id = {c.id: c for c in mine}
            current = by_id.get(self.config.connections.get(service.value, ""))
            if current is None:
                # Nothing recorded (or it was deleted elsewhere): use what Maton would use,
                # its oldest ACTIVE connection for the app, so the window tells the truth.
                active = sorted((c for c in mine if c.status is ConnectionStatus.ACTIVE),
                                key=lambda c: (c.created is None, c.created or 0))
                current = active[0] if active else None
                if current is not None:
                    self.config.connections[service.value] = current.id
                    changed = True
                elif self.config.connections.pop(service.value, None) is not None:
                    changed = True
            self._show_connection(service, current)
        if changed:
            self._save_config(connections=True)
        self._render_tracking()
        self.load_workspaces()

    def _show_connection(self, service: Service, conn: Connection | None) -> None:
        if conn is None:
            self._set_row(service, "not_connected", "Not connected")
        elif conn.status is ConnectionStatus.ACTIVE:
            self._set_row(service, "connected", "Connected")
        elif conn.status is ConnectionStatus.FAILED:
            self._set_row(service, "failed", "Failed: connect again to sign in anew.")
        else:
            self._set_row(service, "not_connected", "Sign-in not finished")

    def _list_failed(self, error: e.TrackerError) -> None:
        for service in SERVICES:
            if service not in self._waits and self._rows[service].state != "busy":
                known = service.value in self.config.connections
                self._set_row(service, "connected" if known else "not_connected",
                              "Connected (not checked)" if known else "Not connected",
                              MUTED_COLOR)
        if isinstance(error, e.AuthError):
            self.show_error("Save a working Maton API key to see and connect your accounts. "
                            f"({error.message})")
        else:
            self.show_error(error)
        self._list_error = True
        self._render_tracking()

    def connect_service(self, service: Service) -> None:
        if service in self._waits:
            return
        row = self._rows[service]
        previous = (row.state, row.status.text())
        self._set_row(service, "busy", "Starting sign-in…")
        self.show_error(None)

        def created(conn: Connection) -> None:
            if not conn.url:
                self._set_row(service, *previous)
                self.show_error(e.MalformedResponse("Maton returned no sign-in page to open."))
                return
            self._start_wait(service, conn, previous)

        def failed(error: e.TrackerError) -> None:
            self._set_row(service, *previous)
            self.show_error(error)

        self.worker.call(lambda a: a.connections.create(service), created, failed,
                         kind=f"settings.connect.{service.value}")

    def _start_wait(self, service: Service, conn: Connection, previous: tuple[str, str]) -> None:
        poll = QTimer(self)
        poll.setInterval(self.poll_interval_ms)
        poll.timeout.connect(lambda: self._poll(service))
        deadline = QTimer(self)
        deadline.setSingleShot(True)
        deadline.setInterval(int(self.connect_timeout_s * 1000))
        deadline.timeout.connect(lambda: self._timed_out(service))
        assert conn.url is not None
        self._waits[service] = _Wait(conn.id, conn.url, poll, deadline, previous)
        opened = self._open(conn.url)
        if opened:
            text = ("Waiting for sign-in in your browser… "
                    f"<a href='{conn.url}'>Open the page again</a>")
        else:
            text = ("Your browser did not open. Open this page to sign in: "
                    f"<a href='{conn.url}'>{conn.url}</a>")
        self._set_row(service, "waiting", text)
        poll.start()
        deadline.start()

    def _poll(self, service: Service) -> None:
        wait = self._waits.get(service)
        if wait is None or wait.polling:
            return  # a slow answer must not be made stale by the next tick, forever
        wait.polling = True
        cid = wait.connection_id
        self.worker.call(lambda a: a.connections.get(cid),
                         lambda conn: self._polled(service, cid, conn),
                         lambda err: self._poll_failed(service, cid, err),
                         kind=f"settings.poll.{service.value}")

    def _current_wait(self, service: Service, cid: str) -> _Wait | None:
        wait = self._waits.get(service)
        return wait if wait is not None and wait.connection_id == cid else None

    def _polled(self, service: Service, cid: str, conn: Connection) -> None:
        wait = self._current_wait(service, cid)
        if wait is None:
            return  # cancelled or timed out meanwhile
        wait.polling = False
        if conn.status is ConnectionStatus.ACTIVE:
            self._end_wait(service)
            self.config.connections[service.value] = cid
            self._workspaces.pop(service, None)
            self._set_row(service, "connected", "Connected")
            self._save_config(connections=True)
            self._render_tracking()
            self.load_workspaces()
        elif conn.status is ConnectionStatus.FAILED:
            self._end_wait(service)
            self._set_row(service, "failed", "Sign-in failed. Try again.")

    def _poll_failed(self, service: Service, cid: str, error: e.TrackerError) -> None:
        wait = self._current_wait(service, cid)
        if wait is None:
            return
        wait.polling = False
        if error.transient:  # offline for a moment: keep waiting, say so
            self._rows[service].status.setText(
                "Waiting for sign-in in your browser… (the gateway cannot be reached right "
                f"now; still trying) <a href='{wait.url}'>Open the page again</a>")
            return
        self._end_wait(service)
        self._set_row(service, "failed", "Could not check the sign-in.")
        self.show_error(error)

    def _end_wait(self, service: Service) -> _Wait | None:
        wait = self._waits.pop(service, None)
        if wait is not None:
            wait.poll.stop()
            wait.deadline.stop()
            wait.poll.deleteLater()
            wait.deadline.deleteLater()
        return wait

    def _abandon(self, service: Service) -> _Wait | None:
        """Stop waiting and remove the unfinished connection from Maton (best effort)."""
        wait = self._end_wait(service)
        if wait is not None:
            cid = wait.connection_id
            self.worker.call(lambda a: a.connections.delete(cid), None, lambda err: None)
        return wait

    def cancel_connect(self, service: Service) -> None:
        wait = self._abandon(service)
        if wait is not None:
            state, text = wait.previous
            if state in ("unknown", "busy"):
                state, text = "not_connected", "Not connected"
            self._set_row(service, state, text)

    def _timed_out(self, service: Service) -> None:
        if self._abandon(service) is None:
            return
        self._set_row(service, "failed", "Sign-in was not finished within "
                      f"{_span(self.connect_timeout_s)}. Try again.")

    def disconnect_service(self, service: Service) -> None:
        cid = self.config.connections.get(service.value)
        if not cid:
            self._set_row(service, "not_connected", "Not connected")
            return
        ask = self._confirm or confirm
        question = (f"trayapp will stop tracking on {service.title} and remove the connection "
                    f"from your Maton account. Time already tracked stays in {service.title}.")
        if not ask(self, f"Disconnect {service.title}?", question):
            return
        self._set_row(service, "busy", "Disconnecting…")

        def done(_: object = None) -> None:
            if self.config.connections.get(service.value) == cid:
                del self.config.connections[service.value]
            if self.config.service == service.value:
                self.config.service = None
            self._workspaces.pop(service, None)
            self._set_row(service, "not_connected", "Not connected")
            self._save_config(connections=True)
            self._render_tracking()

        def failed(error: e.TrackerError) -> None:
            if isinstance(error, e.NotFound):
                done()  # already gone: the goal is reached
                return
            self._set_row(service, "connected", "Connected")
            self.show_error(error)

        self.worker.call(lambda a: a.connections.delete(cid), done, failed,
                         kind=f"settings.disconnect.{service.value}")

    # == tracking ==================================================================================
    def _render_tracking(self) -> None:
        connected = self.connected_services()
        self._updating = True
        try:
            chosen = self.config.service
            if chosen not in [s.value for s in connected]:
                chosen = connected[0].value if connected else None
            for service, radio in self.service_radios.items():
                radio.setEnabled(service in connected and len(connected) > 1)
                radio.setChecked(service.value == chosen)
            self.service_hint.setVisible(len(connected) < 2)
            for service, combo in self.workspace_combos.items():
                self.tracking_form.setRowVisible(combo, service in connected)
                self._fill_workspaces(service)
        finally:
            self._updating = False

    def _service_chosen(self, service: Service) -> None:
        if self._updating or self.config.service == service.value:
            return
        self.config.service = service.value
        self._save_config()

    def load_workspaces(self) -> None:
        """One worker call for the connected services whose workspaces are not known yet."""
        wanted = [s for s in self.connected_services() if s not in self._workspaces]
        if not wanted or self._workspaces_loading:
            return
        self._workspaces_loading = True

        def run(account: Any) -> dict[Service, list[Workspace] | e.TrackerError]:
            out: dict[Service, list[Workspace] | e.TrackerError] = {}
            for service in wanted:
                try:
                    out[service] = account.session(service).tracker.workspaces()
                except e.TrackerError as exc:  # one failing service must not hide the other
                    out[service] = exc
            return out

        def done(found: dict[Service, list[Workspace] | e.TrackerError]) -> None:
            self._workspaces_loading = False
            self._workspaces.update(found)
            self._render_tracking()

        def failed(error: e.TrackerError) -> None:
            self._workspaces_loading = False
            self.show_error(error)

        self.worker.call(run, done, failed, kind="settings.workspaces")

    def _fill_workspaces(self, service: Service) -> None:
        combo = self.workspace_combos[service]
        combo.blockSignals(True)
        combo.clear()
        found = self._workspaces.get(service)
        if found is None:
            combo.addItem("Loading…", None)
            combo.setEnabled(False)
        elif isinstance(found, e.TrackerError):
            combo.addItem(f"Could not load: {found.title}", None)
            combo.setToolTip(found.text)
            combo.setEnabled(False)
        else:
            combo.addItem("The account's default", None)
            for workspace in sorted(found, key=lambda w: w.name.casefold()):
                combo.addItem(workspace.name, workspace.id)
            combo.setCurrentIndex(max(0, combo.findData(self.config.workspaces.get(service.value))))
            combo.setEnabled(True)
        combo.blockSignals(False)

    def _workspace_chosen(self, service: Service) -> None:
        combo = self.workspace_combos[service]
        if self._updating or not combo.isEnabled():
            return
        wid = combo.currentData()
        if wid == self.config.workspaces.get(service.value):
            return
        if wid:
            self.config.workspaces[service.value] = wid
        else:
            self.config.workspaces.pop(service.value, None)
        self._save_config()

    # == behaviour =================================================================================
    def _load_behaviour(self) -> None:
        self._updating = True
        try:
            index = self.left_click_combo.findData(self.config.left_click)
            self.left_click_combo.setCurrentIndex(max(0, index))
            try:
                enabled = autostart.is_enabled()
            except OSError:
                enabled = False
            self.autostart_check.setChecked(enabled)
        finally:
            self._updating = False

    def _left_click_chosen(self) -> None:
        if self._updating:
            return
        self.config.left_click = self.left_click_combo.currentData()
        self._save_config()

    def _autostart_toggled(self, enabled: bool) -> None:
        if self._updating:
            return
        try:
            autostart.set_enabled(enabled)
        except OSError as exc:
            self.show_error(f"Could not change start on login: {exc.strerror or exc}")
            self._updating = True
            self.autostart_check.setChecked(not enabled)
            self._updating = False

    # == saving ====================================================================================
    def _save_config(self, connections: bool = False, quiet: bool = False) -> None:
        try:
            self.config.save()
        except OSError as exc:
            self.show_error(f"Could not save the settings: {exc.strerror or exc}")
            return
        if connections:
            self.connections_changed.emit()
        if not quiet:
            self.config_changed.emit()
