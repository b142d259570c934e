"""A jeepney D-Bus connection driven from the Qt event loop (QSocketNotifier, GUI thread).

Why jeepney and not QtDBus: the portal's BindShortcuts takes `a(sa{sv})`, and PySide6 cannot
register the struct's D-Bus type (no qDBusRegisterMetaType), so QtDBus would send `av` instead.
jeepney takes explicit signatures; it is already installed on Linux as a keyring dependency.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from jeepney import HeaderFields, Message, MessageType
from jeepney.bus_messages import MatchRule, message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

log = logging.getLogger(__name__)

Handler = Callable[[Message], None]


class DBusCallError(Exception):
    """An error reply; `name` is the D-Bus error name."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{name}: {text}" if text else name)
        self.name = name


def error_of(msg: Message) -> DBusCallError | None:
    """The error carried by a reply, or None for a normal method return."""
    if msg.header.message_type != MessageType.error:
        return None
    name = msg.header.fields.get(HeaderFields.error_name, "org.freedesktop.DBus.Error.Failed")
    text = msg.body[0] if msg.body and isinstance(msg.body[0], str) else ""
    return DBusCallError(name, text)


class DBusClient(QObject):
    """Async method calls with callbacks and signal handlers on one private bus connection."""

    disconnected = Signal(str)

    def __init__(self, bus: str = "SESSION", parent: QObject | None = None, *,
                 enable_fds: bool = False) -> None:
        """`bus`: "SESSION", "SYSTEM" or an address; `enable_fds`: receive file descriptors
        (logind's inhibitor locks)."""
        super().__init__(parent)
        self._conn: DBusConnection | None = open_dbus_connection(
            bus, auth_timeout=2.0, enable_fds=enable_fds)
        self.unique_name: str = self._conn.unique_name
        self._replies: dict[int, Handler] = {}
        self._matches: list[tuple[MatchRule, Handler]] = []
        self._notifier = QSocketNotifier(self._conn.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def call(self, msg: Message, on_reply: Handler | None = None) -> None:
        """Send a method call; `on_reply` gets the return or error message on the GUI thread."""
        serial = next(self._live().outgoing_serial)
        if on_reply is not None:
            self._replies[serial] = on_reply
        self._send(msg, serial)

    def call_blocking(self, msg: Message, timeout: float = 3.0) -> Message:
        """Wait for the reply (start-up checks only); other messages are dispatched meanwhile."""
        serial = next(self._live().outgoing_serial)
        self._send(msg, serial)
        deadline = time.monotonic() + timeout
        try:
            while True:
                # _live() each time: a handler dispatched below may have closed the connection.
                reply = self._live().receive(timeout=max(0.0, deadline - time.monotonic()))
                if reply.header.fields.get(HeaderFields.reply_serial) == serial:
                    return reply
                self._dispatch(reply)
        finally:
            # Bytes already buffered by the parser no longer make the socket readable.
            QTimer.singleShot(0, self._drain)

    def add_match(self, rule: MatchRule, handler: Handler) -> None:
        """Route signals matching `rule` to `handler` (and ask the bus to send them to us)."""
        self._matches.append((rule, handler))
        self.call(message_bus.AddMatch(rule))

    def _live(self) -> DBusConnection:
        """The open connection; using a closed client is an error callers can catch."""
        if self._conn is None:
            raise DBusCallError("org.freedesktop.DBus.Error.Disconnected", "connection closed")
        return self._conn

    def _send(self, msg: Message, serial: int) -> None:
        self._live().send(msg, serial=serial)

    def _drain(self) -> None:
        while self._conn is not None:
            try:
                msg = self._conn.receive(timeout=0)
            except TimeoutError:
                return
            except (OSError, ValueError) as exc:  # bus gone or garbage: stop, say so once
                log.warning("D-Bus connection lost: %s", exc)
                self.close()
                self.disconnected.emit(str(exc))
                return
            self._dispatch(msg)

    def _dispatch(self, msg: Message) -> None:
        reply_to = msg.header.fields.get(HeaderFields.reply_serial)
        if reply_to is not None:
            handler = self._replies.pop(reply_to, None)
            if handler is not None:
                self._safely(handler, msg)
            return
        if msg.header.message_type == MessageType.signal:
            for rule, handler in list(self._matches):
                if rule.matches(msg):
                    self._safely(handler, msg)

    @staticmethod
    def _safely(handler: Handler, msg: Message) -> None:
        # A bug in one handler must not kill the connection's read loop.
        try:
            handler(msg)
        except Exception:
            log.exception("D-Bus handler failed")

    def close(self) -> None:
        if self._conn is None:
            return
        self._notifier.setEnabled(False)
        self._conn.close()
        self._conn = None
        self._replies.clear()
