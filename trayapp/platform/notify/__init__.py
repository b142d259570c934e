"""Desktop notifications with buttons: one small interface (`Notifier`) and a backend per
platform, picked at run time.

    notifier = create_notifier(tray_icon)
    notifier.show("reminder", "You're not tracking", body, [("start", "Start"), ...])
    notifier.invoked.connect(...)  # (key, action id)

- Linux and the BSDs: `org.freedesktop.Notifications` on the session bus (GNOME Shell, Plasma,
  dunst, mako, xfce4-notifyd...), buttons where the server has the "actions" capability;
- everywhere else, and where there is no server or it shows no buttons: the tray icon's
  balloon (a Windows toast, a macOS notification, Qt's own balloon on an XEmbed tray), without
  buttons; what the buttons do is in the tray menu too.

Windows toasts with buttons need an AppUserModelID registered with the Start menu and WinRT
bindings, macOS notifications with buttons a signed app bundle (UNUserNotificationCenter):
neither is possible from a plain Python process without new dependencies, so both use the
balloon for now. `TRAYAPP_NOTIFY=freedesktop|balloon` forces a choice (tests, odd setups).
"""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from .base import DEFAULT, Action, BalloonNotifier, Notifier

__all__ = ["DEFAULT", "Action", "BalloonNotifier", "Notifier", "create_notifier"]

log = logging.getLogger(__name__)


def _freedesktop(icon: QSystemTrayIcon) -> Notifier:
    from .freedesktop import FreedesktopNotifier

    return FreedesktopNotifier(BalloonNotifier(icon))


def create_notifier(icon: QSystemTrayIcon) -> Notifier:
    """The best notifier here; the balloon where nothing better works."""
    forced = os.environ.get("TRAYAPP_NOTIFY", "").strip().lower()
    notifier: Notifier
    if forced == "freedesktop":
        notifier = _freedesktop(icon)
    elif forced in ("", "auto") and sys.platform.startswith(
            ("linux", "freebsd", "openbsd", "netbsd")) \
            and QGuiApplication.platformName() != "offscreen":
        # (offscreen: no one looks at this desktop; its tests watch the balloon)
        try:
            notifier = _freedesktop(icon)
        except Exception:  # jeepney missing or broken: never worth losing the tray
            log.exception("notifications over D-Bus failed to start")
            notifier = BalloonNotifier(icon)
    else:
        if forced not in ("", "auto", "balloon"):
            log.warning("ignoring TRAYAPP_NOTIFY=%s (use freedesktop or balloon)", forced)
        notifier = BalloonNotifier(icon)
    log.info("notifications: %s", notifier.name)
    return notifier
