"""The settings window against the emulator, through a real worker thread: key test, save
(only a key Maton accepts) and remove, connecting an account in the "browser" (an httpx GET of
the connect page), cancel, time-out, disconnect, tracking choices, behaviour, first launch."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import httpx
import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt

from trayapp import secrets
from trayapp.config import Config
from trayapp.core.models import Service
from trayapp.platform import autostart
from trayapp.sync.account import Account
from trayapp.ui.settings import SettingsWindow
from trayapp.ui.settings.accounts import RowState
from trayapp.worker import Worker

from ..conftest import TEST_KEY

WAIT = 8000  # ms; every wait here is bounded
CONNECTED, NOT_CONNECTED = RowState.CONNECTED, RowState.NOT_CONNECTED


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """Config file and autostart entry under this test's own directory."""
    monkeypatch.setattr(Config, "path", classmethod(lambda cls: tmp_path / "settings.json"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    return tmp_path


class Backend:
    """What the app gives the window: an account used on a real worker thread."""

    def __init__(self, base_url: str, tmp_path: Path, key: str = TEST_KEY) -> None:
        self.base_url = base_url
        self.account = Account(key, base_url, tmp_path / "s.sqlite3")
        self.worker = Worker(lambda: self.account)

    def run(self, fn, done, failed, kind):
        self.worker.call(lambda _account: fn(), done, failed, kind)

    def close(self) -> None:
        self.worker.shutdown()
        self.account.close()


@pytest.fixture
def backend(emulator, tmp_path):
    b = Backend(emulator.base_url, tmp_path)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def opened():
    return []


@pytest.fixture
def make_window(qtbot, sandbox, memory_keyring, opened):
    def make(backend: Backend, config: Config | None = None, wind_up=lambda s: None,
             **options) -> SettingsWindow:
        config = config or Config()
        demo = options.get("demo", False)
        options.setdefault("poll_interval_ms", 50)
        options.setdefault("sign_in_timeout_s", 20)
        options.setdefault("opener", lambda url: opened.append(url) or True)
        options.setdefault("confirm", lambda parent, title, text: True)
        options.setdefault("gateway_url", backend.base_url)
        window = SettingsWindow(
            config, backend.run, connections=lambda: backend.account.connections,
            workspaces=lambda s: backend.account.session(s).tracker.workspaces(),
            wind_up=wind_up,
            services=lambda: list(Service) if demo else config.connected(), **options)
        qtbot.addWidget(window)
        return window

    return make


@pytest.fixture
def window(make_window, backend):
    return make_window(backend)


def shown(qtbot, window: SettingsWindow) -> SettingsWindow:
    window.show_and_raise()
    qtbot.waitUntil(lambda: all(window.accounts.state(s) is not RowState.CHECKING
                                for s in Service), timeout=WAIT)
    return window


def no_connections(emulator) -> None:
    emulator.connections.clear()  # the seeded ACTIVE ones: start from a fresh Maton account


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def stored(memory_keyring) -> str | None:
    return memory_keyring.passwords.get((secrets.SERVICE, secrets.ACCOUNT))


# -- the key --------------------------------------------------------------------------------------

def test_test_button_with_a_good_key(qtbot, window):
    shown(qtbot, window)
    window.key.edit.setText(TEST_KEY)
    qtbot.mouseClick(window.key.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.key.result.text().startswith("Key works"), timeout=WAIT)
    assert "2 connections" in window.key.result.text()
    assert window.key.test_button.isEnabled()


def test_test_button_with_a_bad_key(qtbot, window):
    window.key.edit.setText("not-the-key")
    window.key.test()
    qtbot.waitUntil(lambda: window.key.result.text().startswith("Maton API key rejected"),
                    timeout=WAIT)
    assert "invalid" in window.key.result.text()
    assert "not-the-key" not in window.key.result.text()


def test_test_button_refuses_a_key_with_spaces_without_echoing_it(qtbot, window):
    window.key.edit.setText("abc def")
    window.key.test()
    qtbot.waitUntil(lambda: "does not look like" in window.key.result.text(), timeout=WAIT)
    assert "abc" not in window.key.result.text()


def test_test_button_when_offline(qtbot, make_window, tmp_path):
    backend = Backend(closed_port_url(), tmp_path)
    try:
        window = make_window(backend)
        window.show_and_raise()
        window.key.edit.setText(TEST_KEY)
        window.key.test()
        qtbot.waitUntil(lambda: window.key.result.text().startswith("Offline"), timeout=WAIT)
        assert "cannot reach the gateway" in window.key.result.text().casefold()
        # The refresh on show failed the same way: said once, plainly, at the bottom.
        qtbot.waitUntil(lambda: window.status_line.text().startswith("Offline"), timeout=WAIT)
        assert window.accounts.state(Service.TOGGL) is NOT_CONNECTED
    finally:
        backend.close()


def test_save_checks_the_key_then_stores_it_in_the_keyring(qtbot, window, memory_keyring):
    assert window.key.where.text().startswith("The key is kept in:")
    assert "MemoryKeyring" in window.key.where.text()
    window.key.edit.setFocus()
    qtbot.keyClicks(window.key.edit, f"  {TEST_KEY}  ")
    assert window.key.edit.echoMode() == window.key.edit.EchoMode.Password
    window.key.reveal.trigger()
    assert window.key.edit.echoMode() == window.key.edit.EchoMode.Normal
    with qtbot.waitSignal(window.key_saved, timeout=WAIT) as saved:
        qtbot.keyClick(window.key.edit, Qt.Key.Key_Return)
    assert saved.args == [TEST_KEY]
    assert stored(memory_keyring) == TEST_KEY
    assert window.key.result.text().startswith("Saved in")


def test_save_refuses_a_key_maton_rejects_and_keeps_the_old_one(qtbot, window, memory_keyring):
    """Defect: Save accepted any key, which ended the demo (or replaced a working key)."""
    secrets.set_key("the-working-key")
    window.key.edit.setText("wrong-key")
    with qtbot.assertNotEmitted(window.key_saved, wait=300):
        window.key.save()
        qtbot.waitUntil(lambda: window.key.result.text().startswith("Not saved"),
                        timeout=WAIT)
    assert "Maton API key rejected" in window.key.result.text()
    assert "wrong-key" not in window.key.result.text()
    assert stored(memory_keyring) == "the-working-key"


def test_save_offline_does_not_store_an_unchecked_key(qtbot, make_window, tmp_path,
                                                      memory_keyring):
    backend = Backend(closed_port_url(), tmp_path)
    try:
        window = make_window(backend)
        window.key.edit.setText(TEST_KEY)
        with qtbot.assertNotEmitted(window.key_saved, wait=300):
            window.key.save()
            qtbot.waitUntil(lambda: window.key.result.text().startswith("Not saved"),
                            timeout=WAIT)
        assert "was not saved" in window.key.result.text()
        assert stored(memory_keyring) is None
    finally:
        backend.close()


def test_a_saved_key_can_be_removed(qtbot, make_window, backend, memory_keyring):
    """Defect: a saved key could not be removed (clearing the field said "Paste a key")."""
    answers: list[bool] = [False, True, True]
    secrets.set_key(TEST_KEY)
    window = make_window(backend, confirm=lambda *a: answers.pop(0))
    window.show_and_raise()
    assert window.key.remove_button.isVisibleTo(window)
    with qtbot.assertNotEmitted(window.key_removed):
        qtbot.mouseClick(window.key.remove_button, Qt.MouseButton.LeftButton)  # Cancel
    assert stored(memory_keyring) == TEST_KEY
    with qtbot.waitSignal(window.key_removed, timeout=1000):
        qtbot.mouseClick(window.key.remove_button, Qt.MouseButton.LeftButton)
    assert stored(memory_keyring) is None
    window.refresh()
    assert not window.key.remove_button.isVisibleTo(window)

    secrets.set_key(TEST_KEY)  # again, the other way: clear the field and save
    window.refresh()
    window.key.edit.clear()
    with qtbot.waitSignal(window.key_removed, timeout=1000):
        window.key.save()
    assert stored(memory_keyring) is None


def test_save_without_a_usable_keyring_explains_and_writes_no_file(qtbot, window, sandbox):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        window.key.edit.setText(TEST_KEY)
        with qtbot.assertNotEmitted(window.key_saved, wait=300):
            window.key.save()
            qtbot.waitUntil(lambda: window.key.result.text().startswith("Keyring"),
                            timeout=WAIT)
    finally:
        keyring.set_keyring(previous)
    text = window.key.result.text()
    assert text.startswith("Keyring unavailable")
    assert "MATON_API_KEY" in text and "never writes the key to a file" in text
    assert window.status_line.isVisibleTo(window) and "MATON_API_KEY" in window.status_line.text()
    roots = [sandbox] + [Path(os.environ[v]) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")
                         if os.environ.get(v)]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                assert TEST_KEY.encode() not in path.read_bytes(), path


def test_key_from_the_environment_cannot_be_edited(qtbot, make_window, backend, monkeypatch):
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    window = make_window(backend)
    window.show_and_raise()
    assert not window.key.edit.isEnabled() and not window.key.save_button.isEnabled()
    assert not window.key.remove_button.isVisibleTo(window)
    assert "MATON_API_KEY" in window.key.where.text()
    window.key.test()  # tests the key from the environment
    qtbot.waitUntil(lambda: window.key.result.text().startswith("Key works"), timeout=WAIT)


def test_a_rejected_key_from_the_environment_points_to_the_variable(qtbot, make_window, backend,
                                                                    monkeypatch):
    """Defect: the advice was "Check the key in Settings", where Save is disabled."""
    monkeypatch.setenv("MATON_API_KEY", "wrong-key")
    window = make_window(backend)
    window.show_and_raise()
    window.key.test()
    qtbot.waitUntil(lambda: window.key.result.text().startswith("Maton API key rejected"),
                    timeout=WAIT)
    text = window.key.result.text()
    assert "MATON_API_KEY environment variable" in text and "Settings" not in text


# -- accounts ------------------------------------------------------------------------------------

def test_show_adopts_active_connections_with_one_list_call(qtbot, window, emulator):
    emulator.clear_requests()
    with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
        window.show_and_raise()
    qtbot.waitUntil(lambda: window.accounts.state(Service.CLOCKIFY) is CONNECTED, timeout=WAIT)
    assert window.accounts.status_text(Service.TOGGL) == "Connected"
    ids = {r["app"]: r["connection_id"] for r in emulator.connections}
    assert window.config.connections == ids
    assert Config.load().connections == ids
    gets = [r for r in emulator.requests if r.path.endswith("/connections")]
    assert len(gets) == 1


def test_connect_flow_reaches_connected(qtbot, window, emulator, opened):
    no_connections(emulator)
    shown(qtbot, window)
    assert window.accounts.status_text(Service.TOGGL) == "Not connected"
    row = window.accounts.rows[Service.TOGGL]
    assert row.connect.isVisibleTo(window) and not row.disconnect.isVisibleTo(window)
    qtbot.mouseClick(row.connect, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=WAIT)
    assert "/_emulator/connect/" in opened[0]
    assert window.accounts.state(Service.TOGGL) is RowState.WAITING
    assert "Waiting for sign-in in your browser" in window.accounts.status_text(Service.TOGGL)
    assert row.cancel.isVisibleTo(window) and not row.connect.isVisibleTo(window)
    qtbot.wait(200)  # a few polls while still PENDING change nothing
    assert window.accounts.state(Service.TOGGL) is RowState.WAITING

    with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
        assert httpx.get(opened[0]).status_code == 200  # the user signs in, in the browser
    assert window.accounts.state(Service.TOGGL) is CONNECTED
    assert window.accounts.status_text(Service.TOGGL) == "Connected"
    conn_id = emulator.connections[-1]["connection_id"]
    assert window.config.connections == {"toggl-track": conn_id}
    assert Config.load().connections == {"toggl-track": conn_id}
    assert row.disconnect.isVisibleTo(window) and not row.cancel.isVisibleTo(window)
    # The workspace list for the new account arrives by itself.
    combo = window.tracking.combos[Service.TOGGL]
    qtbot.waitUntil(combo.isEnabled, timeout=WAIT)
    assert combo.count() >= 2


def test_disconnect_works_right_after_connecting_and_after_reopening(qtbot, window, emulator,
                                                                      opened):
    """Defect: after a sign-in the row said "Connected" but Disconnect stayed greyed out,
    also after reopening Settings; Disconnect never worked."""
    no_connections(emulator)
    shown(qtbot, window)
    for service in Service:
        opened.clear()
        window.accounts.connect_service(service)
        qtbot.waitUntil(lambda: len(opened) == 1, timeout=WAIT)
        with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
            httpx.get(opened[0])
        row = window.accounts.rows[service]
        assert row.disconnect.isVisibleTo(window) and row.disconnect.isEnabled()
    window.close()
    shown(qtbot, window)  # reopened
    for service in Service:
        row = window.accounts.rows[service]
        assert row.disconnect.isVisibleTo(window) and row.disconnect.isEnabled()
        with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
            qtbot.mouseClick(row.disconnect, Qt.MouseButton.LeftButton)
        assert window.accounts.state(service) is NOT_CONNECTED
    assert not emulator.connections and not window.config.connections


def test_connect_flow_failed(qtbot, window, emulator, opened):
    no_connections(emulator)
    shown(qtbot, window)
    window.accounts.connect_service(Service.CLOCKIFY)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=WAIT)
    httpx.get(opened[0], params={"fail": "1"})
    qtbot.waitUntil(lambda: window.accounts.state(Service.CLOCKIFY) is RowState.FAILED,
                    timeout=WAIT)
    assert window.accounts.status_text(Service.CLOCKIFY) == "Sign-in failed. Try again."
    row = window.accounts.rows[Service.CLOCKIFY]
    assert row.connect.isVisibleTo(window) and row.connect.isEnabled()
    assert "clockify" not in window.config.connections


def test_connect_cancel(qtbot, window, emulator, opened):
    no_connections(emulator)
    shown(qtbot, window)
    window.accounts.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.accounts.state(Service.TOGGL) is RowState.WAITING,
                    timeout=WAIT)
    qtbot.mouseClick(window.accounts.rows[Service.TOGGL].cancel, Qt.MouseButton.LeftButton)
    assert window.accounts.state(Service.TOGGL) is NOT_CONNECTED
    assert window.accounts.status_text(Service.TOGGL) == "Not connected"
    # The unfinished connection is removed from Maton, and completing it later changes nothing.
    qtbot.waitUntil(lambda: not emulator.connections, timeout=WAIT)
    qtbot.wait(200)
    assert window.accounts.state(Service.TOGGL) is NOT_CONNECTED
    assert not window.config.connections


def test_connect_times_out(qtbot, make_window, backend, emulator, opened):
    no_connections(emulator)
    window = shown(qtbot, make_window(backend, sign_in_timeout_s=0.4))
    window.accounts.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.accounts.state(Service.TOGGL) is RowState.FAILED,
                    timeout=WAIT)
    assert window.accounts.status_text(Service.TOGGL) == (
        "Sign-in was not finished within 1 second. Try again.")
    qtbot.waitUntil(lambda: not emulator.connections, timeout=WAIT)
    assert not window.config.connections


def test_browser_that_does_not_open_shows_the_link(qtbot, make_window, backend, emulator):
    no_connections(emulator)
    window = shown(qtbot, make_window(backend, opener=lambda url: False))
    window.accounts.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.accounts.state(Service.TOGGL) is RowState.WAITING,
                    timeout=WAIT)
    assert "did not open" in window.accounts.status_text(Service.TOGGL)
    assert "/_emulator/connect/" in window.accounts.status_text(Service.TOGGL)


def test_disconnect_asks_then_removes(qtbot, make_window, backend, emulator):
    answers = [False, True]
    window = shown(qtbot, make_window(backend, confirm=lambda *a: answers.pop(0)))
    qtbot.waitUntil(lambda: window.accounts.state(Service.CLOCKIFY) is CONNECTED, timeout=WAIT)
    window.config.service = "clockify"
    row = window.accounts.rows[Service.CLOCKIFY]
    qtbot.mouseClick(row.disconnect, Qt.MouseButton.LeftButton)  # "Cancel" in the question
    assert window.accounts.state(Service.CLOCKIFY) is CONNECTED
    assert len(emulator.connections) == 2

    with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
        qtbot.mouseClick(row.disconnect, Qt.MouseButton.LeftButton)
    assert window.accounts.state(Service.CLOCKIFY) is NOT_CONNECTED
    assert "clockify" not in window.config.connections
    assert "clockify" not in Config.load().connections
    assert window.config.service is None
    assert [r["app"] for r in emulator.connections] == ["toggl-track"]


# -- tracking and behaviour ------------------------------------------------------------------------

def test_tracking_service_and_workspace(qtbot, window):
    shown(qtbot, window)
    qtbot.waitUntil(lambda: len(window.config.connected()) == 2, timeout=WAIT)
    radio = window.tracking.radios[Service.CLOCKIFY]
    qtbot.waitUntil(radio.isEnabled, timeout=WAIT)
    assert not window.tracking.hint.isVisibleTo(window)
    with qtbot.waitSignal(window.config_changed, timeout=1000):
        radio.click()
    assert Config.load().service == "clockify"

    combo = window.tracking.combos[Service.CLOCKIFY]
    qtbot.waitUntil(combo.isEnabled, timeout=WAIT)
    assert combo.itemText(0) == "The account's default"
    with qtbot.waitSignal(window.config_changed, timeout=1000):
        combo.setCurrentIndex(1)
    assert Config.load().workspaces == {"clockify": combo.itemData(1)}


def test_tracking_choice_needs_two_accounts(qtbot, window, emulator):
    emulator.connections[:] = [r for r in emulator.connections if r["app"] == "toggl-track"]
    shown(qtbot, window)
    assert not window.tracking.radios[Service.CLOCKIFY].isEnabled()
    assert window.tracking.hint.isVisibleTo(window)
    assert window.tracking.form.isRowVisible(window.tracking.combos[Service.TOGGL])
    assert not window.tracking.form.isRowVisible(window.tracking.combos[Service.CLOCKIFY])


def test_left_click_and_start_on_login(qtbot, window, sandbox):
    combo = window.behaviour.left_click
    with qtbot.waitSignal(window.config_changed, timeout=1000):
        combo.setCurrentIndex(combo.findData("menu"))
    assert Config.load().left_click == "menu"

    assert not window.behaviour.autostart.isChecked()
    window.behaviour.autostart.click()
    entry = sandbox / "xdg-config" / "autostart" / "io.github.trayapp.TrayApp.desktop"
    assert entry.is_file() and autostart.is_enabled()
    window.behaviour.autostart.click()
    assert not entry.exists()

    autostart.set_enabled(True)  # changed behind the window's back: shown on the next show
    window.show_and_raise()
    assert window.behaviour.autostart.isChecked()


def test_first_launch(qtbot, window):
    window.show_and_raise()
    assert not window.welcome.isVisibleTo(window)
    window.set_first_launch(True)
    assert window.welcome.isVisibleTo(window)
    assert window.config.welcomed
    text = window.welcome_text.text()
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


def test_demo_mode_never_adopts_the_emulators_accounts(qtbot, make_window, backend, emulator,
                                                       monkeypatch):
    emulator.clear_requests()
    monkeypatch.delenv("TRAYAPP_GATEWAY_URL", raising=False)
    window = make_window(backend, demo=True, gateway_url=None)
    window.show_and_raise()
    qtbot.wait(100)
    assert window.accounts.state(Service.TOGGL) is RowState.DEMO
    assert "Demo account" in window.accounts.status_text(Service.TOGGL)
    assert not window.accounts.rows[Service.TOGGL].connect.isVisibleTo(window)
    assert not window.config.connections and not emulator.requests
    # A real key is checked on the real gateway, not on the demo's emulator.
    window.key.edit.setText("some-key")
    checked: list[str] = []
    monkeypatch.setattr("trayapp.control.accounts.check_key",
                        lambda key, url, hint=None: checked.append(url) or [])
    window.key.test()
    qtbot.waitUntil(lambda: bool(checked), timeout=WAIT)
    assert checked == ["https://api.maton.ai"]


def test_demo_offers_both_services_like_the_menu(qtbot, make_window, backend):
    """Defect: in the demo the menu offered Track on ▸ Toggl/Clockify while Settings showed
    those choices disabled."""
    window = make_window(backend, demo=True)
    window.show_and_raise()
    assert all(radio.isEnabled() for radio in window.tracking.radios.values())
    assert not window.tracking.hint.isVisibleTo(window)
    # The demo's workspaces are the emulator's: never offered to be saved.
    assert not any(window.tracking.form.isRowVisible(c) for c in window.tracking.combos.values())


def test_tracking_follows_the_connections_found(qtbot, make_window, backend, emulator):
    """The app found the connections while the window was opening (after a new key): the
    choice of service must be offered once Maton confirms them, without reopening."""
    config = Config()
    window = make_window(backend, config)
    window.show_and_raise()  # renders "nothing connected", then asks Maton
    config.connections.update({r["app"]: r["connection_id"] for r in emulator.connections})
    radio = window.tracking.radios[Service.CLOCKIFY]
    qtbot.waitUntil(radio.isEnabled, timeout=WAIT)
    assert not window.tracking.hint.isVisibleTo(window)


def test_disconnect_anyway_when_the_timer_cannot_be_stopped_first(qtbot, make_window, backend,
                                                                 emulator):
    from trayapp.core import errors as e

    asked: list[str] = []
    answers = [True, False, True, True]  # disconnect? / anyway? no / disconnect? / anyway? yes

    def confirm(parent, title, text):
        asked.append(title)
        return answers.pop(0)

    def wind_up(service):
        raise e.Conflict("Clockify was not disconnected: its running timer could not be sent.")

    window = shown(qtbot, make_window(backend, confirm=confirm, wind_up=wind_up))
    qtbot.waitUntil(lambda: window.accounts.state(Service.CLOCKIFY) is CONNECTED, timeout=WAIT)
    row = window.accounts.rows[Service.CLOCKIFY]
    qtbot.mouseClick(row.disconnect, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(asked) == 2 and window.accounts.state(Service.CLOCKIFY)
                    is CONNECTED, timeout=WAIT)
    assert "not disconnected" in window.status_line.text()
    assert len(emulator.connections) == 2
    with qtbot.waitSignal(window.connections_changed, timeout=WAIT):
        qtbot.mouseClick(row.disconnect, Qt.MouseButton.LeftButton)
    assert asked == ["Disconnect Clockify?", "Disconnect Clockify anyway?"] * 2
    assert [r["app"] for r in emulator.connections] == ["toggl-track"]
