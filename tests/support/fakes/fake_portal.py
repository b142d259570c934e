"""A fake xdg-desktop-portal for tests: owns org.freedesktop.portal.Desktop on the session bus and
implements GlobalShortcuts (CreateSession, BindShortcuts, Activated), Session.Close and
host.portal.Registry.Register, answering through Request::Response signals like the real one.

Control it over D-Bus (interface io.github.trayapp.FakePortal at /io/github/trayapp/FakePortal):
  Calls() -> s          JSON list of {"member", "signature", "sender", "body"} received so far
  Activate(s id)        emit Activated(session, id, timestamp, {}) for the newest open session

Options: --no-shortcuts (no GlobalShortcuts interface, like GNOME < 48), --no-registry,
--bind-response N (Response code for BindShortcuts, e.g. 1 = cancelled), --drop ID (leave an id
out of the bound shortcuts), --early-response (send Response before the method's reply),
--bind-error (BindShortcuts fails with an error reply, as some GNOME 48 setups do).
Prints READY once it owns the name. Runs until killed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
GS = "org.freedesktop.portal.GlobalShortcuts"
CONTROL = "io.github.trayapp.FakePortal"
CONTROL_PATH = "/io/github/trayapp/FakePortal"


def plain(value):
    """jeepney values -> JSON-able (variants become [signature, value])."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class FakePortal:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.conn = open_dbus_connection("SESSION")
        self.calls: list[dict] = []
        self.sessions: dict[str, str] = {}  # session handle -> owner's unique name

    def own_name(self) -> None:
        # The previous test's fake may still be releasing the name: retry briefly.
        for _ in range(100):
            reply = self.conn.send_and_get_reply(message_bus.RequestName(NAME, 4), timeout=5)
            if reply.body[0] == 1:  # primary owner
                return
            time.sleep(0.05)
        raise SystemExit(f"could not own {NAME}")

    def run(self) -> None:
        self.own_name()
        print("READY", flush=True)
        while True:
            msg = self.conn.receive()
            if msg.header.message_type == MessageType.method_call:
                self.handle(msg)

    def reply(self, msg, signature=None, body=()) -> None:
        self.conn.send(new_method_return(msg, signature, body))

    def error(self, msg, name: str, text: str) -> None:
        self.conn.send(new_error(msg, name, "s", (text,)))

    def respond(self, sender: str, token: str, code: int, results: dict) -> str:
        """Emit Request::Response on the request path the caller can predict; returns it."""
        path = f"{PATH}/request/{sender.lstrip(':').replace('.', '_')}/{token}"
        signal = new_signal(DBusAddress(path, interface="org.freedesktop.portal.Request"),
                            "Response", "ua{sv}", (code, results))
        signal.header.fields[HeaderFields.destination] = sender
        self.conn.send(signal)
        return path

    def handle(self, msg) -> None:
        f = msg.header.fields
        iface, member = f.get(HeaderFields.interface), f.get(HeaderFields.member)
        sender, path = f.get(HeaderFields.sender), f.get(HeaderFields.path)
        signature = f.get(HeaderFields.signature, "")
        if iface != CONTROL:
            self.calls.append({"interface": iface, "member": member, "signature": signature,
                               "sender": sender, "path": path, "body": plain(msg.body)})
        if iface == CONTROL and member == "Calls":
            return self.reply(msg, "s", (json.dumps(self.calls),))
        if iface == CONTROL and member == "Activate":
            return self.activate(msg)
        if iface == "org.freedesktop.DBus.Properties" and member == "Get":
            if msg.body[0] == GS and not self.args.no_shortcuts:
                return self.reply(msg, "v", (("u", 1),))
            return self.error(msg, "org.freedesktop.DBus.Error.UnknownInterface",
                              f"No such interface “{msg.body[0]}”")
        if iface == "org.freedesktop.host.portal.Registry" and not self.args.no_registry:
            return self.reply(msg)
        if iface == GS and not self.args.no_shortcuts:
            if member == "CreateSession":
                return self.create_session(msg, sender)
            if member == "BindShortcuts":
                return self.bind(msg, sender)
        if iface == "org.freedesktop.portal.Session" and member == "Close":
            self.sessions.pop(path, None)
            return self.reply(msg)
        self.error(msg, "org.freedesktop.DBus.Error.UnknownMethod", f"No method {iface}.{member}")

    def answer(self, msg, sender: str, token: str, code: int, results: dict) -> None:
        path = f"{PATH}/request/{sender.lstrip(':').replace('.', '_')}/{token}"
        if self.args.early_response:
            self.respond(sender, token, code, results)
            self.reply(msg, "o", (path,))
        else:
            self.reply(msg, "o", (path,))
            self.respond(sender, token, code, results)

    def create_session(self, msg, sender: str) -> None:
        options = msg.body[0]
        token = options["handle_token"][1]
        session_token = options["session_handle_token"][1]
        handle = f"{PATH}/session/{sender.lstrip(':').replace('.', '_')}/{session_token}"
        self.sessions[handle] = sender
        self.answer(msg, sender, token, 0, {"session_handle": ("s", handle)})

    def bind(self, msg, sender: str) -> None:
        session, shortcuts, _parent, options = msg.body
        if self.args.bind_error:
            return self.error(msg, "org.freedesktop.DBus.Error.NotSupported",
                              "BindShortcuts is not implemented")
        if session not in self.sessions:
            return self.error(msg, "org.freedesktop.portal.Error.NotFound", "No such session")
        bound = [
            (sid, {"description": props["description"],
                   "trigger_description": ("s", props.get("preferred_trigger", ("s", ""))[1])})
            for sid, props in shortcuts if sid not in self.args.drop
        ]
        self.answer(msg, sender, options["handle_token"][1], self.args.bind_response,
                    {"shortcuts": ("a(sa{sv})", bound)})

    def activate(self, msg) -> None:
        if not self.sessions:
            return self.error(msg, "org.freedesktop.DBus.Error.Failed", "no open session")
        handle, owner = list(self.sessions.items())[-1]
        signal = new_signal(DBusAddress(PATH, interface=GS), "Activated", "osta{sv}",
                            (handle, msg.body[0], int(time.time() * 1000), {}))
        signal.header.fields[HeaderFields.destination] = owner  # the real portal unicasts it
        self.conn.send(signal)
        self.reply(msg)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-shortcuts", action="store_true")
    parser.add_argument("--no-registry", action="store_true")
    parser.add_argument("--early-response", action="store_true")
    parser.add_argument("--bind-error", action="store_true")
    parser.add_argument("--bind-response", type=int, default=0)
    parser.add_argument("--drop", action="append", default=[])
    FakePortal(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
