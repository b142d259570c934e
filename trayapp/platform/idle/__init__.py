"""How long since the user last touched the keyboard or the mouse: one small interface
(`IdleSource`) and a backend per desktop, picked at run time.

    source = create_source()
    source.idle_seconds()      # float, or None when it cannot be read now
    source.available, source.reason, source.name

- X11: the MIT-SCREEN-SAVER extension (XScreenSaverQueryInfo through ctypes on libXss);
- GNOME (Wayland and X11): Mutter's `org.gnome.Mutter.IdleMonitor.GetIdletime`;
- other desktops with `org.freedesktop.ScreenSaver.GetSessionIdleTime` (KDE on X11, Xfce...);
- Windows: GetLastInputInfo; macOS: CGEventSourceSecondsSinceLastEventType.

Where none works, a `NullSource` says why (Settings shows it). Every backend is Qt-free and
cheap to ask (one X request, one D-Bus round trip or one system call): the rules of idle
time (control/idle.py) decide how often. `TRAYAPP_IDLE=x11|mutter|screensaver|none` forces a
choice (tests, odd setups).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from .base import IdleSource, NullSource

__all__ = ["IdleSource", "NullSource", "create_source"]

log = logging.getLogger(__name__)


def _x11() -> IdleSource:
    from .x11 import XScreenSaverSource

    return XScreenSaverSource()


def _mutter() -> IdleSource:
    from .dbus import MutterSource

    return MutterSource()


def _screensaver() -> IdleSource:
    from .dbus import ScreenSaverSource

    return ScreenSaverSource()


def _is_wayland() -> bool:
    return bool(os.environ.get("WAYLAND_DISPLAY")) or (
        os.environ.get("XDG_SESSION_TYPE", "").lower() == "wayland")


def _first(makers: list[Callable[[], IdleSource]], none_found: str) -> IdleSource:
    reasons: list[str] = []
    for make in makers:
        try:
            source = make()
        except Exception as exc:  # a backend that cannot even be built is just not this one
            log.info("idle source failed to start: %r", exc)
            continue
        if source.available:
            return source
        source.close()
        if source.reason:
            reasons.append(source.reason)
    return NullSource(f"{none_found} ({'; '.join(reasons)})" if reasons else none_found)


def _linux() -> IdleSource:
    if _is_wayland():
        # XWayland's idle counter only sees X clients' input: never trusted on Wayland.
        return _first([_mutter, _screensaver],
                      "this Wayland desktop offers neither GNOME's idle monitor nor the "
                      "freedesktop screensaver's idle time")
    if not os.environ.get("DISPLAY"):
        return NullSource("there is no X display and no Wayland session")
    return _first([_x11, _mutter, _screensaver],
                  "the X server has no screen saver extension and the desktop offers no "
                  "idle time over D-Bus")


def create_source() -> IdleSource:
    """The best idle source here; a NullSource with a reason when none works."""
    forced = os.environ.get("TRAYAPP_IDLE", "").strip().lower()
    makers = {"x11": _x11, "mutter": _mutter, "screensaver": _screensaver}
    if forced == "none":
        source: IdleSource = NullSource("it is turned off (TRAYAPP_IDLE=none)")
    elif forced in makers:
        source = _first([makers[forced]], f"the {forced} idle source does not answer")
    elif sys.platform == "win32":
        from .windows import WindowsSource

        source = _first([WindowsSource], "Windows did not give the time of the last input")
    elif sys.platform == "darwin":
        from .macos import MacSource

        source = _first([MacSource], "macOS did not give the time of the last input")
    elif sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        source = _linux()
    else:
        source = NullSource(f"there is no idle time on {sys.platform}")
    if forced and forced != "none" and forced not in makers:
        log.warning("ignoring TRAYAPP_IDLE=%s (use x11, mutter, screensaver or none)", forced)
    log.info("idle source: %s%s", source.name,
             "" if source.available else f" ({source.reason})")
    return source
