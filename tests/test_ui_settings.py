"""The settings window against the emulator, through a real worker thread: key test and save,
connecting an account in the "browser" (an httpx GET of the connect page), cancel, time-out,
disconnect, tracking choices, behaviour, first launch."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import httpx
import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import Qt

from trayapp import secrets
from trayapp.config import Config
from trayapp.core.models import Service
from trayapp.platform import autostart
from trayapp.sync.account import Account
from trayapp.ui.settings import SettingsWindow
from trayapp.worker import Worker

from .conftest import TEST_KEY

WAIT = 8000  # ms; every wait here is bounded


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict: no D-Bus, no files."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """Config file and autostart entry under this test's own directory."""
    monkeypatch.setattr(Config, "path", classmethod(lambda cls: tmp_path / "settings.json"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    return tmp_path


def start_worker(base_url: str, tmp_path: Path, key: str = TEST_KEY) -> Worker:
    return Worker(lambda: Account(key, base_url, tmp_path / "s.sqlite3"))


@pytest.fixture
def worker(emulator, tmp_path):
    w = start_worker(emulator.base_url, tmp_path)
    try:
        yield w
    finally:
        w.shutdown()


@pytest.fixture
def opened():
    return []


@pytest.fixture
def make_window(qtbot, sandbox, memory_keyring, opened):
    def make(worker: Worker, **options) -> SettingsWindow:
        options.setdefault("poll_interval_ms", 50)
        options.setdefault("connect_timeout_s", 20)
        options.setdefault("opener", lambda url: opened.append(url) or True)
        options.setdefault("confirm", lambda parent, title, text: True)
        window = SettingsWindow(worker, Config(), **options)
        qtbot.addWidget(window)
        return window

    return make


@pytest.fixture
def window(make_window, worker):
    return make_window(worker)


def shown(qtbot, window: SettingsWindow) -> SettingsWindow:
    window.show_and_raise()
    qtbot.waitUntil(lambda: all(window.state(s) not in ("unknown",) for s in Service),
                    timeout=WAIT)
    return window


def no_connections(emulator) -> None:
    emulator.connections.clear()  # the seeded ACTIVE ones: start from a fresh Maton account


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- the key --------------------------------------------------------------------------------------

def test_test_button_with_a_good_key(qtbot, window):
    shown(qtbot, window)
    window.key_edit.setText(TEST_KEY)
    qtbot.mouseClick(window.test_key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.key_result.text().startswith("Key works"), timeout=WAIT)
    assert "2 connections" in window.key_result.text()
    assert window.test_key_button.isEnabled()


def test_test_button_with_a_bad_key(qtbot, window):
    window.key_edit.setText("not-the-key")
    window.test_key()
    qtbot.waitUntil(lambda: window.key_result.text().startswith("Maton API key rejected"),
                    timeout=WAIT)
    assert "invalid" in window.key_result.text()
    assert "not-the-key" not in window.key_result.text()


def test_test_button_refuses_a_key_with_spaces_without_echoing_it(qtbot, window):
    window.key_edit.setText("abc def")
    window.test_key()
    qtbot.waitUntil(lambda: "does not look like" in window.key_result.text(), timeout=WAIT)
    assert "abc" not in window.key_result.text()


def test_test_button_when_offline(qtbot, make_window, tmp_path):
    worker = start_worker(closed_port_url(), tmp_path)
    try:
        window = make_window(worker)
        window.show_and_raise()
        window.key_edit.setText(TEST_KEY)
        window.test_key()
        qtbot.waitUntil(lambda: window.key_result.text().startswith("Offline"), timeout=WAIT)
        assert "cannot reach the gateway" in window.key_result.text().casefold()
        # The refresh on show failed the same way: said once, plainly, at the bottom.
        qtbot.waitUntil(lambda: window.status_line.text().startswith("Offline"), timeout=WAIT)
        assert window.state(Service.TOGGL) == "not_connected"
    finally:
        worker.shutdown()


def test_save_stores_the_key_in_the_keyring(qtbot, window, memory_keyring):
    assert window.key_where.text().startswith("The key is kept in:")
    assert "MemoryKeyring" in window.key_where.text()
    window.key_edit.setFocus()
    qtbot.keyClicks(window.key_edit, "  new-key  ")
    assert window.key_edit.echoMode() == window.key_edit.EchoMode.Password
    window.reveal_action.trigger()
    assert window.key_edit.echoMode() == window.key_edit.EchoMode.Normal
    with qtbot.waitSignal(window.key_changed, timeout=1000) as saved:
        qtbot.keyClick(window.key_edit, Qt.Key.Key_Return)
    assert saved.args == ["new-key"]
    assert memory_keyring.passwords[(secrets.SERVICE, secrets.ACCOUNT)] == "new-key"
    assert window.key_result.text().startswith("Saved in")


def test_save_without_a_usable_keyring_explains_and_writes_no_file(qtbot, window, sandbox):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        window.key_edit.setText("secret-key-123")
        with qtbot.assertNotEmitted(window.key_changed):
            window.save_key()
    finally:
        keyring.set_keyring(previous)
    text = window.key_result.text()
    assert text.startswith("Keyring unavailable")
    assert "MATON_API_KEY" in text and "never writes the key to a file" in text
    assert window.status_line.isVisibleTo(window) and "MATON_API_KEY" in window.status_line.text()
    roots = [sandbox] + [Path(os.environ[v]) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")
                         if os.environ.get(v)]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                assert b"secret-key-123" not in path.read_bytes(), path


def test_key_from_the_environment_cannot_be_edited(qtbot, make_window, worker, monkeypatch):
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    window = make_window(worker)
    assert not window.key_edit.isEnabled() and not window.save_key_button.isEnabled()
    assert "MATON_API_KEY" in window.key_where.text()
    window.test_key()  # tests the key from the environment
    qtbot.waitUntil(lambda: window.key_result.text().startswith("Key works"), timeout=WAIT)


# -- accounts ------------------------------------------------------------------------------------

def test_show_adopts_active_connections_with_one_list_call(qtbot, window, emulator):
    emulator.clear_requests()
    with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
        window.show_and_raise()
    qtbot.waitUntil(lambda: window.state(Service.CLOCKIFY) == "connected", timeout=WAIT)
    assert window.status_text(Service.TOGGL) == "Connected"
    ids = {r["app"]: r["connection_id"] for r in emulator.connections}
    assert window.config.connections == ids
    assert Config.load().connections == ids
    gets = [r for r in emulator.requests if r.path.endswith("/connections")]
    assert len(gets) == 1


def test_connect_flow_reaches_connected(qtbot, window, emulator, opened):
    no_connections(emulator)
    shown(qtbot, window)
    assert window.status_text(Service.TOGGL) == "Not connected"
    row = window._rows[Service.TOGGL]
    assert row.connect.isVisible() and not row.disconnect.isVisible()
    qtbot.mouseClick(row.connect, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=WAIT)
    assert "/_emulator/connect/" in opened[0]
    assert window.state(Service.TOGGL) == "waiting"
    assert "Waiting for sign-in in your browser" in window.status_text(Service.TOGGL)
    assert row.cancel.isVisible() and not row.connect.isVisible()
    qtbot.wait(200)  # a few polls while still PENDING change nothing
    assert window.state(Service.TOGGL) == "waiting"

    with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
        assert httpx.get(opened[0]).status_code == 200  # the user signs in, in the browser
    assert window.state(Service.TOGGL) == "connected"
    assert window.status_text(Service.TOGGL) == "Connected"
    conn_id = emulator.connections[-1]["connection_id"]
    assert window.config.connections == {"toggl-track": conn_id}
    assert Config.load().connections == {"toggl-track": conn_id}
    assert row.disconnect.isVisible() and not row.cancel.isVisible()
    # The workspace list for the new account arrives by itself.
    combo = window.workspace_combos[Service.TOGGL]
    qtbot.waitUntil(combo.isEnabled, timeout=WAIT)
    assert combo.count() >= 2


def test_connect_flow_failed(qtbot, window, emulator, opened):
    no_connections(emulator)
    shown(qtbot, window)
    window.connect_service(Service.CLOCKIFY)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=WAIT)
    httpx.get(opened[0], params={"fail": "1"})
    qtbot.waitUntil(lambda: window.state(Service.CLOCKIFY) == "failed", timeout=WAIT)
    assert window.status_text(Service.CLOCKIFY) == "Sign-in failed. Try again."
    assert window._rows[Service.CLOCKIFY].connect.isVisible()
    assert "clockify" not in window.config.connections


def test_connect_cancel(qtbot, window, emulator, opened):
    no_connections(emulator)
    shown(qtbot, window)
    window.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.state(Service.TOGGL) == "waiting", timeout=WAIT)
    qtbot.mouseClick(window._rows[Service.TOGGL].cancel, Qt.MouseButton.LeftButton)
    assert window.state(Service.TOGGL) == "not_connected"
    assert window.status_text(Service.TOGGL) == "Not connected"
    # The unfinished connection is removed from Maton, and completing it later changes nothing.
    qtbot.waitUntil(lambda: not emulator.connections, timeout=WAIT)
    qtbot.wait(200)
    assert window.state(Service.TOGGL) == "not_connected" and not window.config.connections


def test_connect_times_out(qtbot, make_window, worker, emulator, opened):
    no_connections(emulator)
    window = shown(qtbot, make_window(worker, connect_timeout_s=0.4))
    window.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.state(Service.TOGGL) == "failed", timeout=WAIT)
    assert window.status_text(Service.TOGGL) == ("Sign-in was not finished within 1 second. "
                                                 "Try again.")
    qtbot.waitUntil(lambda: not emulator.connections, timeout=WAIT)
    assert not window.config.connections


def test_browser_that_does_not_open_shows_the_link(qtbot, make_window, worker, emulator):
    no_connections(emulator)
    window = shown(qtbot, make_window(worker, opener=lambda url: False))
    window.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.state(Service.TOGGL) == "waiting", timeout=WAIT)
    assert "did not open" in window.status_text(Service.TOGGL)
    assert "/_emulator/connect/" in window.status_text(Service.TOGGL)


def test_disconnect_asks_then_removes(qtbot, make_window, worker, emulator):
    answers = [False, True]
    window = shown(qtbot, make_window(worker, confirm=lambda *a: answers.pop(0)))
    qtbot.waitUntil(lambda: window.state(Service.CLOCKIFY) == "connected", timeout=WAIT)
    window.config.service = "clockify"
    row = window._rows[Service.CLOCKIFY]
    qtbot.mouseClick(row.disconnect, Qt.MouseButton.LeftButton)  # "Cancel" in the question
    assert window.state(Service.CLOCKIFY) == "connected" and len(emulator.connections) == 2

    with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
        qtbot.mouseClick(row.disconnect, Qt.MouseButton.LeftButton)
    assert window.state(Service.CLOCKIFY) == "not_connected"
    assert "clockify" not in window.config.connections
    assert "clockify" not in Config.load().connections
    assert window.config.service is None
    assert [r["app"] for r in emulator.connections] == ["toggl-track"]


# -- tracking and behaviour ------------------------------------------------------------------------

def test_tracking_service_and_workspace(qtbot, window):
    shown(qtbot, window)
    qtbot.waitUntil(lambda: len(window.connected_services()) == 2, timeout=WAIT)
    radio = window.service_radios[Service.CLOCKIFY]
    assert radio.isEnabled() and not window.service_hint.isVisibleTo(window)
    with qtbot.waitSignal(window.config_changed, timeout=1000):
        radio.click()
    assert Config.load().service == "clockify"

    combo = window.workspace_combos[Service.CLOCKIFY]
    qtbot.waitUntil(combo.isEnabled, timeout=WAIT)
    assert combo.itemText(0) == "The account's default"
    with qtbot.waitSignal(window.config_changed, timeout=1000):
        combo.setCurrentIndex(1)
    assert Config.load().workspaces == {"clockify": combo.itemData(1)}


def test_tracking_choice_needs_two_accounts(qtbot, window, emulator):
    emulator.connections[:] = [r for r in emulator.connections if r["app"] == "toggl-track"]
    shown(qtbot, window)
    assert not window.service_radios[Service.CLOCKIFY].isEnabled()
    assert window.service_hint.isVisibleTo(window)
    assert window.tracking_form.isRowVisible(window.workspace_combos[Service.TOGGL])
    assert not window.tracking_form.isRowVisible(window.workspace_combos[Service.CLOCKIFY])


def test_left_click_and_start_on_login(qtbot, window, sandbox):
    combo = window.left_click_combo
    with qtbot.waitSignal(window.config_changed, timeout=1000):
        combo.setCurrentIndex(combo.findData("menu"))
    assert Config.load().left_click == "menu"

    assert not window.autostart_check.isChecked()
    window.autostart_check.click()
    entry = sandbox / "xdg-config" / "autostart" / "io.github.trayapp.TrayApp.desktop"
    assert entry.is_file() and autostart.is_enabled()
    window.autostart_check.click()
    assert not entry.exists()

    autostart.set_enabled(True)  # changed behind the window's back: shown on the next show
    window.show_and_raise()
    assert window.autostart_check.isChecked()


def test_first_launch(qtbot, window):
    window.show_and_raise()
    assert not window.welcome.isVisibleTo(window)
    window.set_first_launch(True)
    assert window.welcome.isVisibleTo(window)
    assert window.config.welcomed
    text = window.welcome.findChildren(type(window.status_line))[0].text()
    assert "maton.ai/settings" in text and "browser" in text
    with qtbot.waitSignal(window.demo_requested, timeout=1000):
        qtbot.mouseClick(window.demo_button, Qt.MouseButton.LeftButton)


def test_escape_closes_and_show_reuses(qtbot, window):
    window.show_and_raise()
    qtbot.waitExposed(window)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()
    window.show_and_raise()
    assert window.isVisible()


def test_show_error(qtbot, window):
    from trayapp.core import errors as e

    window.show_error(e.NetworkError())
    assert window.status_line.text().startswith("Offline: The gateway cannot be reached.")
    window.show_error(None)
    assert not window.status_line.isVisibleTo(window)


def test_demo_mode_never_adopts_the_emulators_accounts(qtbot, make_window, worker, emulator):
    emulator.clear_requests()
    window = make_window(worker, demo=True)
    window.show_and_raise()
    qtbot.wait(100)
    assert window.state(Service.TOGGL) == "demo" and "Demo account" in window.status_text(
        Service.TOGGL)
    assert not window._rows[Service.TOGGL].connect.isVisibleTo(window)
    assert not window.config.connections and not emulator.requests
    assert window._gateway_url == "https://api.maton.ai"  # a real key is tested for real
