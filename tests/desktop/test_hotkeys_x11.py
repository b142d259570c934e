"""The X11 backend against a real X server (Xvfb in CI): xdotool's XTEST key presses reach the
passive grab exactly like a keyboard would."""

from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.timeout(30)


def xdotool(*keys: str) -> None:
    subprocess.run(["xdotool", "key", *keys], check=True, timeout=10)


@pytest.fixture
def backend(x11, qtbot):
    from trayapp.platform.hotkeys.x11 import X11Backend

    b = X11Backend()
    assert b.available, b.unavailable_reason
    yield b
    b.close()


def test_hotkey_fires(backend, qtbot):
    assert backend.register({"toggle": "Ctrl+Alt+Shift+T", "stop": "Ctrl+Alt+Shift+S"}) == {}
    with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
        xdotool("ctrl+alt+shift+t")
    assert blocker.args == ["toggle"]
    with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
        xdotool("ctrl+alt+shift+s")
    assert blocker.args == ["stop"]


def test_hotkey_fires_with_numlock_on(backend, qtbot):
    assert backend.register({"toggle": "Ctrl+Alt+Shift+T"}) == {}
    xdotool("Num_Lock")
    try:
        with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
            xdotool("ctrl+alt+shift+t")
        assert blocker.args == ["toggle"]
    finally:
        xdotool("Num_Lock")


def test_other_modifiers_do_not_fire(backend, qtbot):
    assert backend.register({"toggle": "Ctrl+Alt+Shift+T"}) == {}
    with qtbot.assertNotEmitted(backend.activated, wait=500):
        xdotool("ctrl+alt+t")


def test_clash_with_another_client_is_reported(backend, qtbot):
    from Xlib import XK, X
    from Xlib import display as xdisplay

    other = xdisplay.Display()  # another X client holding Ctrl+Alt+Shift+Q first
    try:
        keycode = other.keysym_to_keycode(XK.string_to_keysym("q"))
        mods = X.ControlMask | X.Mod1Mask | X.ShiftMask
        other.screen().root.grab_key(keycode, mods, True, X.GrabModeAsync, X.GrabModeAsync)
        other.sync()

        errors = backend.register({"toggle": "Ctrl+Alt+Shift+T", "quick_start": "Ctrl+Alt+Shift+Q"})
        assert errors == {"quick_start": "Ctrl+Alt+Shift+Q is already used by another application"}
        # The binding that did not clash still works.
        with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
            xdotool("ctrl+alt+shift+t")
        assert blocker.args == ["toggle"]
    finally:
        other.close()
    # Once the other client is gone, registering again succeeds.
    assert backend.register({"quick_start": "Ctrl+Alt+Shift+Q"}) == {}


def test_unregister_all_stops_firing(backend, qtbot):
    assert backend.register({"toggle": "Ctrl+Alt+Shift+T"}) == {}
    backend.unregister_all()
    with qtbot.assertNotEmitted(backend.activated, wait=700):
        xdotool("ctrl+alt+shift+t")


def test_register_replaces_previous_set(backend, qtbot):
    assert backend.register({"toggle": "Ctrl+Alt+Shift+T"}) == {}
    assert backend.register({"stop": "Ctrl+Alt+Shift+S"}) == {}
    with qtbot.assertNotEmitted(backend.activated, wait=700):
        xdotool("ctrl+alt+shift+t")
    with qtbot.waitSignal(backend.activated, timeout=5000) as blocker:
        xdotool("ctrl+alt+shift+s")
    assert blocker.args == ["stop"]


def test_held_key_fires_once(backend, qtbot):
    """Autorepeat must not toggle the timer on and off while the keys are held."""
    assert backend.register({"toggle": "Ctrl+Alt+Shift+T"}) == {}
    fired: list[str] = []
    backend.activated.connect(fired.append)
    subprocess.run(["xdotool", "keydown", "ctrl+alt+shift+t"], check=True, timeout=10)
    try:
        qtbot.waitUntil(lambda: bool(fired), timeout=5000)
        qtbot.wait(800)  # past the X server's autorepeat delay (660 ms by default)
    finally:
        subprocess.run(["xdotool", "keyup", "ctrl+alt+shift+t"], check=True, timeout=10)
    qtbot.wait(100)
    assert fired == ["toggle"]


def test_create_backend_picks_x11_in_an_x11_session(x11, qtbot, monkeypatch):
    from trayapp.platform.hotkeys import create_backend

    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    monkeypatch.delenv("TRAYAPP_HOTKEYS", raising=False)
    b = create_backend()
    try:
        assert b.name == "x11" and b.available
        assert b.register({"toggle": "Ctrl+Alt+Shift+T"}) == {}
        with qtbot.waitSignal(b.activated, timeout=5000):
            xdotool("ctrl+alt+shift+t")
    finally:
        b.close()
