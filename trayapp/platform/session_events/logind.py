"""Linux: systemd-logind (or elogind) on the system bus, and the screen saver on the session bus.

Sleep and shutdown: logind announces them with `PrepareForSleep(true)` / `PrepareForShutdown
(true)` and waits for the holders of *delay* inhibitor locks to close their file descriptor
(at most InhibitDelayMaxSec, 5 s by default). The lock is taken at start, let go by
`release()` once the app has the stop on disk, and taken again on `PrepareForSleep(false)`
(woken up) and `PrepareForShutdown(false)` (shutdown cancelled): without a lock held before
the next announcement, nothing waits for us. Spec: systemd.io/INHIBITOR_LOCKS, org.freedesktop
.login1(5).

The lock screen: the session's `Lock` / `Unlock` signals (logind asks the locker, e.g.
`loginctl lock-session`), its `LockedHint` property (set by GNOME and Plasma's lockers), and
`ActiveChanged(b)` of org.freedesktop.ScreenSaver / org.gnome.ScreenSaver on the session bus
(what Toggl Desktop listened to). Any of them; `going("lock")` / `back("lock")` only on a change.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from jeepney import DBusAddress, HeaderFields, Message, new_method_call
from jeepney.bus_messages import MatchRule
from PySide6.QtCore import QObject

from ..hotkeys.dbus_qt import DBusClient, error_of
from .base import SessionEvents

log = logging.getLogger(__name__)

LOGIND = "org.freedesktop.login1"
MANAGER = DBusAddress("/org/freedesktop/login1", bus_name=LOGIND,
                      interface="org.freedesktop.login1.Manager")
SESSION_IFACE = "org.freedesktop.login1.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"
SCREENSAVERS = ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver")
WHAT, WHO, WHY, MODE = "sleep:shutdown", "trayapp", "Saving the running timer", "delay"


class LogindEvents(SessionEvents):
    name = "logind"

    def __init__(self, system_bus: str = "SYSTEM", session_bus: str | None = "SESSION",
                 parent: QObject | None = None) -> None:
        """`system_bus`: where logind is ("SYSTEM" or an address: a fake in tests);
        `session_bus`: where the screen saver is (None: not listened to)."""
        super().__init__(parent)
        self.fd: int | None = None  # the delay lock held
        self.locked = False
        self.session_path: str | None = None
        self._wanted = False  # a lock was asked for and not given yet
        self._saver: DBusClient | None = None
        self.system = DBusClient(system_bus, self, enable_fds=True)
        self.system.add_match(MatchRule(type="signal", interface=MANAGER.interface,
                                        path=MANAGER.object_path), self._manager_signal)
        self.available = True
        self.can_delay = True
        self.take()
        self._find_session()
        if session_bus is not None:
            try:
                self._saver = DBusClient(session_bus, self)
            except Exception as exc:  # no session bus: logind alone
                log.info("session events: no session bus (%s)", exc)
            else:
                for name in SCREENSAVERS:
                    self._saver.add_match(MatchRule(type="signal", interface=name,
                                                    member="ActiveChanged"), self._saver_signal)

    # -- the delay lock -------------------------------------------------------------------------
    def take(self) -> None:
        """Ask for a delay lock (nothing when one is held or on its way)."""
        if self.fd is not None or self._wanted:
            return
        self._wanted = True
        call = new_method_call(MANAGER, "Inhibit", "ssss", (WHAT, WHO, WHY, MODE))
        self.system.call(call, self._taken)

    def _taken(self, reply: Message) -> None:
        self._wanted = False
        error = error_of(reply)
        if error is not None:
            log.warning("session events: no delay lock from logind (%s)", error)
            self.can_delay = False
            self.reason = (f"logind gave no delay lock ({error}): a stop on sleep or "
                           "shutdown may not reach the disk in time")
            return
        fd = reply.body[0].to_raw_fd()
        if self.fd is not None:  # (two asked for at once: keep one)
            os.close(fd)
            return
        self.fd, self.can_delay, self.reason = fd, True, ""
        log.info("session events: delay lock taken (fd %d)", fd)

    def release(self) -> None:
        super().release()
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)
            log.info("session events: delay lock let go")

    # -- logind's announcements ---------------------------------------------------------------
    def _manager_signal(self, msg: Message) -> None:
        member = msg.header.fields.get(HeaderFields.member)
        event = {"PrepareForSleep": "sleep", "PrepareForShutdown": "shutdown"}.get(member or "")
        if event is None or not msg.body:
            return
        if msg.body[0]:
            log.info("session events: %s", event)
            if self.fd is None:
                log.warning("session events: %s without a delay lock held", event)
            self._going(event)
        else:
            log.info("session events: back from %s", event)
            self.take()
            self.back.emit(event)

    # -- the lock screen ------------------------------------------------------------------------
    def _find_session(self) -> None:
        call = new_method_call(MANAGER, "GetSessionByPID", "u", (os.getpid(),))
        self.system.call(call, self._session_found)

    def _session_found(self, reply: Message, asked_by_id: bool = False) -> None:
        error = error_of(reply)
        if error is not None:
            session_id = os.environ.get("XDG_SESSION_ID")
            if session_id and not asked_by_id:  # e.g. started by a systemd user service
                call = new_method_call(MANAGER, "GetSession", "s", (session_id,))
                self.system.call(call, lambda r: self._session_found(r, asked_by_id=True))
            else:
                log.info("session events: no logind session (%s): the lock screen is seen "
                         "through the screen saver only", error)
            return
        path = str(reply.body[0])
        self.session_path = path
        self.system.add_match(MatchRule(type="signal", interface=SESSION_IFACE, path=path),
                              self._session_signal)
        self.system.add_match(MatchRule(type="signal", interface=PROPERTIES,
                                        member="PropertiesChanged", path=path),
                              self._session_properties)

    def _session_signal(self, msg: Message) -> None:
        member = msg.header.fields.get(HeaderFields.member)
        if member in ("Lock", "Unlock"):
            self._set_locked(member == "Lock")

    def _session_properties(self, msg: Message) -> None:
        if len(msg.body) < 2 or msg.body[0] != SESSION_IFACE:
            return
        changed: dict[str, Any] = msg.body[1]
        if "LockedHint" in changed:
            self._set_locked(bool(changed["LockedHint"][1]))

    def _saver_signal(self, msg: Message) -> None:
        if msg.body:
            self._set_locked(bool(msg.body[0]))

    def _set_locked(self, locked: bool) -> None:
        if locked == self.locked:
            return  # the same lock told twice (signal, hint, screen saver)
        self.locked = locked
        log.info("session events: %s", "locked" if locked else "unlocked")
        if locked:
            self._going("lock")
        else:
            self.back.emit("lock")

    def close(self) -> None:
        super().close()
        self.system.close()
        if self._saver is not None:
            self._saver.close()
            self._saver = None
