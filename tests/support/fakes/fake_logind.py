"""A fake systemd-logind for tests: owns org.freedesktop.login1 on the bus at ADDRESS (a private
dbus-daemon standing in for the system bus) and implements Manager.Inhibit (a real file
descriptor: the write end of a pipe, so closing it is seen here as end of file),
GetSessionByPID and GetSession, and emits the signals a test asks for.

Control it over D-Bus (interface io.github.trayapp.FakeLogind at /io/github/trayapp/FakeLogind):
  Emit(s what, b value)  what: "sleep" (PrepareForSleep), "shutdown" (PrepareForShutdown),
                         "lock" (the session's Lock if value else Unlock), "hint" (LockedHint
                         in PropertiesChanged), "saver" (org.freedesktop.ScreenSaver
                         ActiveChanged)
  Log() -> s             JSON list of what happened: {"event": "inhibit", "args": [...]},
                         {"event": "released", "outbox": [...], "entries": [...]} (the store
                         read at the moment the lock was seen closed, when --db is given),
                         {"event": "emit", ...}
  Held() -> u            delay locks held now

Options: --db PATH (the app's sqlite store, read on each release), --no-inhibit (Inhibit fails
with AccessDenied). Prints READY once it owns the name. Runs until killed.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import sqlite3
import sys
import time

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION_PATH = "/org/freedesktop/login1/session/_31"
SESSION = "org.freedesktop.login1.Session"
CONTROL = "io.github.trayapp.FakeLogind"


class FakeLogind:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.conn = open_dbus_connection(args.address, enable_fds=True)
        self.log: list[dict] = []
        self.held: dict[int, dict] = {}  # read end -> the Inhibit call's arguments
        self.sel = selectors.DefaultSelector()

    def run(self) -> None:
        reply = self.conn.send_and_get_reply(message_bus.RequestName(NAME, 4), timeout=5)
        if reply.body[0] != 1:
            raise SystemExit(f"could not own {NAME}")
        self.sel.register(self.conn.sock, selectors.EVENT_READ, "bus")
        print("READY", flush=True)
        while True:
            for key, _ in self.sel.select():
                if key.data == "bus":
                    self.drain()
                else:
                    self.released(key.fd)

    def drain(self) -> None:
        while True:
            try:
                msg = self.conn.receive(timeout=0)
            except TimeoutError:
                return
            if msg.header.message_type == MessageType.method_call:
                self.handle(msg)

    def reply(self, msg, signature=None, body=()) -> None:
        self.conn.send(new_method_return(msg, signature, body))

    def handle(self, msg) -> None:
        f = msg.header.fields
        iface, member = f.get(HeaderFields.interface), f.get(HeaderFields.member)
        if iface == MANAGER and member == "Inhibit":
            return self.inhibit(msg)
        if iface == MANAGER and member in ("GetSessionByPID", "GetSession"):
            return self.reply(msg, "o", (SESSION_PATH,))
        if iface == CONTROL and member == "Log":
            return self.reply(msg, "s", (json.dumps(self.log),))
        if iface == CONTROL and member == "Held":
            return self.reply(msg, "u", (len(self.held),))
        if iface == CONTROL and member == "Emit":
            self.emit(*msg.body)
            return self.reply(msg)
        self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                 (f"No method {iface}.{member}",)))

    def inhibit(self, msg) -> None:
        self.log.append({"event": "inhibit", "args": list(msg.body),
                         "at": time.monotonic()})
        if self.args.no_inhibit:
            return self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.AccessDenied",
                                            "s", ("Permission denied",)))
        read_end, write_end = os.pipe()
        self.held[read_end] = {"args": list(msg.body)}
        self.sel.register(read_end, selectors.EVENT_READ, "lock")
        self.reply(msg, "h", (write_end,))
        os.close(write_end)  # the caller holds the only copy now

    def released(self, read_end: int) -> None:
        if os.read(read_end, 1):
            return  # nobody writes; only the end of file counts
        self.sel.unregister(read_end)
        os.close(read_end)
        self.held.pop(read_end, None)
        event: dict = {"event": "released", "at": time.monotonic()}
        if self.args.db:
            db = sqlite3.connect(f"file:{self.args.db}?mode=ro", uri=True, timeout=5)
            try:
                event["outbox"] = [list(r) for r in db.execute(
                    "SELECT service, action, entry_id, payload FROM outbox ORDER BY seq")]
                event["entries"] = [list(r) for r in db.execute(
                    "SELECT service, id, start, stop, description FROM entries")]
            finally:
                db.close()
        self.log.append(event)

    def emit(self, what: str, value: bool) -> None:
        self.log.append({"event": "emit", "what": what, "value": value,
                         "at": time.monotonic()})
        if what in ("sleep", "shutdown"):
            member = "PrepareForSleep" if what == "sleep" else "PrepareForShutdown"
            signal = new_signal(DBusAddress(MANAGER_PATH, interface=MANAGER), member, "b",
                                (value,))
        elif what == "lock":
            signal = new_signal(DBusAddress(SESSION_PATH, interface=SESSION),
                                "Lock" if value else "Unlock")
        elif what == "hint":
            signal = new_signal(
                DBusAddress(SESSION_PATH, interface="org.freedesktop.DBus.Properties"),
                "PropertiesChanged", "sa{sv}as", (SESSION, {"LockedHint": ("b", value)}, []))
        else:
            signal = new_signal(DBusAddress("/org/freedesktop/ScreenSaver",
                                            interface="org.freedesktop.ScreenSaver"),
                                "ActiveChanged", "b", (value,))
        self.conn.send(signal)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("--db")
    parser.add_argument("--no-inhibit", action="store_true")
    FakeLogind(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
