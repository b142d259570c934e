"""Key parsing, the shared register() rules, backend choice, and the .desktop file."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import trayapp.platform.hotkeys as hotkeys
from trayapp.platform.hotkeys.base import (
    ACTIONS,
    DEFAULT_BINDINGS,
    HotkeyBackend,
    NullBackend,
)
from trayapp.platform.hotkeys.keys import HotkeyError, keysym_name, parse_chord, xdg_trigger

pytestmark = pytest.mark.timeout(30)

DESKTOP_FILE = Path(__file__).parents[2] / "resources" / "io.github.trayapp.TrayApp.desktop"


# -- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Ctrl+Alt+Shift+T", "CTRL+ALT+SHIFT+t"),
        ("ctrl+alt+t", "CTRL+ALT+t"),
        ("Meta+F12", "LOGO+F12"),
        ("Ctrl+Alt+PgDown", "CTRL+ALT+Next"),
        ("Ctrl+Alt+Space", "CTRL+ALT+space"),
        ("Ctrl+Shift+!", "CTRL+SHIFT+exclam"),
        ("Alt+5", "ALT+5"),
        ("F9", "F9"),
        ("Media Play", "XF86AudioPlay"),
    ],
)
def test_parse_and_xdg_trigger(text, trigger):
    assert xdg_trigger(parse_chord(text)) == trigger


def test_chord_fields():
    chord = parse_chord("Ctrl+Alt+Shift+T")
    assert (chord.key, chord.ctrl, chord.alt, chord.shift, chord.meta) == (
        Qt.Key.Key_T, True, True, True, False)
    assert chord.text == "Ctrl+Alt+Shift+T"
    assert chord == parse_chord("shift+ctrl+alt+t")  # same chord, however it is spelled


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "not a key combination"),
        ("Ctrl+Bogus", "not a key combination"),
        ("Ctrl+A, Ctrl+B", "single key combination"),
        ("T", "add a modifier"),
        ("Space", "add a modifier"),
    ],
)
def test_parse_errors(text, fragment):
    with pytest.raises(HotkeyError, match=fragment):
        parse_chord(text)


def test_keysym_names():
    assert keysym_name(Qt.Key.Key_A) == "a"
    assert keysym_name(Qt.Key.Key_F35) == "F35"
    assert keysym_name(Qt.Key.Key_Return) == "Return"
    assert keysym_name(Qt.Key.Key_Launch5) is None


def test_defaults_cover_every_action_and_are_valid():
    assert set(DEFAULT_BINDINGS) == set(ACTIONS)
    chords = [parse_chord(t) for t in DEFAULT_BINDINGS.values()]
    assert len(set(chords)) == len(chords)
    assert all(c.ctrl and c.alt and c.shift for c in chords)


# -- the shared register() rules ----------------------------------------------------------------


class RecordingBackend(HotkeyBackend):
    name = "recording"

    def __init__(self):
        super().__init__()
        self.available = True
        self.active: dict[str, str] = {}
        self.unregistered = 0

    def _register_chords(self, chords):
        self.active = {a: c.text for a, c in chords.items()}
        return {}

    def unregister_all(self):
        self.unregistered += 1
        self.active = {}


def test_register_validates_before_the_backend(qapp):
    b = RecordingBackend()
    errors = b.register({
        "toggle": "Ctrl+Alt+Shift+T",
        "stop": "Shift+Alt+Ctrl+T",  # the same chord again
        "menu": "M",
        "quick_start": "",  # unbound: fine, not an error
        "dance": "Ctrl+Alt+D",
    })
    assert b.active == {"toggle": "Ctrl+Alt+Shift+T"}
    assert errors == {
        "stop": "Ctrl+Alt+Shift+T is already set for “Start/stop timer (stop, or continue the "
                "last entry)”",
        "menu": "M: add a modifier (Ctrl, Alt, Shift…) to use it globally",
        "dance": "Unknown action 'dance'",
    }
    b.register({"stop": "Ctrl+Alt+Shift+S"})
    assert b.unregistered == 2 and b.active == {"stop": "Ctrl+Alt+Shift+S"}


def test_null_backend(qapp):
    b = NullBackend("nothing here")
    assert not b.available and b.unavailable_reason == "nothing here"
    assert b.register({"toggle": "Ctrl+Alt+Shift+T", "stop": ""}) == {
        "toggle": "Not active: global hotkeys are not available here"
    }
    assert "trayapp toggle" in NullBackend().unavailable_reason


# -- choosing a backend -------------------------------------------------------------------------


class Stub(HotkeyBackend):
    def __init__(self, name, available, reason=""):
        super().__init__()
        self.name, self.available, self.unavailable_reason = name, available, reason


@pytest.fixture
def session(monkeypatch, qapp):
    """A Linux session with configurable env and stub x11/portal backends."""
    for var in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "DISPLAY", "TRAYAPP_HOTKEYS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(hotkeys.sys, "platform", "linux")
    avail = {"x11": True, "portal": True}
    monkeypatch.setattr(hotkeys, "_x11", lambda parent: Stub("x11", avail["x11"], "no X"))
    monkeypatch.setattr(hotkeys, "_portal",
                        lambda parent: Stub("portal", avail["portal"], "no portal"))
    return avail


def test_x11_session_uses_x11(session, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    assert hotkeys.create_backend().name == "x11"


def test_wayland_prefers_portal(session, monkeypatch):
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")
    assert hotkeys.create_backend().name == "portal"


def test_wayland_by_session_type(session, monkeypatch):
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    assert hotkeys.create_backend().name == "portal"


def test_wayland_without_portal_falls_back_to_xwayland_with_caveat(session, monkeypatch):
    session["portal"] = False
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")
    b = hotkeys.create_backend()
    assert b.name == "x11" and b.available
    assert "X11 window has focus" in b.unavailable_reason
    assert "trayapp toggle" in b.unavailable_reason


def test_wayland_with_nothing_is_null(session, monkeypatch):
    session["portal"] = False
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    b = hotkeys.create_backend()
    assert isinstance(b, NullBackend)
    assert "no GlobalShortcuts portal" in b.unavailable_reason
    assert "trayapp toggle" in b.unavailable_reason


def test_no_display_at_all(session):
    b = hotkeys.create_backend()
    assert isinstance(b, NullBackend) and "trayapp toggle" in b.unavailable_reason


def test_forcing(session, monkeypatch):
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "x11")
    assert hotkeys.create_backend().name == "x11"
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    b = hotkeys.create_backend()
    assert isinstance(b, NullBackend) and "TRAYAPP_HOTKEYS=none" in b.unavailable_reason
    session["portal"] = False
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "portal")
    b = hotkeys.create_backend()
    assert isinstance(b, NullBackend) and b.unavailable_reason.startswith("no portal")


@pytest.mark.parametrize(
    ("platform", "module", "cls"),
    [("win32", "windows", "WindowsBackend"), ("darwin", "macos", "MacBackend")],
)
def test_windows_and_macos_choice(session, monkeypatch, platform, module, cls):
    import importlib

    mod = importlib.import_module(f"trayapp.platform.hotkeys.{module}")
    monkeypatch.setattr(mod, cls, lambda parent: Stub(module, True))
    monkeypatch.setattr(hotkeys.sys, "platform", platform)
    assert hotkeys.create_backend().name == module


# -- the .desktop file that gives the portal our app id -----------------------------------------


def test_desktop_file_entries():
    from trayapp.platform.hotkeys.portal import APP_ID

    assert DESKTOP_FILE.stem == APP_ID
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(DESKTOP_FILE, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "trayapp"
    assert entry["GenericName"] == "Time Tracker"
    assert entry["Exec"] == "trayapp"
    assert entry["Icon"] == APP_ID
    assert entry["Categories"] == "Office;ProjectManagement;"
    assert entry["StartupNotify"] == "false"
    assert entry["X-GNOME-UsesNotifications"] == "true"
    assert entry["Comment"] and entry["Keywords"]


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils missing")
def test_desktop_file_validates():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
