"""Linux and the BSDs: `org.freedesktop.Notifications` over the session bus, with buttons.

One private jeepney connection driven from the Qt event loop (the DBusClient the portal
hotkeys use), asynchronous throughout: the GUI thread never waits on the notification
server, which may be started by D-Bus activation when first asked. At start `GetCapabilities`
says whether the server shows buttons ("actions"); until it has answered, and where it does not
show them, the notifications go to the fallback (the tray balloon).

Each key keeps its notification id and passes it as `replaces_id`, so a key shown again is
updated in place. `ActionInvoked` and `NotificationClosed` are broadcast to every client of the
server: only our own ids count (Qt's QDBusTrayIcon reacts to anyone's, qBittorrent #9084).
Spec: specifications.freedesktop.org/notification-spec (1.2).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from jeepney import DBusAddress, HeaderFields, Message, new_method_call
from jeepney.bus_messages import MatchRule, message_bus
from PySide6.QtCore import QObject

from ... import APP_ID, APP_NAME
from ..hotkeys.dbus_qt import DBusClient, error_of
from .base import DEFAULT, Action, Notifier

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
_SERVER = DBusAddress(PATH, bus_name=BUS_NAME, interface=BUS_NAME)
EXPIRE_DEFAULT = -1  # the server's own time-out
NEVER = 0  # stays until answered or dismissed


class FreedesktopNotifier(Notifier):
    name = "freedesktop"

    def __init__(self, fallback: Notifier, client: DBusClient | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fallback = fallback
        fallback.invoked.connect(self.invoked)
        fallback.closed.connect(self.closed)
        self.capabilities: list[str] | None = None  # None: not known yet
        self.server = ""  # its name and version, for the log
        self._ids: dict[str, int] = {}  # key -> id of the notification shown
        self._keys: dict[int, str] = {}  # id -> key
        self._withdrawn: set[str] = set()  # withdrawn before the server gave its id
        self._client: DBusClient | None = client
        try:
            if self._client is None:
                self._client = DBusClient("SESSION", self)
        except Exception as exc:  # no session bus: the balloon it is
            log.info("notifications: no session bus (%s)", exc)
            return
        # No sender in the rule: the bus would resolve the name, but the rule is also
        # matched here, against the server's unique name. Our ids are the filter.
        signals = MatchRule(type="signal", interface=BUS_NAME, path=PATH)
        self._client.add_match(signals, self._signal)
        # Ask whether a server is there (running or activatable) before anything can start
        # one: a desktop with none gets the balloon at once, without a D-Bus time-out.
        self._client.call(message_bus.NameHasOwner(BUS_NAME), self._owner_known)

    @property
    def ready(self) -> bool:
        return self.capabilities is not None

    @property
    def has_actions(self) -> bool:
        return self.capabilities is not None and "actions" in self.capabilities

    # -- start-up ---------------------------------------------------------------------------
    def _owner_known(self, reply: Message) -> None:
        if error_of(reply) is None and reply.body and reply.body[0]:
            self._ask_capabilities()
        elif self._client is not None:
            self._client.call(message_bus.ListActivatableNames(), self._activatable_known)

    def _activatable_known(self, reply: Message) -> None:
        if error_of(reply) is None and reply.body and BUS_NAME in reply.body[0]:
            self._ask_capabilities()
        else:
            log.info("notifications: no notification server on the session bus: tray balloon")
            self.capabilities = []

    def _ask_capabilities(self) -> None:
        assert self._client is not None
        self._client.call(new_method_call(_SERVER, "GetCapabilities"), self._capabilities)
        self._client.call(new_method_call(_SERVER, "GetServerInformation"), self._information)

    def _capabilities(self, reply: Message) -> None:
        error = error_of(reply)
        if error is not None:
            log.info("notifications: the server did not answer (%s): tray balloon", error)
            self.capabilities = []
            return
        self.capabilities = [str(c) for c in reply.body[0]]
        log.info("notifications: %s, capabilities %s", self.server or "server",
                 ", ".join(self.capabilities))

    def _information(self, reply: Message) -> None:
        if error_of(reply) is None and len(reply.body) >= 3:
            self.server = f"{reply.body[0]} {reply.body[2]}"

    # -- showing ----------------------------------------------------------------------------
    def show(self, key: str, title: str, body: str, actions: Sequence[Action] = (), *,
             persistent: bool = False) -> None:
        if self._client is None or not self.has_actions:
            self.fallback.show(key, title, body, actions, persistent=persistent)
            return
        flat: list[str] = []
        for action_id, label in actions:
            flat += [action_id, label]
        hints = {"desktop-entry": ("s", APP_ID), "urgency": ("y", 1)}
        if persistent:
            hints["resident"] = ("b", True)  # stays after a button (GNOME, Plasma)
        self._withdrawn.discard(key)
        call = new_method_call(_SERVER, "Notify", "susssasa{sv}i", (
            APP_NAME, self._ids.get(key, 0), APP_ID, title, body, flat, hints,
            NEVER if persistent else EXPIRE_DEFAULT))
        self._client.call(call, lambda reply: self._shown(key, reply))

    def _shown(self, key: str, reply: Message) -> None:
        error = error_of(reply)
        if error is not None:
            log.warning("notification not shown: %s", error)
            return
        number = int(reply.body[0])
        self._ids[key] = number
        self._keys[number] = key
        if key in self._withdrawn:  # withdrawn while on its way
            self.withdraw(key)

    def withdraw(self, key: str) -> None:
        self.fallback.withdraw(key)
        number = self._ids.pop(key, None)
        if number is None:
            self._withdrawn.add(key)
            return
        self._keys.pop(number, None)
        if self._client is not None:
            try:
                self._client.call(new_method_call(_SERVER, "CloseNotification", "u", (number,)))
            except Exception as exc:  # the bus is gone: nothing shown either
                log.info("notification not withdrawn: %s", exc)

    # -- what the server tells -----------------------------------------------------------------
    def _signal(self, msg: Message) -> None:
        member = msg.header.fields.get(HeaderFields.member)
        number = int(msg.body[0]) if msg.body else -1
        key = self._keys.get(number)
        if key is None:
            return  # someone else's notification
        if member == "ActionInvoked":
            action = str(msg.body[1])
            log.info("notification %s: %s", key, action)
            self.invoked.emit(key, action or DEFAULT)
        elif member == "NotificationClosed":
            self._keys.pop(number, None)
            if self._ids.get(key) == number:
                del self._ids[key]
            self.closed.emit(key)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self.fallback.close()
