"""The settings window: a welcome for the first launch, then the sections (key, accounts,
tracking, behaviour, shortcuts, and those the features add), listed beside the page, and one
status line for the last problem. It renders the
settings and control's answers; the app applies what changed (see app.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...config import Config
from ...control import accounts as accounts_rules
from ...control.accounts import POLL_INTERVAL, SIGN_IN_TIMEOUT, ConnectionsApi
from ...control.backend import checked_gateway_url
from ...core import errors as e
from ...core.models import Service, Workspace
from . import common
from .accounts import AccountsSection, Adopt, Details
from .behaviour import BehaviourSection
from .common import ERROR_COLOR, Confirm, Done, Failed, Opener, Runner
from .key import KEY_PAGE, KeySection
from .navigation import SectionIndex
from .shortcuts import ShortcutsSection
from .tracking import TrackingSection

if TYPE_CHECKING:
    from ...platform.hotkeys.shortcuts import Shortcuts


class SettingsWindow(QWidget):
    key_saved = Signal(str)  # a key Maton accepted was saved: the app switches to it
    key_removed = Signal()  # back to the demo
    connections_changed = Signal()  # the settings record other connections (saved)
    config_changed = Signal()  # something else was saved
    demo_requested = Signal()
    hotkeys_edited = Signal(dict)  # action -> key sequence, after a real change

    def __init__(
        self,
        config: Config,
        run: Runner,
        *,
        connections: Callable[[], ConnectionsApi],
        workspaces: Callable[[Service], list[Workspace]],
        wind_up: Callable[[Service], None],
        adopt: Adopt | None = None,
        services: Callable[[], list[Service]],
        shortcuts: Shortcuts | None = None,
        demo: bool = False,
        opener: Opener | None = None,
        confirm: Confirm | None = None,
        gateway_url: str | None = None,
        poll_interval_ms: int = int(POLL_INTERVAL * 1000),
        sign_in_timeout_s: float = SIGN_IN_TIMEOUT,
        parent: QWidget | None = None,
        details: Details | None = None,
        switch_connection: Callable[[Service], None] | None = None,
    ) -> None:
        """`run` calls a function off the GUI thread; `connections`, `workspaces` and
        `wind_up` (before a disconnect) are called there to reach Maton and the services;
        `gateway_url` is where a typed key is checked (the configured gateway by default, also
        in the demo)."""
        super().__init__(parent, Qt.WindowType.Window)
        run = self._while_alive(run)
        self.config = config
        self.demo = demo
        self._opener = opener
        confirm = confirm or (lambda parent, title, text: common.ask(parent, title, text))
        self.key = KeySection(run, confirm, lambda: gateway_url or checked_gateway_url())
        self.accounts = AccountsSection(
            config, run, connections, wind_up=wind_up,
            adopt=adopt or (lambda found: accounts_rules.adopt(config, found)), demo=demo,
            opener=self.open,
            confirm=confirm,
            save=self.save, poll_interval_ms=poll_interval_ms,
            sign_in_timeout_s=sign_in_timeout_s, details=details, switch=switch_connection)
        self.tracking = TrackingSection(config, run, services, workspaces, demo)
        self.behaviour = BehaviourSection(config)
        for section in (self.key, self.accounts, self.tracking, self.behaviour):
            section.problem.connect(self.show_error)
        self.key.saved.connect(self._key_saved)
        self.key.removed.connect(self.key_removed)
        self.accounts.changed.connect(self._connections_changed)
        self.accounts.listed.connect(self.tracking.show_state)  # which services can be chosen
        self.accounts.listed.connect(self.tracking.load_workspaces)
        self.tracking.changed.connect(self._changed)
        self.behaviour.changed.connect(self._changed)

        self.setWindowTitle("trayapp Settings")
        self._build()
        self.resize(900, 720)
        if shortcuts is not None:
            self.shortcuts = ShortcutsSection(config.hotkeys, shortcuts.available,
                                              shortcuts.unavailable_reason, shortcuts.errors)
            self.shortcuts.edited.connect(self.hotkeys_edited)
            self.shortcuts.recording.connect(shortcuts.pause)  # the keys must reach the field
            shortcuts.errors_changed.connect(self.shortcuts.set_errors)
            self.add_section(self.shortcuts)
        self.key.load()
        self.behaviour.load()
        self.tracking.show_state()

    def _while_alive(self, run: Runner) -> Runner:
        """Answers that arrive once this window is gone (a new key made a new one) are
        dropped: its widgets no longer exist."""
        def alive(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda value: callback(value) if shiboken6.isValid(self) else None

        def guarded(fn: Callable[[], Any], done: Done, failed: Failed, kind: str) -> object:
            return run(fn, alive(done), alive(failed), kind)

        return guarded

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(16, 16, 16, 16)
        body.setSpacing(14)
        body.addWidget(self._welcome())
        body.addStretch(1)
        self._body = body
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.index = SectionIndex(scroll)
        for section in (self.key, self.accounts, self.tracking, self.behaviour):
            self.add_section(section)

        self.status_line = QLabel()
        self.status_line.setTextFormat(Qt.TextFormat.PlainText)  # services' messages, URLs
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
        page = QHBoxLayout()
        page.setContentsMargins(8, 12, 0, 0)
        page.setSpacing(0)
        page.addWidget(self.index)
        page.addWidget(scroll, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addLayout(page, 1)
        outer.addLayout(bottom)

    def _welcome(self) -> QWidget:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setAutoFillBackground(True)
        frame.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.welcome_text = QLabel(
            "<b>Welcome to trayapp.</b> It tracks time on Toggl Track and Clockify through "
            "<b>Maton</b>, a gateway that holds your sign-ins so trayapp never sees your "
            "passwords.<ol style='margin-left:-20px'>"
            f"<li>Get a Maton API key at <a href='{KEY_PAGE}'>maton.ai/settings</a> and paste "
            "it below.</li>"
            "<li>Under <i>Accounts</i>, press <i>Connect</i>: you sign in to Toggl Track or "
            "Clockify in your browser.</li></ol>"
            "Not ready yet? The demo runs on sample data, with no account needed."
        )
        self.welcome_text.setWordWrap(True)
        self.welcome_text.setTextFormat(Qt.TextFormat.RichText)
        self.welcome_text.linkActivated.connect(self.open)
        self.demo_button = QPushButton("Try the demo")
        self.demo_button.setToolTip("Explore trayapp with sample projects and entries")
        self.demo_button.clicked.connect(self.demo_requested.emit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.demo_button)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.welcome_text)
        layout.addLayout(row)
        frame.hide()
        self.welcome = frame
        return frame

    def add_section(self, widget: QWidget) -> None:
        """One more section, above the spacer, and in the list beside the page."""
        self._body.insertWidget(self._body.count() - 1, widget)
        if isinstance(widget, QGroupBox):
            self.index.add(widget)

    # -- showing ----------------------------------------------------------------------------------
    def show_and_raise(self) -> None:
        if self.isVisible():
            self.refresh()  # showEvent will not fire again
        self.show()
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        # Escape closes, as in a dialog (children that use Escape, like popups, take it first).
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.close()
            return
        super().keyPressEvent(event)

    def refresh(self) -> None:
        """Reflect the real state: the key, autostart, the settings, the connections."""
        self.key.load()
        self.behaviour.load()
        self.tracking.show_state()
        self.tracking.load_workspaces()
        self.accounts.refresh()

    def closeEvent(self, event: object) -> None:  # noqa: N802 (Qt name)
        self.accounts.cancel_all()  # nobody is left to finish a sign-in
        super().closeEvent(event)  # type: ignore[arg-type]

    def set_first_launch(self, first: bool) -> None:
        self.welcome.setVisible(first)
        if first and not self.config.welcomed:
            self.config.welcomed = True
            self.save()
        if first:
            self.key.edit.setFocus()

    def show_error(self, error: e.TrackerError | str | None) -> None:
        """The last problem, in plain words, at the bottom of the window (None clears it)."""
        if error is None or error == "":
            self.status_line.clear()
            self.status_line.hide()
            return
        text = error if isinstance(error, str) else f"{error.title}: {error.text}"
        self.status_line.setText(text)
        self.status_line.show()

    def open(self, url: str) -> bool:
        """Open a page in the browser: every link of this window (Maton's sign-in page too)
        comes through here, and only web pages go on (not file://, smb://...)."""
        try:
            page = accounts_rules.page_to_open(url)
        except e.TrackerError as refused:
            self.show_error(refused)
            return False
        opener = self._opener or common.open_url  # looked up now, so tests can patch it
        return bool(opener(page))

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> bool:
        try:
            self.config.save()
        except OSError as exc:
            self.show_error(f"Could not save the settings: {exc.strerror or exc}")
            return False
        return True

    def _changed(self) -> None:
        if self.save():
            self.config_changed.emit()

    def _connections_changed(self) -> None:
        for service in Service:
            self.tracking.forget(service)
        self.connections_changed.emit()
        self.tracking.show_state()
        self.tracking.load_workspaces()

    def _key_saved(self, key: str) -> None:
        self.welcome.hide()
        self.key_saved.emit(key)
