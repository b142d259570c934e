"""Sleep, shutdown and lock against a fake logind on a private bus (a dbus-daemon of the test's
own, standing in for the system bus), with the whole app against the emulator: the delay lock,
the stop on disk before it is let go (the fake reads the store the moment it sees the lock's
file descriptor closed), the lock taken again after the return, the lock screen, and "ask"."""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trayapp.control.actions import Request
from trayapp.control.idle import Answer
from trayapp.core.durations import format_timestamp, utcnow
from trayapp.paths import store_path
from trayapp.platform.session_events.logind import LogindEvents

from ..conftest import need
from ..support.e2e import end_process
from ..support.whole_app import whole_app

pytestmark = pytest.mark.timeout(60)

FAKE = Path(__file__).parent.parent / "support" / "fakes" / "fake_logind.py"
WAIT = 10_000


def first_line(proc: subprocess.Popen, what: str) -> str:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    line = sel.select(timeout=10) and proc.stdout.readline().strip()
    sel.close()
    if not line:
        raise RuntimeError(f"{what} did not start")
    return line


@pytest.fixture
def private_bus():
    need(shutil.which("dbus-daemon"), "no dbus-daemon")
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield first_line(proc, "dbus-daemon")
    finally:
        end_process(proc)
        proc.stdout.close()


class Logind:
    def __init__(self, address: str, *args: str) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.proc = subprocess.Popen([sys.executable, str(FAKE), address, *args],
                                     stdout=subprocess.PIPE, text=True)
        if first_line(self.proc, "fake logind") != "READY":
            raise RuntimeError("fake logind did not start")
        self.conn = open_dbus_connection(address)

    def _call(self, member: str, signature: str | None = None, body: tuple = ()):
        from jeepney import DBusAddress, new_method_call

        addr = DBusAddress("/io/github/trayapp/FakeLogind", bus_name="org.freedesktop.login1",
                           interface="io.github.trayapp.FakeLogind")
        return self.conn.send_and_get_reply(new_method_call(addr, member, signature, body),
                                            timeout=5)

    def emit(self, what: str, value: bool = True) -> None:
        self._call("Emit", "sb", (what, value))

    def held(self) -> int:
        return int(self._call("Held").body[0])

    def log(self, event: str | None = None) -> list[dict]:
        return [x for x in json.loads(self._call("Log").body[0])
                if event is None or x["event"] == event]

    def stop(self) -> None:
        self.conn.close()
        end_process(self.proc)
        self.proc.stdout.close()


@pytest.fixture
def logind(private_bus):
    fake = Logind(private_bus, "--db", str(store_path()))
    yield fake
    fake.stop()


@pytest.fixture
def app(qtbot, emulator, monkeypatch, logind, private_bus):
    with whole_app(qtbot, emulator, monkeypatch, TRAYAPP_IDLE="none",
                   TRAYAPP_SESSION_EVENTS="none") as tray_app:
        # The private bus is logind's system bus and also the session bus of the screen saver.
        tray_app.away.use(LogindEvents(private_bus, private_bus, parent=tray_app.away))
        qtbot.waitUntil(lambda: logind.held() == 1, timeout=WAIT)
        yield tray_app


def server_entries(emulator, description):
    return sorted(([x["start"], x["stop"]] for x in emulator.toggl.entries
                   if x["description"] == description and not x.get("server_deleted_at")),
                  key=lambda pair: pair[0])


def start_timer(app, emulator, qtbot, description: str, minutes_ago: int = 60) -> datetime:
    begin = (utcnow() - timedelta(minutes=minutes_ago)).replace(microsecond=0)
    app.dispatch(Request("start", {"description": description, "at": format_timestamp(begin)}))
    qtbot.waitUntil(lambda: len(server_entries(emulator, description)) == 1
                    and app.snapshot.pending == 0, timeout=WAIT)
    return begin


def test_the_delay_lock_is_taken_with_what_why_and_mode(app, logind):
    [inhibit] = logind.log("inhibit")
    assert inhibit["args"] == ["sleep:shutdown", "trayapp", "Saving the running timer", "delay"]
    assert app.away.events.can_delay and not app.away.events.reason


@pytest.mark.parametrize("event", ["sleep", "shutdown"])
def test_the_stop_is_on_disk_before_the_lock_is_let_go_and_the_lock_is_taken_again(
        app, logind, emulator, qtbot, event):
    setattr(app.config, f"on_{event}", "stop")
    start_timer(app, emulator, qtbot, "Before the night")
    emulator.add_fault("delay", delay=3.0, times=None)  # the network is slow: still queued
    before = utcnow()
    with qtbot.waitSignal(app.away.stopped_for, timeout=WAIT):
        logind.emit(event, True)
    qtbot.waitUntil(lambda: logind.held() == 0, timeout=WAIT)
    [released] = logind.log("released")
    # Read by the fake at the moment it saw the lock closed: the stop is in the store's outbox
    # and the entry has its stop, at the moment of the event.
    assert [row[1] for row in released["outbox"]] == ["stop"]
    [entry] = [row for row in released["entries"] if row[4] == "Before the night"]
    stop = datetime.fromisoformat(entry[3].replace("Z", "+00:00"))
    assert before - timedelta(seconds=2) <= stop.astimezone(UTC) <= utcnow()
    logind.emit(event, False)  # woken up / shutdown cancelled: a new lock for the next time
    qtbot.waitUntil(lambda: logind.held() == 1, timeout=WAIT)
    assert len(logind.log("inhibit")) == 2
    emulator.clear_faults()
    qtbot.waitUntil(lambda: server_entries(emulator, "Before the night")[0][1] is not None,
                    timeout=WAIT)


def test_nothing_to_stop_lets_the_lock_go_at_once(app, logind, qtbot):
    app.config.on_sleep = "stop"  # but no timer runs
    logind.emit("sleep", True)
    qtbot.waitUntil(lambda: logind.held() == 0, timeout=WAIT)
    logind.emit("sleep", False)
    qtbot.waitUntil(lambda: logind.held() == 1, timeout=WAIT)


def test_ask_on_sleep_raises_the_idle_question_on_return_and_answers_apply_at_the_event(
        app, logind, emulator, qtbot):
    app.config.on_sleep = "ask"
    begin = start_timer(app, emulator, qtbot, "Through the sleep")
    clock = [utcnow().replace(microsecond=0) - timedelta(minutes=40)]
    app.away.rules.clock = lambda: clock[0]
    slept_at = clock[0]
    logind.emit("sleep", True)
    qtbot.waitUntil(lambda: logind.held() == 0, timeout=WAIT)  # nothing to save: let go
    assert app.idle.pending is None
    clock[0] += timedelta(minutes=35)
    with qtbot.waitSignal(app.idle.asked, timeout=WAIT) as asked:
        logind.emit("sleep", False)
    spell = asked.args[0]
    assert (spell.started, spell.ended) == (slept_at, clock[0])
    assert app.idle.window is not None and app.idle.window.isVisible()
    app.idle.window.buttons[Answer.DISCARD_CONTINUE].click()
    expected = [[begin, slept_at], [clock[0], None]]
    qtbot.waitUntil(lambda: [[moment(a), moment(b)] for a, b in
                             server_entries(emulator, "Through the sleep")] == expected,
                    timeout=WAIT)


def moment(epoch: int | None):
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def test_the_session_lock_stops_the_timer_at_the_lock(app, logind, emulator, qtbot):
    app.config.on_lock = "stop"
    start_timer(app, emulator, qtbot, "Until the lock")
    before = utcnow().replace(microsecond=0)
    with qtbot.waitSignal(app.away.stopped_for, timeout=WAIT):
        logind.emit("lock", True)
    qtbot.waitUntil(lambda: server_entries(emulator, "Until the lock")[0][1] is not None,
                    timeout=WAIT)
    stop = moment(server_entries(emulator, "Until the lock")[0][1])
    assert before - timedelta(seconds=1) <= stop <= utcnow()
    assert logind.held() == 1  # a lock screen holds nothing back


@pytest.mark.parametrize("how", ["lock", "hint", "saver"])
def test_each_way_of_telling_the_lock_asks_once_on_unlock(app, logind, emulator, qtbot, how):
    app.config.on_lock = "ask"
    start_timer(app, emulator, qtbot, "Behind the lock")
    clock = [utcnow().replace(microsecond=0) - timedelta(minutes=30)]
    app.away.rules.clock = lambda: clock[0]
    locked_at = clock[0]
    went: list[str] = []
    app.away.events.going.connect(went.append)
    logind.emit(how, True)
    logind.emit("hint", True)  # the same lock told again: nothing new
    qtbot.waitUntil(lambda: app.away.events.locked, timeout=WAIT)
    clock[0] += timedelta(minutes=20)
    with qtbot.waitSignal(app.idle.asked, timeout=WAIT) as asked:
        logind.emit(how, False)
        logind.emit("hint", False)
    assert went == ["lock"]
    assert (asked.args[0].started, asked.args[0].ended) == (locked_at, clock[0])


def test_without_a_delay_lock_settings_say_so(qtbot, private_bus):
    fake = Logind(private_bus, "--no-inhibit")
    try:
        events = LogindEvents(private_bus, None)
        qtbot.waitUntil(lambda: bool(events.reason), timeout=WAIT)
        assert not events.can_delay and "no delay lock" in events.reason
        events.close()
    finally:
        fake.stop()
