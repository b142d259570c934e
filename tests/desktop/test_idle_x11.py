"""Idle time for real under Xvfb: the X server's idle counter (MIT-SCREEN-SAVER) grows while
nothing happens, input from xdotool resets it, and each answer to the idle question changes
the emulator's entries at the idle start and the return. The app runs in-process (its windows
offscreen) and reads the real counter of the Xvfb display; only the minute is shortened."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication

from trayapp.app import TrayApp
from trayapp.control.actions import Request
from trayapp.control.idle import Answer
from trayapp.core.durations import format_timestamp, utcnow
from trayapp.platform.idle import create_source
from trayapp.platform.idle.x11 import XScreenSaverSource

from ..conftest import TEST_KEY, need

pytestmark = pytest.mark.timeout(60)
WAIT = 10_000


def touch() -> datetime:
    """Input the X server sees (a pointer move): the idle counter starts again."""
    subprocess.run(["xdotool", "mousemove_relative", "--", "1", "0"], check=True, timeout=10)
    return utcnow()


def x_source(x11) -> XScreenSaverSource:
    source = XScreenSaverSource()
    need(source.available, f"no X idle time on {x11}: {source.reason}")
    return source


def test_the_x_idle_counter_grows_and_input_resets_it(x11, monkeypatch):
    source = x_source(x11)
    try:
        touch()
        first = source.idle_seconds()
        time.sleep(1.2)
        later = source.idle_seconds()
        assert first is not None and later is not None and later >= first + 1.0
        touch()
        after = source.idle_seconds()
        assert after is not None and after < 0.5  # 0.0 right after the input counts
    finally:
        source.close()
    monkeypatch.setenv("TRAYAPP_IDLE", "")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    chosen = create_source()  # what the app picks on this desktop
    assert chosen.name == "x11" and chosen.available
    chosen.close()


@pytest.fixture
def app(qtbot, emulator, monkeypatch, x11):
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    monkeypatch.setenv("TRAYAPP_IDLE", "x11")
    tray_app = TrayApp(QApplication.instance())
    qtbot.waitUntil(lambda: bool(tray_app.snapshot and tray_app.snapshot.last_sync),
                    timeout=WAIT)
    need(tray_app.idle.source.available, f"no X idle time: {tray_app.idle.source.reason}")
    yield tray_app
    tray_app.shutdown()


def entries(emulator, description):
    return sorted([datetime.fromtimestamp(x["start"], UTC),
                   None if x["stop"] is None else datetime.fromtimestamp(x["stop"], UTC)]
                  for x in emulator.toggl.entries
                  if x["description"] == description and not x.get("server_deleted_at"))


def second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


@pytest.mark.parametrize("answer", list(Answer))
def test_each_answer_to_real_idle_time_changes_the_entries(app, emulator, qtbot, answer):
    begin = (utcnow() - timedelta(minutes=10)).replace(microsecond=0)
    app.dispatch(Request("start", {"description": "Focus", "at": format_timestamp(begin)}))
    qtbot.waitUntil(lambda: len(entries(emulator, "Focus")) == 1 and app.snapshot.pending == 0,
                    timeout=WAIT)
    idle = app.idle
    # "Minutes" of 3 s: idle after 6 s. (Not shorter: a stop less than 5 s old is sent as a
    # stop at the server's clock, as for a click on Stop; an idle start never is that recent.)
    idle.watcher.minute = 3.0
    idle.set_minutes(2)
    left = touch()
    time.sleep(6.6)  # nothing happens on the X display
    idle.poll()
    assert idle.watcher.idle_since is not None
    assert abs((idle.watcher.idle_since - left).total_seconds()) < 1.0
    time.sleep(0.5)
    back = touch()
    time.sleep(0.3)
    with qtbot.waitSignal(idle.asked, timeout=1000) as asked:
        idle.poll()
    spell = asked.args[0]
    assert abs((spell.started - left).total_seconds()) < 1.0
    assert abs((spell.ended - back).total_seconds()) < 1.0
    assert idle.window is not None and idle.window.isVisible()
    idle.window.description.setText("Coffee")
    idle.window.buttons[answer].click()
    start, end = second(spell.started), second(spell.ended)
    expected = {
        Answer.KEEP: [[begin, None]],
        Answer.DISCARD: [[begin, start]],
        Answer.DISCARD_CONTINUE: [[begin, start], [end, None]],
        Answer.ADD: [[begin, start], [end, None]],
    }[answer]
    qtbot.waitUntil(lambda: entries(emulator, "Focus") == expected
                    and app.snapshot.pending == 0, timeout=WAIT)
    assert entries(emulator, "Coffee") == ([[start, end]] if answer is Answer.ADD else [])
