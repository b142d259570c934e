"""Idle time over the session bus: GNOME's Mutter IdleMonitor (Wayland and X11) and the
freedesktop screensaver (KDE on X11, Xfce, ...). A blocking call on a private jeepney
connection with a short time-out: one round trip of a few milliseconds per reading, and no Qt
(QtDBus would do too; jeepney is what the hotkeys' portal client already uses).

A service is asked only when it has an owner on the bus, so asking never starts one by D-Bus
activation. KDE on Wayland answers GetSessionIdleTime with NotSupported: not available."""

from __future__ import annotations

import logging
from typing import Any

from .base import IdleSource

log = logging.getLogger(__name__)

TIMEOUT = 1.0  # seconds: a desktop that takes longer is not one to ask every few seconds


class DBusIdleSource(IdleSource):
    bus_name = ""
    path = ""
    interface = ""
    method = ""

    def __init__(self, connection: Any = None) -> None:
        super().__init__()
        self._conn: Any = connection
        try:
            from jeepney import DBusAddress
            from jeepney.bus_messages import message_bus
            from jeepney.io.blocking import open_dbus_connection
        except ImportError:
            self.reason = "jeepney (the D-Bus client) is not installed"
            return
        try:
            if self._conn is None:
                self._conn = open_dbus_connection("SESSION", auth_timeout=TIMEOUT)
            reply = self._conn.send_and_get_reply(message_bus.NameHasOwner(self.bus_name),
                                                  timeout=TIMEOUT)
        except Exception as exc:  # no session bus, or it does not answer
            self.reason = f"no D-Bus session bus ({exc})"
            self.close()
            return
        if not reply.body or not reply.body[0]:
            self.reason = f"{self.bus_name} is not on the session bus"
            return
        self._address = DBusAddress(self.path, bus_name=self.bus_name, interface=self.interface)
        self.probe()

    def idle_seconds(self) -> float | None:
        if self._conn is None:
            return None
        from jeepney import MessageType, new_method_call

        reply = self._conn.send_and_get_reply(new_method_call(self._address, self.method),
                                              timeout=TIMEOUT)
        if reply.header.message_type == MessageType.error:
            text = reply.body[0] if reply.body else ""
            error = reply.header.fields.get(4, "error")  # HeaderFields.error_name
            if not self.available:
                self.reason = f"{self.bus_name} refused: {error} {text}".strip()
            else:
                log.info("idle time not read: %s %s", error, text)
            return None
        return float(reply.body[0]) / 1000.0

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None


class MutterSource(DBusIdleSource):
    """GNOME Shell (Mutter): `GetIdletime() -> t` milliseconds, Wayland and X11 alike."""

    name = "mutter"
    bus_name = "org.gnome.Mutter.IdleMonitor"
    path = "/org/gnome/Mutter/IdleMonitor/Core"
    interface = "org.gnome.Mutter.IdleMonitor"
    method = "GetIdletime"


class ScreenSaverSource(DBusIdleSource):
    """`org.freedesktop.ScreenSaver.GetSessionIdleTime() -> u` milliseconds."""

    name = "screensaver"
    bus_name = "org.freedesktop.ScreenSaver"
    path = "/org/freedesktop/ScreenSaver"
    interface = "org.freedesktop.ScreenSaver"
    method = "GetSessionIdleTime"
