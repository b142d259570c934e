"""Notifications with buttons against a real notification server: dunst on the test's private
session bus and Xvfb display. dunst's control tool opens a notification's context menu, which
dunst hands to its "dmenu" program: here a script that picks the button named by the test,
so the choice travels server -> ActionInvoked -> the app, as a click would.

- the backend: capabilities read, a button pressed comes back with its key, someone else's
  notification's action is ignored, a withdrawn notification is closed on the server;
- the whole app (in-process, against the emulator): "Timer running" for a timer started
  outside the menu, and its Stop stops the timer on the service.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from trayapp.app import TrayApp
from trayapp.control.actions import Request
from trayapp.platform.notify import BalloonNotifier
from trayapp.platform.notify.freedesktop import BUS_NAME, PATH, FreedesktopNotifier

from ..conftest import TEST_KEY, need

pytestmark = pytest.mark.timeout(60)
WAIT = 10_000
SERVER = DBusAddress(PATH, bus_name=BUS_NAME, interface=BUS_NAME)


class Dunst:
    """A dunst process owning org.freedesktop.Notifications; `press(label)` presses the
    button of that label on the newest notification showing it."""

    def __init__(self, folder: Path) -> None:
        self.choice = folder / "choice"
        self.menu = folder / "menu"
        picker = folder / "pick.sh"
        picker.write_text(f"#!/bin/sh\ncat > '{self.menu}'\n"
                          f"grep -F -m1 \"#$(cat '{self.choice}') (\" '{self.menu}'\n")
        picker.chmod(0o755)
        config = folder / "dunstrc"
        config.write_text(f"[global]\n    dmenu = {picker}\n    browser = /bin/true\n")
        self.log = (folder / "dunst.log").open("w")
        self.proc = subprocess.Popen(["dunst", "-config", str(config)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        conn = open_dbus_connection("SESSION")
        try:
            deadline = time.monotonic() + 10
            while True:
                reply = conn.send_and_get_reply(message_bus.NameHasOwner(BUS_NAME), timeout=5)
                if reply.body[0]:
                    break
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise AssertionError("dunst did not take org.freedesktop.Notifications: "
                                         + (folder / "dunst.log").read_text())
                time.sleep(0.05)
        finally:
            conn.close()

    def ctl(self, *args: str) -> str:
        return subprocess.run(["dunstctl", *args], capture_output=True, text=True, check=True,
                              timeout=10).stdout

    def displayed(self) -> int:
        lines = [x for x in self.ctl("count").splitlines() if "displayed" in x.lower()]
        return int(lines[0].split(":")[1])

    def press(self, label: str) -> None:
        self.choice.write_text(label)
        self.ctl("context")

    def history(self) -> list[dict]:
        return json.loads(self.ctl("history"))["data"][0]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


@pytest.fixture
def dunst(x11, session_bus, tmp_path) -> Iterator[Dunst]:
    need(shutil.which("dunst") and shutil.which("dunstctl"), "dunst is not installed")
    server = Dunst(tmp_path)
    try:
        yield server
    finally:
        server.close()


def notifier(qtbot) -> FreedesktopNotifier:
    icon = QSystemTrayIcon(QIcon(QPixmap(16, 16)))
    made = FreedesktopNotifier(BalloonNotifier(icon))
    made._icon = icon  # kept alive with it
    qtbot.waitUntil(lambda: made.ready, timeout=WAIT)
    return made


def test_a_pressed_button_comes_back_with_its_key(qtbot, dunst):
    n = notifier(qtbot)
    try:
        assert n.has_actions and "actions" in (n.capabilities or [])
        n.show("running", "Timer running", "“Report &lt;draft&gt;” since 09:00.",
               [("stop", "Stop"), ("keep", "Keep")])
        qtbot.waitUntil(lambda: dunst.displayed() == 1, timeout=WAIT)
        with qtbot.waitSignal(n.invoked, timeout=WAIT) as got:
            dunst.press("Stop")
        assert got.args == ["running", "stop"]
        assert "#Keep (Timer running)" in dunst.menu.read_text()
    finally:
        n.close()


def test_the_same_key_is_replaced_and_a_withdrawn_one_closes(qtbot, dunst):
    n = notifier(qtbot)
    try:
        n.show("reminder", "You're not tracking", "One", [("snooze", "Snooze")])
        qtbot.waitUntil(lambda: "reminder" in n._ids, timeout=WAIT)
        first = n._ids["reminder"]
        n.show("reminder", "You're not tracking", "Two", [("snooze", "Snooze")])
        qtbot.wait(300)
        assert n._ids["reminder"] == first and dunst.displayed() == 1  # in place
        n.withdraw("reminder")  # answered elsewhere: taken away
        qtbot.waitUntil(lambda: dunst.displayed() == 0, timeout=WAIT)
        n.show("running", "Timer running", "Three", [("stop", "Stop")])
        qtbot.waitUntil(lambda: "running" in n._ids and dunst.displayed() == 1, timeout=WAIT)
        with qtbot.waitSignal(n.closed, timeout=WAIT) as closed:
            dunst.ctl("close")  # the user dismisses it
        assert closed.args == ["running"] and "running" not in n._ids
    finally:
        n.close()


def test_another_clients_action_is_ignored(qtbot, dunst):
    n = notifier(qtbot)
    seen: list[tuple[str, str]] = []
    n.invoked.connect(lambda key, action: seen.append((key, action)))
    other = open_dbus_connection("SESSION")
    try:
        n.show("running", "Timer running", "Mine", [("stop", "Stop")])
        qtbot.waitUntil(lambda: "running" in n._ids, timeout=WAIT)
        other.send_and_get_reply(new_method_call(SERVER, "Notify", "susssasa{sv}i", (
            "other-app", 0, "", "Other app", "Theirs", ["stop", "Halt"], {}, 0)), timeout=5)
        qtbot.waitUntil(lambda: dunst.displayed() == 2, timeout=WAIT)
        dunst.press("Halt")
        qtbot.wait(500)
        assert seen == []  # the same action id, but not our notification
        dunst.press("Stop")
        qtbot.waitUntil(lambda: seen == [("running", "stop")], timeout=WAIT)
    finally:
        other.close()
        n.close()


# -- the whole app ------------------------------------------------------------------------------

@pytest.fixture
def app(qtbot, emulator, monkeypatch, dunst):
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    monkeypatch.setenv("TRAYAPP_NOTIFY", "freedesktop")  # (offscreen would take the balloon)
    tray_app = TrayApp(QApplication.instance())
    qtbot.waitUntil(lambda: bool(tray_app.snapshot and tray_app.snapshot.last_sync),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: tray_app.notifications.has_actions, timeout=WAIT)
    try:
        yield tray_app
    finally:
        tray_app.shutdown()


def running_on_server(emulator) -> list[str]:
    return [x["description"] for x in emulator.toggl.entries
            if x["stop"] is None and not x.get("server_deleted_at")]


def test_stop_on_timer_running_stops_the_timer_on_the_service(qtbot, app, dunst, emulator):
    # Told only where notifications have buttons: wait for the server to say it has them.
    qtbot.waitUntil(lambda: app.notifications.notifier.has_actions, timeout=WAIT)
    # Started the way `trayapp start` does it: not from the menu, so it is notified.
    app.dispatch(Request("start", {"description": "Hotkey started"}))
    qtbot.waitUntil(lambda: running_on_server(emulator) == ["Hotkey started"], timeout=WAIT)
    qtbot.waitUntil(lambda: app.notifications.shown("running") and dunst.displayed() >= 1,
                    timeout=WAIT)
    assert any(n["summary"]["data"] == "Timer running"
               for n in dunst.history()) or dunst.displayed() >= 1
    dunst.press("Stop")
    qtbot.waitUntil(lambda: running_on_server(emulator) == [], timeout=WAIT)
    qtbot.waitUntil(lambda: app.snapshot.running is None, timeout=WAIT)
    assert not app.notifications.shown("running")

