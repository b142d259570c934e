"""The portal backend against a fake xdg-desktop-portal on the private session bus."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..support.e2e import end_process

pytestmark = pytest.mark.timeout(30)

FAKE = Path(__file__).parent.parent / "support" / "fakes" / "fake_portal.py"
CONTROL_PATH = "/io/github/trayapp/FakePortal"


class Portal:
    """A running fake portal and a way to talk to it."""

    def __init__(self, *args: str) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE), *args], stdout=subprocess.PIPE, text=True
        )
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        ready = sel.select(timeout=10) and self.proc.stdout.readline().strip()
        sel.close()
        if ready != "READY":
            self.stop()
            raise RuntimeError("fake portal did not start")
        self.conn = open_dbus_connection("SESSION")

    def _call(self, member: str, signature: str | None = None, body: tuple = ()):
        from jeepney import DBusAddress, new_method_call

        addr = DBusAddress(CONTROL_PATH, bus_name="org.freedesktop.portal.Desktop",
                           interface="io.github.trayapp.FakePortal")
        return self.conn.send_and_get_reply(new_method_call(addr, member, signature, body),
                                            timeout=5)

    def calls(self, member: str | None = None) -> list[dict]:
        calls = json.loads(self._call("Calls").body[0])
        return [c for c in calls if member is None or c["member"] == member]

    def activate(self, shortcut_id: str) -> None:
        self._call("Activate", "s", (shortcut_id,))

    def stop(self) -> None:
        end_process(self.proc)
        self.proc.stdout.close()
        if getattr(self, "conn", None) is not None:
            # The next test must not meet this portal's name on the bus.
            from jeepney.bus_messages import message_bus

            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                reply = self.conn.send_and_get_reply(
                    message_bus.NameHasOwner("org.freedesktop.portal.Desktop"), timeout=5)
                if not reply.body[0]:
                    break
                time.sleep(0.02)
            self.conn.close()


@pytest.fixture
def start_portal(session_bus):
    started: list[Portal] = []

    def start(*args: str) -> Portal:
        portal = Portal(*args)
        started.append(portal)
        return portal

    yield start
    for portal in started:
        portal.stop()


@pytest.fixture
def make_backend(qtbot):
    made = []

    def make():
        from trayapp.platform.hotkeys.portal import PortalBackend

        backend = PortalBackend()
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


BINDINGS = {"toggle": "Ctrl+Alt+Shift+T", "stop": "Ctrl+Alt+Shift+S", "menu": "Meta+F9"}


def bind(backend, qtbot, bindings=BINDINGS) -> dict:
    with qtbot.waitSignal(backend.errors_changed, timeout=5000) as blocker:
        assert backend.register(bindings) == {}
    return blocker.args[0]


def test_session_bind_and_activate(start_portal, make_backend, qtbot):
    portal = start_portal()
    backend = make_backend()
    assert backend.available, backend.unavailable_reason
    assert backend.version == 1

    assert bind(backend, qtbot) == {}
    # Registered its app id first, on the same connection it then uses for the portal.
    (register,) = portal.calls("Register")
    assert register["body"] == ["io.github.trayapp.TrayApp", {}]
    (create,) = portal.calls("CreateSession")
    assert create["sender"] == register["sender"]
    assert create["signature"] == "a{sv}"
    assert set(create["body"][0]) == {"handle_token", "session_handle_token"}

    (bind_call,) = portal.calls("BindShortcuts")
    assert bind_call["signature"] == "oa(sa{sv})sa{sv}"
    session, shortcuts, parent_window, options = bind_call["body"]
    assert session.startswith("/org/freedesktop/portal/desktop/session/")
    assert parent_window == ""
    assert "handle_token" in options
    assert shortcuts == [
        ["toggle", {"description": ["s", "Start/stop timer (stop, or continue the last entry)"],
                    "preferred_trigger": ["s", "CTRL+ALT+SHIFT+t"]}],
        ["stop", {"description": ["s", "Stop timer"],
                  "preferred_trigger": ["s", "CTRL+ALT+SHIFT+s"]}],
        ["menu", {"description": ["s", "Show the tray menu"],
                  "preferred_trigger": ["s", "LOGO+F9"]}],
    ]
    assert backend.triggers["toggle"] == "CTRL+ALT+SHIFT+t"

    with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
        portal.activate("stop")
    assert blocker.args == ["stop"]


def test_response_before_reply(start_portal, make_backend, qtbot):
    """A fast portal answers on the predicted request path before the call returns."""
    portal = start_portal("--early-response")
    backend = make_backend()
    assert bind(backend, qtbot) == {}
    with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
        portal.activate("toggle")
    assert blocker.args == ["toggle"]


def test_register_again_replaces_the_session(start_portal, make_backend, qtbot):
    portal = start_portal()
    backend = make_backend()
    bind(backend, qtbot)
    first_session = portal.calls("BindShortcuts")[0]["body"][0]
    assert bind(backend, qtbot, {"quick_start": "Ctrl+Alt+Shift+Q"}) == {}
    closes = [c["path"] for c in portal.calls("Close")]
    assert closes == [first_session]
    second = portal.calls("BindShortcuts")[1]["body"]
    assert second[0] != first_session
    assert [s[0] for s in second[1]] == ["quick_start"]
    with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
        portal.activate("quick_start")
    assert blocker.args == ["quick_start"]


def test_activation_for_unknown_id_is_ignored(start_portal, make_backend, qtbot):
    portal = start_portal()
    backend = make_backend()
    bind(backend, qtbot)
    with qtbot.assertNotEmitted(backend.activated, wait=300):
        portal.activate("format_disk")


def test_shortcut_the_desktop_did_not_bind_is_reported(start_portal, make_backend, qtbot):
    start_portal("--drop", "stop")
    backend = make_backend()
    assert bind(backend, qtbot) == {"stop": "The desktop did not bind this shortcut"}


def test_cancelled_bind_is_reported(start_portal, make_backend, qtbot):
    start_portal("--bind-response", "1")
    backend = make_backend()
    errors = bind(backend, qtbot)
    assert set(errors) == set(BINDINGS)
    assert "cancelled" in errors["toggle"]


def test_bind_error_reply_is_reported(start_portal, make_backend, qtbot):
    start_portal("--bind-error")
    backend = make_backend()
    errors = bind(backend, qtbot)
    assert set(errors) == set(BINDINGS)
    assert "BindShortcuts is not implemented" in errors["menu"]


def test_portal_without_registry_still_works(start_portal, make_backend, qtbot):
    portal = start_portal("--no-registry")
    backend = make_backend()
    assert backend.available
    assert bind(backend, qtbot) == {}
    with qtbot.waitSignal(backend.activated, timeout=5000):
        portal.activate("toggle")


def test_portal_without_global_shortcuts_is_unavailable(start_portal, make_backend):
    start_portal("--no-shortcuts")
    backend = make_backend()
    assert not backend.available
    assert "no GlobalShortcuts portal" in backend.unavailable_reason
    assert "trayapp toggle" in backend.unavailable_reason


def test_missing_portal_is_unavailable(session_bus, make_backend):
    backend = make_backend()
    assert not backend.available
    assert "no GlobalShortcuts portal" in backend.unavailable_reason
    assert backend.register(BINDINGS) == {
        a: "Not active: global hotkeys are not available here" for a in BINDINGS
    }


def test_no_session_bus_is_unavailable(monkeypatch, make_backend):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    backend = make_backend()
    assert not backend.available
    assert "D-Bus" in backend.unavailable_reason


def test_create_backend_picks_the_portal_on_wayland(start_portal, qtbot, monkeypatch):
    from trayapp.platform.hotkeys import create_backend

    portal = start_portal()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-test")
    monkeypatch.delenv("TRAYAPP_HOTKEYS", raising=False)
    b = create_backend()
    try:
        assert b.name == "portal" and b.available
        bind(b, qtbot)
        with qtbot.waitSignal(b.activated, timeout=5000) as blocker:
            portal.activate("toggle")
        assert blocker.args == ["toggle"]
    finally:
        b.close()
