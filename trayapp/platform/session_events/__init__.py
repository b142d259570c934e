"""Sleep, shutdown and the screen lock, told by the system: one small interface
(`SessionEvents`: `going(event)`, `back(event)`, `release()`) and a backend per system.

- Linux: logind on the system bus (`PrepareForSleep`, `PrepareForShutdown`, with a *delay*
  inhibitor lock so the stop is on disk before the machine goes; the session's `Lock` /
  `Unlock` and `LockedHint`), and `ActiveChanged` of the screen saver on the session bus
  (org.freedesktop.ScreenSaver, org.gnome.ScreenSaver) where that is what the desktop emits.
  `TRAYAPP_LOGIND_BUS` (a D-Bus address) replaces the system bus (tests: a fake logind).
- Windows: not available yet (it would take WM_POWERBROADCAST and WTS session changes on a
  hidden top-level window: Qt's own message window gets no broadcasts); Settings says so.
- macOS: not available (NSWorkspace's notifications need an Objective-C block or observer
  object, which takes PyObjC); Settings says so.

`TRAYAPP_SESSION_EVENTS=none` turns them off (tests, odd setups).
"""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QObject

from .base import NullEvents, SessionEvents

__all__ = ["NullEvents", "SessionEvents", "create_events"]

log = logging.getLogger(__name__)

WINDOWS_REASON = ("trayapp cannot hear of sleep or the screen lock on Windows yet; idle "
                  "detection still notices the time away")
MACOS_REASON = ("trayapp cannot hear of sleep or the screen lock on macOS yet (it would need "
                "PyObjC); idle detection still notices the time away")


def create_events(parent: QObject | None = None) -> SessionEvents:
    """The backend for this system, or a NullEvents that says why there is none."""
    if os.environ.get("TRAYAPP_SESSION_EVENTS") == "none":
        return NullEvents("turned off (TRAYAPP_SESSION_EVENTS=none)", parent)
    try:
        if sys.platform == "win32":
            return NullEvents(WINDOWS_REASON, parent)
        if sys.platform == "darwin":
            return NullEvents(MACOS_REASON, parent)
        from .logind import LogindEvents

        return LogindEvents(os.environ.get("TRAYAPP_LOGIND_BUS") or "SYSTEM", "SESSION",
                            parent=parent)
    except OSError as exc:  # no system bus (a container, a bare CI box)
        log.info("no sleep / lock events: %s", exc)
        return NullEvents(f"the system bus cannot be reached ({exc})", parent)
    except Exception as exc:  # a broken backend must not break the tray
        log.exception("no sleep / lock events")
        return NullEvents(f"they failed to start ({exc})", parent)
