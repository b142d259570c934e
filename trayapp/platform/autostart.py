"""Start trayapp when the user logs in. Qt-free; one small backend per OS.

    Linux/BSD  an XDG autostart entry: $XDG_CONFIG_HOME/autostart/<app id>.desktop
    Windows    HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run, value "trayapp"
    macOS      ~/Library/LaunchAgents/<app id>.plist (RunAtLoad)

The backend is picked from `sys.platform` at call time (tests monkeypatch it). Autostart is
never switched on by itself: only `set_enabled(True)`, from the settings checkbox, does it.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from platformdirs import user_config_path

from .. import APP_ID, APP_NAME
from ..files import write_atomic

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
# Where Task Manager / Settings > Startup apps record "disabled" (a 12-byte binary value).
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


def command() -> list[str]:
    """How to start this very installation of trayapp."""
    appimage = os.environ.get("APPIMAGE")
    if appimage and getattr(sys, "frozen", False):
        return [appimage]  # an AppImage's own mount point changes on every run
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the app
        return [sys.executable]
    return [sys.executable, "-m", "trayapp"]


class Backend(Protocol):
    def is_enabled(self) -> bool: ...
    def set_enabled(self, enabled: bool) -> None: ...


def _write_or_remove(path: Path, data: bytes | None) -> None:
    """Write the file atomically (a session manager never reads half of it), or remove it."""
    if data is None:
        path.unlink(missing_ok=True)
        return
    write_atomic(path, data)


# -- Linux and the BSDs: XDG autostart ------------------------------------------------------------

_EXEC_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def exec_quote(arg: str) -> str:
    """Quote one argument for a desktop entry's Exec key (Desktop Entry spec, "The Exec key").

    Inside double quotes `"`, backtick, `$` and backslash are escaped with a backslash; then
    the string-value escaping doubles every backslash again. `%` is doubled (field codes)."""
    arg = arg.replace("%", "%%")
    if arg and not (set(arg) & _EXEC_RESERVED):
        return arg
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + quoted.replace("\\", "\\\\") + '"'


class XdgAutostart:
    def path(self) -> Path:
        # platformdirs honours XDG_CONFIG_HOME, which is what the session manager reads.
        return user_config_path() / "autostart" / f"{APP_ID}.desktop"

    def content(self) -> str:
        exec_line = " ".join(exec_quote(a) for a in command())
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={APP_NAME}\n"
            "Comment=Time tracker for Toggl Track and Clockify\n"
            f"Exec={exec_line}\n"
            f"Icon={APP_ID}\n"
            "Terminal=false\n"
            "NoDisplay=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )

    def is_enabled(self) -> bool:
        try:
            text = self.path().read_text(encoding="utf-8")
        except OSError:
            return False
        lines = {line.strip().replace(" ", "") for line in text.splitlines()}
        # A file switched off by the desktop's own startup settings does not count.
        return not ({"Hidden=true", "X-GNOME-Autostart-enabled=false"} & lines)

    def set_enabled(self, enabled: bool) -> None:
        _write_or_remove(self.path(), self.content().encode() if enabled else None)


# -- macOS: a per-user launch agent --------------------------------------------------------------

class MacAutostart:
    def path(self) -> Path:
        return Path.home() / "Library" / "LaunchAgents" / f"{APP_ID}.plist"

    def content(self) -> dict[str, Any]:
        return {
            "Label": APP_ID,
            "ProgramArguments": command(),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }

    def is_enabled(self) -> bool:
        try:
            with self.path().open("rb") as f:
                data = plistlib.load(f)
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return bool(data.get("RunAtLoad")) and not data.get("Disabled", False)

    def set_enabled(self, enabled: bool) -> None:
        _write_or_remove(self.path(), plistlib.dumps(self.content()) if enabled else None)


# -- Windows: the per-user Run key ---------------------------------------------------------------

class WindowsAutostart:
    def __init__(self, registry: Any = None) -> None:
        if registry is None:
            import winreg as registry  # only exists on Windows
        self.reg = registry

    def value(self) -> str:
        return subprocess.list2cmdline(command())

    def _read(self, subkey: str, name: str) -> Any:
        reg = self.reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, subkey, 0, reg.KEY_READ) as key:
                return reg.QueryValueEx(key, name)[0]
        except OSError:  # FileNotFoundError: no key or no value
            return None

    def is_enabled(self) -> bool:
        if not self._read(RUN_KEY, APP_NAME):
            return False
        approved = self._read(APPROVED_KEY, APP_NAME)
        # Odd first byte (0x03, 0x07): switched off in Task Manager / Settings > Startup apps.
        return not (isinstance(approved, bytes | bytearray) and approved and approved[0] & 1)

    def set_enabled(self, enabled: bool) -> None:
        reg = self.reg
        if enabled:
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.SetValueEx(key, APP_NAME, 0, reg.REG_SZ, self.value())
        else:
            with contextlib.suppress(OSError), reg.OpenKey(
                reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE
            ) as key:
                reg.DeleteValue(key, APP_NAME)
        # Either way, forget an old "disabled in Task Manager" mark: the user just decided.
        with contextlib.suppress(OSError), reg.OpenKey(
            reg.HKEY_CURRENT_USER, APPROVED_KEY, 0, reg.KEY_SET_VALUE
        ) as key:
            reg.DeleteValue(key, APP_NAME)


# -- the interface the settings window uses ----------------------------------------------------

def backend() -> Backend:
    if sys.platform == "win32":
        return WindowsAutostart()
    if sys.platform == "darwin":
        return MacAutostart()
    return XdgAutostart()


def is_enabled() -> bool:
    return backend().is_enabled()


def set_enabled(enabled: bool) -> None:
    """Raises OSError when the file or registry value cannot be written."""
    backend().set_enabled(enabled)
