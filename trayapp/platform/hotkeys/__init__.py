"""Global hotkeys: one interface (`HotkeyBackend`), a backend per platform picked at run time.

    backend = create_backend(parent)
    backend.activated.connect(on_action)        # "toggle", "stop", "quick_start", ...
    errors = backend.register(bindings)         # action -> message, for the ones not active
    backend.errors_changed.connect(show_errors)  # later answers (the portal)
"""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QObject

from .base import ACTIONS, COMMANDS, DEFAULT_BINDINGS, HotkeyBackend, NullBackend
from .keys import Chord, HotkeyError, parse_chord

__all__ = [
    "ACTIONS", "COMMANDS", "DEFAULT_BINDINGS", "Chord", "HotkeyBackend", "HotkeyError",
    "NullBackend", "create_backend", "parse_chord",
]

log = logging.getLogger(__name__)

_DE_SETTINGS = "Bind `trayapp toggle` in your desktop's keyboard settings."


def _x11(parent: QObject | None) -> HotkeyBackend:
    from .x11 import X11Backend

    return X11Backend(parent)


def _portal(parent: QObject | None) -> HotkeyBackend:
    from .portal import PortalBackend

    return PortalBackend(parent)


def _is_wayland() -> bool:
    return bool(os.environ.get("WAYLAND_DISPLAY")) or (
        os.environ.get("XDG_SESSION_TYPE", "").lower() == "wayland"
    )


def _linux(parent: QObject | None) -> HotkeyBackend:
    if not _is_wayland():
        if not os.environ.get("DISPLAY"):
            return NullBackend(f"No X display and no Wayland session. {_DE_SETTINGS}", parent)
        return _usable_or_null(_x11(parent), parent)
    portal = _portal(parent)
    if portal.available:
        return portal
    portal.deleteLater()
    if os.environ.get("DISPLAY"):
        x11 = _x11(parent)
        if x11.available:
            # Available, but XWayland only delivers the keys while an X11 window has focus.
            x11.unavailable_reason = (
                "This Wayland desktop has no GlobalShortcuts portal, so hotkeys go through "
                "XWayland and only work while an X11 window has focus. " + _DE_SETTINGS
            )
            return x11
        x11.deleteLater()
    return NullBackend(
        f"This Wayland desktop has no GlobalShortcuts portal. {_DE_SETTINGS}", parent
    )


def _usable_or_null(backend: HotkeyBackend, parent: QObject | None) -> HotkeyBackend:
    if backend.available:
        return backend
    reason = backend.unavailable_reason
    if "trayapp toggle" not in reason:
        reason = f"{reason} {_DE_SETTINGS}".strip()
    backend.deleteLater()
    return NullBackend(reason, parent)


def create_backend(parent: QObject | None = None) -> HotkeyBackend:
    """The best backend for this platform and session; a NullBackend (with a reason) if none
    works. TRAYAPP_HOTKEYS=x11|portal|none forces a choice (for tests and odd setups)."""
    forced = os.environ.get("TRAYAPP_HOTKEYS", "").strip().lower()
    if forced == "none":
        backend: HotkeyBackend = NullBackend(
            f"Global hotkeys are turned off (TRAYAPP_HOTKEYS=none). {_DE_SETTINGS}", parent
        )
    elif forced == "x11":
        backend = _usable_or_null(_x11(parent), parent)
    elif forced == "portal":
        backend = _usable_or_null(_portal(parent), parent)
    elif sys.platform == "win32":
        from .windows import WindowsBackend

        backend = _usable_or_null(WindowsBackend(parent), parent)
    elif sys.platform == "darwin":
        from .macos import MacBackend

        backend = _usable_or_null(MacBackend(parent), parent)
    elif sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        backend = _linux(parent)
    else:
        backend = NullBackend(f"No global hotkey support on {sys.platform}.", parent)
    if forced and forced not in ("none", "x11", "portal"):
        log.warning("ignoring TRAYAPP_HOTKEYS=%s (use x11, portal or none)", forced)
    log.info("hotkey backend: %s%s", backend.name,
             "" if backend.available else f" ({backend.unavailable_reason})")
    return backend
