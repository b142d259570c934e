"""The Maton API key: paste, show/hide, Test, Save (only a key Maton accepts is kept, in the
OS keyring) and Remove (back to the demo). A key from MATON_API_KEY is shown as such and
cannot be changed here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from ...control import accounts
from ...control.accounts import KeySource
from ...core import errors as e
from ...core.models import Connection
from .common import ERROR_COLOR, MUTED_COLOR, OK_COLOR, Confirm, Runner, eye_icon, muted

KEY_PAGE = "https://maton.ai/settings"


class KeySection(QGroupBox):
    saved = Signal(str)  # a key Maton accepted is in the keyring
    removed = Signal()  # the saved key is gone
    problem = Signal(object)  # TrackerError | str | None: for the window's status line

    def __init__(self, run: Runner, confirm: Confirm, gateway_url: Callable[[], str]) -> None:
        super().__init__("Maton API key")
        self._run = run
        self._confirm = confirm
        self._gateway_url = gateway_url  # where a typed key is checked: the real gateway
        self.source = KeySource.NONE
        self.dirty = False  # typed and not saved: a refresh must not overwrite it

        self.edit = QLineEdit(placeholderText="Paste your Maton API key")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setToolTip(f"Find your key at {KEY_PAGE}")
        self.edit.textEdited.connect(self._edited)
        self.edit.returnPressed.connect(self.save)
        color = self.palette().text().color()
        self._eye_open, self._eye_shut = eye_icon(False, color), eye_icon(True, color)
        self.reveal = QAction(self._eye_open, "Show key", self)
        self.reveal.setCheckable(True)
        self.reveal.setToolTip("Show the key")
        self.reveal.toggled.connect(self._reveal)
        self.edit.addAction(self.reveal, QLineEdit.ActionPosition.TrailingPosition)

        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Check the key with Maton, then keep it in the keyring")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("&Test")
        self.test_button.setToolTip("Check the key with Maton (lists your connections)")
        self.test_button.clicked.connect(self.test)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setToolTip("Forget the saved key and go back to the demo")
        self.remove_button.clicked.connect(self.remove)
        self.where = muted()
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)  # it may quote Maton's message
        self.result.setWordWrap(True)
        self.result.hide()

        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        for button in (self.save_button, self.test_button, self.remove_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.where)
        layout.addWidget(self.result)

    def load(self) -> None:
        """Show where the key comes from, and the key itself (hidden) unless being typed."""
        info = accounts.key_info()
        self.source = info.source
        env = info.source is KeySource.ENVIRONMENT
        for widget in (self.edit, self.save_button, self.reveal):
            widget.setEnabled(not env)
        self.remove_button.setVisible(info.source is KeySource.KEYRING)
        if env:
            self.edit.clear()
            self.edit.setPlaceholderText("Set by the MATON_API_KEY environment variable")
            self.where.setText("The key comes from the MATON_API_KEY environment variable; "
                               "unset it to store a key in the keyring instead.")
            return
        self.edit.setPlaceholderText("Paste your Maton API key")
        if info.source is KeySource.NO_KEYRING:
            self.where.setText("No usable keyring was found, so a key cannot be saved here. "
                               "Set the MATON_API_KEY environment variable instead.")
        else:
            self.where.setText(f"The key is kept in: {info.where}")
        if info.problem is not None:
            self.problem.emit(info.problem)
        if not self.dirty:
            self.edit.setText(info.key or "")

    def message(self, text: str, ok: bool | None) -> None:
        color = {True: OK_COLOR, False: ERROR_COLOR, None: MUTED_COLOR}[ok]
        self.result.setStyleSheet(f"color: {color};")
        self.result.setText(text)
        self.result.show()

    def save(self) -> None:
        if self.source is KeySource.ENVIRONMENT:
            return
        key = self.edit.text().strip()
        if not key:
            if self.source is KeySource.KEYRING:
                self.remove()  # clearing the field and saving: the same as Remove
            else:
                self.message("Paste a key first.", False)
            return
        self.message("Checking the key with Maton…", None)
        self.save_button.setEnabled(False)
        url = self._gateway_url  # read on the worker: a bad address is an error to show

        def done(_: list[Connection]) -> None:
            self.save_button.setEnabled(True)
            self.dirty = False
            self.message(f"Saved in {accounts.key_store_name()}.", True)
            self.problem.emit(None)
            self.saved.emit(key)

        def failed(error: e.TrackerError) -> None:
            self.save_button.setEnabled(True)
            if isinstance(error, e.KeyringUnavailable):
                # Never fall back to a file: say what is wrong and what the alternative is.
                text = (f"{error.title}: {error.message} trayapp never writes the key to a "
                        "file. Unlock or install a keyring (for example GNOME Keyring or "
                        "KWallet), or set the MATON_API_KEY environment variable before "
                        "starting trayapp.")
                self.problem.emit(text)
            else:
                text = f"Not saved. {error.title}: {error.text}"
            self.message(text, False)

        self._run(lambda: accounts.save_key(key, url()), done, failed, "settings.save-key")

    def remove(self) -> None:
        question = ("trayapp will forget the saved Maton key and go back to the demo. Time "
                    "already tracked stays in your accounts; changes not yet sent wait until "
                    "a key is saved again.")
        if not self._confirm(self, "Remove the Maton key?", question):
            return
        try:
            accounts.remove_key()
        except e.KeyringUnavailable as exc:
            self.message(f"{exc.title}: {exc.message}", False)
            return
        self.dirty = False
        self.edit.clear()
        self.message("Removed. trayapp runs on the demo until you save a key.", True)
        self.removed.emit()

    def test(self) -> None:
        key = self.edit.text().strip()
        hint = None
        if not key and self.source is KeySource.ENVIRONMENT:
            key, hint = accounts.key_info().key or "", accounts.ENV_HINT
        if not key:
            self.message("Paste a key first.", False)
            return
        self.message("Testing…", None)
        self.test_button.setEnabled(False)
        url = self._gateway_url

        def done(connections: list[Connection]) -> None:
            self.test_button.setEnabled(True)
            n = len(connections)
            self.message(f"Key works ({n} connection{'' if n == 1 else 's'} in your Maton "
                         "account).", True)

        def failed(error: e.TrackerError) -> None:
            self.test_button.setEnabled(True)
            self.message(f"{error.title}: {error.text}", False)

        self._run(lambda: accounts.check_key(key, url(), hint), done, failed,
                  "settings.test-key")

    def _edited(self) -> None:
        self.dirty = True
        self.result.hide()

    def _reveal(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.edit.setEchoMode(mode)
        self.reveal.setIcon(self._eye_shut if shown else self._eye_open)
        self.reveal.setToolTip("Hide the key" if shown else "Show the key")
