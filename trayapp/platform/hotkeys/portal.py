"""Wayland global hotkeys: the XDG desktop portal `org.freedesktop.portal.GlobalShortcuts`.

The desktop owns the bindings: we ask for a session, bind our action ids with a *preferred*
trigger, and the desktop (maybe after asking the user) answers through Request::Response signals.
`register()` therefore returns only what is known at once; the desktop's answer comes through
`errors_changed`. Spec: flatpak.github.io/xdg-desktop-portal (GlobalShortcuts, Request, Session).
"""

from __future__ import annotations

import itertools
import logging
import secrets
from collections.abc import Callable
from typing import Any

from jeepney import DBusAddress, HeaderFields, Message, new_method_call
from jeepney.bus_messages import MatchRule
from PySide6.QtCore import QObject

from ... import APP_ID  # = the installed .desktop file's basename
from .base import HotkeyBackend, describe, known
from .dbus_qt import DBusCallError, DBusClient, error_of
from .keys import Chord, HotkeyError, xdg_trigger

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
GS_IFACE = "org.freedesktop.portal.GlobalShortcuts"
_GS = DBusAddress(PATH, bus_name=BUS_NAME, interface=GS_IFACE)
_REGISTRY = DBusAddress(PATH, bus_name=BUS_NAME, interface="org.freedesktop.host.portal.Registry")
_PROPS = DBusAddress(PATH, bus_name=BUS_NAME, interface="org.freedesktop.DBus.Properties")

NO_PORTAL = (
    "This desktop has no GlobalShortcuts portal. Bind `trayapp toggle` in your desktop's "
    "keyboard settings."
)

ResponseHandler = Callable[[int, dict[str, Any]], None]


def _split(sig: str) -> tuple[str, str]:
    """The first complete D-Bus type in `sig`, and the rest."""
    if sig[0] == "a":
        inner, rest = _split(sig[1:])
        return "a" + inner, rest
    if sig[0] in "({":
        depth = 0
        for i, ch in enumerate(sig):
            depth += ch in "({"
            depth -= ch in ")}"
            if depth == 0:
                return sig[: i + 1], sig[i + 1 :]
    return sig[0], sig[1:]


def unwrap(sig: str, value: Any) -> Any:
    """Strip jeepney's (signature, value) variant pairs from a value of type `sig`."""
    if sig == "v":
        return unwrap(*value)
    if sig.startswith("a{"):
        key_sig, val_sig = _split(sig[2:-1])
        return {unwrap(key_sig, k): unwrap(val_sig, v) for k, v in value.items()}
    if sig.startswith("a"):
        return [unwrap(sig[1:], item) for item in value]
    if sig.startswith("("):
        sigs, rest = [], sig[1:-1]
        while rest:
            first, rest = _split(rest)
            sigs.append(first)
        return tuple(unwrap(s, item) for s, item in zip(sigs, value, strict=True))
    return value


class PortalBackend(HotkeyBackend):
    name = "portal"
    grabs_keys = False  # the desktop owns the keys and asks the user; nothing to pause

    def __init__(
        self, parent: QObject | None = None, app_id: str = APP_ID, bus: str = "SESSION"
    ) -> None:
        super().__init__(parent)
        self.version = 0
        self.triggers: dict[str, str] = {}  # action -> the desktop's description of its trigger
        self._session: str | None = None
        self._gen = 0  # bumped by every register/unregister: answers to older requests are stale
        self._wanted: dict[str, str] = {}  # action -> preferred trigger, for the current _gen
        self._errors: dict[str, str] = {}
        self._requests: dict[str, ResponseHandler] = {}  # request object path -> handler
        self._tokens = itertools.count(1)
        self._salt = secrets.token_hex(3)
        try:
            self._bus: DBusClient | None = DBusClient(bus, self)
        except Exception as exc:  # no bus address, refused, timed out...
            self._bus = None
            self.unavailable_reason = f"{NO_PORTAL} (No D-Bus session bus: {exc})"
            return
        self._bus.disconnected.connect(self._on_disconnected)
        self._register_app(self._bus, app_id)
        problem = self._check_version(self._bus)
        if problem:
            log.info("GlobalShortcuts portal unavailable: %s", problem)
            self.unavailable_reason = NO_PORTAL
            self._bus.close()
            self._bus = None
            return
        sender = self._bus.unique_name.lstrip(":").replace(".", "_")
        self._request_prefix = f"{PATH}/request/{sender}/"
        self._bus.add_match(
            MatchRule(type="signal", interface="org.freedesktop.portal.Request",
                      member="Response", path_namespace=self._request_prefix.rstrip("/")),
            self._on_response,
        )
        self._bus.add_match(
            MatchRule(type="signal", interface=GS_IFACE, member="Activated", path=PATH),
            self._on_activated,
        )
        self.available = True

    # -- start-up ------------------------------------------------------------------------------

    def _register_app(self, client: DBusClient, app_id: str) -> None:
        """Host apps tell the portal their app id first (xdg-desktop-portal >= 1.19); older
        portals and sandboxed apps answer with an error, which is fine to ignore."""
        msg = new_method_call(_REGISTRY, "Register", "sa{sv}", (app_id, {}))
        err: DBusCallError | str | None  # only logged
        try:
            err = error_of(client.call_blocking(msg))
        except TimeoutError:
            err = "timed out"
        if err:
            log.debug("portal Registry.Register(%s) not done: %s", app_id, err)

    def _check_version(self, client: DBusClient) -> str | None:
        """The portal bus name exists on desktops with no shortcuts backend: ask the interface."""
        msg = new_method_call(_PROPS, "Get", "ss", (GS_IFACE, "version"))
        try:
            reply = client.call_blocking(msg)
        except TimeoutError:
            return "the portal did not answer"
        err = error_of(reply)
        if err:
            return str(err)
        self.version = int(unwrap("v", reply.body[0]))
        return None if self.version >= 1 else f"version {self.version}"

    # -- registration --------------------------------------------------------------------------

    def _register_chords(self, chords: dict[str, Chord]) -> dict[str, str]:
        errors: dict[str, str] = {}
        wanted: dict[str, str] = {}
        for action, chord in chords.items():
            try:
                wanted[action] = xdg_trigger(chord)
            except HotkeyError as exc:
                errors[action] = str(exc)
        self._wanted = wanted
        self._errors = dict(errors)
        if wanted:
            # A session binds once: a new set of shortcuts needs a new session.
            self._create_session(self._gen)
        return errors

    def unregister_all(self) -> None:
        self._gen += 1
        self._wanted = {}
        self.triggers = {}
        if self._session and self._bus is not None:
            self._close_session(self._session)
        self._session = None

    def _create_session(self, gen: int) -> None:
        options = {
            "handle_token": ("s", self._token()),
            "session_handle_token": ("s", self._token()),
        }
        msg = new_method_call(_GS, "CreateSession", "a{sv}", (options,))
        self._request(msg, options, lambda code, res: self._on_session(gen, code, res))

    def _on_session(self, gen: int, code: int, results: dict[str, Any]) -> None:
        handle = results.get("session_handle")
        if gen != self._gen:
            if code == 0 and handle:
                self._close_session(str(handle))  # superseded while it was being created
            return
        if code != 0 or not handle:
            self._fail_all("The desktop refused a global shortcuts session")
            return
        self._session = str(handle)
        shortcuts = [
            (action, {"description": ("s", describe(action)), "preferred_trigger": ("s", trig)})
            for action, trig in self._wanted.items()
        ]
        options = {"handle_token": ("s", self._token())}
        msg = new_method_call(
            _GS, "BindShortcuts", "oa(sa{sv})sa{sv}", (self._session, shortcuts, "", options)
        )
        self._request(msg, options, lambda code, res: self._on_bound(gen, code, res))

    def _on_bound(self, gen: int, code: int, results: dict[str, Any]) -> None:
        if gen != self._gen:
            return
        if code == 1:
            self._fail_all("Not active: the desktop's shortcut request was cancelled")
            return
        if code != 0:
            self._fail_all("The desktop refused to bind this shortcut")
            return
        bound = {sid: props for sid, props in results.get("shortcuts", [])}
        for action in self._wanted:
            if action in bound:
                self.triggers[action] = str(bound[action].get("trigger_description", ""))
            else:
                self._errors[action] = "The desktop did not bind this shortcut"
        self.errors_changed.emit(dict(self._errors))

    def _fail_all(self, message: str) -> None:
        self._errors.update({action: message for action in self._wanted})
        self.errors_changed.emit(dict(self._errors))

    # -- requests and signals -----------------------------------------------------------------

    def _token(self) -> str:
        return f"trayapp_{self._salt}_{next(self._tokens)}"

    def _request(self, msg: Message, options: dict, handler: ResponseHandler) -> None:
        """Call a portal method that answers via a Request object. We listen on the predicted
        path before calling: a fast portal can send Response before the method's reply."""
        path = self._request_prefix + options["handle_token"][1]
        self._requests[path] = handler
        gen = self._gen

        def on_reply(reply: Message) -> None:
            err = error_of(reply)
            if err:
                self._requests.pop(path, None)
                log.warning("portal %s failed: %s", msg.header.fields[HeaderFields.member], err)
                if gen == self._gen:
                    self._fail_all(f"The desktop's shortcut portal failed: {err}")
                return
            actual = str(reply.body[0])
            if actual != path and path in self._requests:  # portals before 0.9 used other paths
                self._requests[actual] = self._requests.pop(path)

        self._live_bus().call(msg, on_reply)

    def _on_response(self, msg: Message) -> None:
        handler = self._requests.pop(msg.header.fields.get(HeaderFields.path, ""), None)
        if handler is not None:
            code, results = msg.body
            handler(int(code), unwrap("a{sv}", results))

    def _on_activated(self, msg: Message) -> None:
        session, shortcut_id = str(msg.body[0]), str(msg.body[1])
        if session == self._session and known(shortcut_id):
            self.activated.emit(shortcut_id)

    def _close_session(self, handle: str) -> None:
        session = DBusAddress(handle, bus_name=BUS_NAME, interface="org.freedesktop.portal.Session")
        self._live_bus().call(new_method_call(session, "Close"))

    def _live_bus(self) -> DBusClient:
        # Requests are made only while available (or from the bus's own callbacks), and
        # `available` is True exactly while the connection is up.
        assert self._bus is not None, "portal request without a D-Bus connection"
        return self._bus

    def _on_disconnected(self, why: str) -> None:
        self.available = False
        self.unavailable_reason = f"Lost the connection to the desktop portal ({why})."
        self._session = None
        self._bus = None
        self._fail_all("Not active: lost the connection to the desktop portal")

    def close(self) -> None:
        if self._bus is not None:
            self.unregister_all()
            self._bus.close()
            self._bus = None
        self.available = False
