"""Start on login: the XDG entry, the macOS launch agent and the Windows Run value (with a
fake winreg), all checked on any OS."""

from __future__ import annotations

import configparser
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trayapp.platform import autostart

APP_ID = "io.github.trayapp.TrayApp"


def read_desktop(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def unescape_exec(value: str) -> list[str]:
    """Parse an Exec value as the Desktop Entry spec says: undo the string escapes (`\\\\`),
    then split on spaces, where a double-quoted argument may escape `"`, backtick, `$` and
    backslash with a backslash; `%%` is a literal `%`."""
    text = value.replace("\\\\", "\\")
    args: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == " ":
            i += 1
            continue
        arg = ""
        if text[i] == '"':
            i += 1
            while text[i] != '"':
                if text[i] == "\\":
                    i += 1
                arg += text[i]
                i += 1
            i += 1
        else:
            while i < len(text) and text[i] != " ":
                arg += text[i]
                i += 1
        args.append(arg.replace("%%", "%"))
    return args


# -- command ------------------------------------------------------------------------------------

def test_command_from_source_and_frozen(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.delenv("APPIMAGE", raising=False)
    assert autostart.command() == [sys.executable, "-m", "trayapp"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/trayapp/trayapp")
    assert autostart.command() == ["/opt/trayapp/trayapp"]


# -- Linux ----------------------------------------------------------------------------------------

@pytest.fixture
def linux(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "autostart" / f"{APP_ID}.desktop"


def test_linux_desktop_entry_created_and_removed(linux):
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    assert linux.is_file() and autostart.is_enabled()
    entry = read_desktop(linux)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "trayapp"
    assert entry["Icon"] == APP_ID
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert entry["NoDisplay"] == "false" and entry["Terminal"] == "false"
    assert unescape_exec(entry["Exec"]) == autostart.command()
    autostart.set_enabled(True)  # idempotent
    autostart.set_enabled(False)
    assert not linux.exists() and not autostart.is_enabled()
    autostart.set_enabled(False)  # nothing to remove: fine


def test_linux_exec_quotes_awkward_paths(linux, monkeypatch):
    odd = "/home/a user/My $apps/py\"thon\\3 100%"
    monkeypatch.setattr(sys, "executable", odd)
    autostart.set_enabled(True)
    entry = read_desktop(linux)
    assert unescape_exec(entry["Exec"]) == [odd, "-m", "trayapp"]


def test_linux_entry_switched_off_by_the_desktop(linux):
    autostart.set_enabled(True)
    linux.write_text(linux.read_text().replace("X-GNOME-Autostart-enabled=true",
                                               "X-GNOME-Autostart-enabled=false"))
    assert not autostart.is_enabled()
    autostart.set_enabled(True)  # ticking the box again really switches it on
    assert autostart.is_enabled()


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
def test_linux_entry_passes_desktop_file_validate(linux):
    autostart.set_enabled(True)
    result = subprocess.run(["desktop-file-validate", str(linux)], capture_output=True,
                            text=True, timeout=10)
    assert result.returncode == 0, result.stdout + result.stderr


# -- macOS ----------------------------------------------------------------------------------------

def test_macos_launch_agent(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    plist = tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    assert autostart.is_enabled()
    with plist.open("rb") as f:
        data = plistlib.load(f)
    assert data == {
        "Label": APP_ID,
        "ProgramArguments": autostart.command(),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    autostart.set_enabled(False)
    assert not plist.exists() and not autostart.is_enabled()


def test_macos_unreadable_plist_counts_as_off(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    plist = tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    plist.parent.mkdir(parents=True)
    plist.write_text("not a plist")
    assert not autostart.is_enabled()


# -- Windows --------------------------------------------------------------------------------------

class FakeKey:
    def __init__(self, reg: FakeWinreg, path: str) -> None:
        self.reg, self.path = reg, path

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class FakeWinreg:
    """The part of winreg the backend uses; HKCU only, values in a dict."""

    HKEY_CURRENT_USER = object()
    KEY_READ, KEY_SET_VALUE = 1, 2
    REG_SZ, REG_BINARY = 1, 3

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[object, int]]] = {}

    def OpenKey(self, root, path, reserved=0, access=1):  # noqa: N802 (winreg's name)
        assert root is self.HKEY_CURRENT_USER
        if path not in self.keys:
            raise FileNotFoundError(path)
        return FakeKey(self, path)

    def CreateKeyEx(self, root, path, reserved=0, access=2):  # noqa: N802
        assert root is self.HKEY_CURRENT_USER
        self.keys.setdefault(path, {})
        return FakeKey(self, path)

    def QueryValueEx(self, key, name):  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(name)
        return self.keys[key.path][name]

    def SetValueEx(self, key, name, reserved, kind, value):  # noqa: N802
        self.keys[key.path][name] = (value, kind)

    def DeleteValue(self, key, name):  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(name)
        del self.keys[key.path][name]


@pytest.fixture
def windows(monkeypatch):
    reg = FakeWinreg()
    real = autostart.WindowsAutostart
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(autostart, "WindowsAutostart", lambda: real(reg))
    return reg


def test_windows_run_value(windows, monkeypatch):
    monkeypatch.setattr(sys, "executable", r"C:\Program Files\trayapp\python.exe")
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    value, kind = windows.keys[autostart.RUN_KEY]["trayapp"]
    assert kind == FakeWinreg.REG_SZ
    assert value == r'"C:\Program Files\trayapp\python.exe" -m trayapp'
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    assert "trayapp" not in windows.keys[autostart.RUN_KEY]
    assert not autostart.is_enabled()
    autostart.set_enabled(False)  # nothing to remove: fine


def test_windows_disabled_in_task_manager(windows):
    autostart.set_enabled(True)
    approved = windows.keys.setdefault(autostart.APPROVED_KEY, {})
    approved["trayapp"] = (bytes([3]) + bytes(11), FakeWinreg.REG_BINARY)
    assert not autostart.is_enabled()  # the truth the user sees in Task Manager
    autostart.set_enabled(True)  # ticking the box again clears that mark
    assert "trayapp" not in approved
    assert autostart.is_enabled()
    approved["trayapp"] = (bytes([2]) + bytes(11), FakeWinreg.REG_BINARY)
    assert autostart.is_enabled()


def test_command_of_an_appimage(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/tmp/.mount_trayabc/usr/bin/trayapp")
    monkeypatch.setenv("APPIMAGE", "/home/me/Apps/trayapp.AppImage")
    assert autostart.command() == ["/home/me/Apps/trayapp.AppImage"]
