"""Pomodoro in the app, offscreen, against the emulator: the tray's toggle and countdown, the
tooltip and the ring, one timer to the next phase change, the notifications, break entries
on the service, and the Settings section. The clock is made up: nothing waits for a phase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trayapp.config import Config
from trayapp.control.actions import Request
from trayapp.control.notices import Notice
from trayapp.control.pomodoro import BREAK_DESCRIPTION, Phase
from trayapp.core.durations import format_timestamp, utcnow
from trayapp.ui.pomodoro import COLOURS, PomodoroSection

from ..support.whole_app import whole_app

WAIT = 10_000


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch, TRAYAPP_IDLE="none") as tray_app:
        told: list[Notice] = []
        tray_app.notify = told.append  # type: ignore[method-assign]
        tray_app.told = told  # type: ignore[attr-defined]
        yield tray_app


def server_entries(emulator, description):
    return sorted(([x["start"], x["stop"]] for x in emulator.toggl.entries
                   if x["description"] == description and not x.get("server_deleted_at")),
                  key=lambda pair: pair[0])


def moment(epoch: int | None):
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def start_timer(app, emulator, qtbot, description: str, minutes_ago: int) -> datetime:
    begin = (utcnow() - timedelta(minutes=minutes_ago)).replace(microsecond=0)
    app.dispatch(Request("start", {"description": description, "at": format_timestamp(begin)}))
    qtbot.waitUntil(lambda: len(server_entries(emulator, description)) == 1
                    and app.snapshot.pending == 0, timeout=WAIT)
    return begin


def clocked(app, when: datetime) -> list[datetime]:
    clock = [when]
    app.pomodoro._now = lambda: clock[0]
    return clock


def menu_texts(app) -> list[str]:
    app.tray.menu.aboutToShow.emit()
    return [a.text() for a in app.tray.menu.actions()]


def test_the_menu_toggle_switches_pomodoro_on_and_it_is_kept(app, emulator, qtbot):
    texts = menu_texts(app)
    toggle = app.pomodoro.toggle_action
    assert toggle is not None and toggle.isCheckable() and not toggle.isChecked()
    assert texts.index("Pomodoro") == texts.index("Timesheet…") - 1
    assert app.pomodoro.line_action is None  # no timer: no countdown
    toggle.trigger()
    assert app.config.pomodoro and Config.load().pomodoro
    assert not app.pomodoro._timer.isActive()  # nothing to count without a timer
    menu_texts(app)
    assert app.pomodoro.toggle_action.isChecked() and app.pomodoro.line_action is None
    app.pomodoro.toggle_action.trigger()
    assert not app.config.pomodoro and not Config.load().pomodoro


def test_a_running_timer_counts_down_in_the_menu_tooltip_and_ring(app, emulator, qtbot):
    begin = start_timer(app, emulator, qtbot, "Deep work", 3)
    clock = clocked(app, begin + timedelta(minutes=3))
    app.pomodoro.set_enabled(True)
    # One single-shot timer, to the end of the focus: no polling.
    timer = app.pomodoro._timer
    assert timer.isSingleShot() and timer.isActive()
    assert abs(timer.interval() - 25 * 60 * 1000) <= 100
    clock[0] += timedelta(minutes=12, seconds=26)  # the cycle began when switched on
    texts = menu_texts(app)
    assert texts[1].startswith("Focus 1 · 12:34 left (break at ")
    assert app.pomodoro.line_action is app.tray.menu.actions()[1]
    assert "Focus 1 12:34 left" in app.tray.tooltip(clock[0])
    progress, colour = app.pomodoro.ring(clock[0])
    assert colour == COLOURS[Phase.FOCUS] and abs(progress - (12 * 60 + 26) / 1500) < 0.01
    clock[0] += timedelta(seconds=1)
    app.tray.refreshed.emit(clock[0])  # the tray's tick, the menu closed: nothing to redo
    assert app.pomodoro.line_action.text().startswith("Focus 1 · 12:34")
    app.tray.popup_menu()  # open, it counts with the tray's every-second tick
    qtbot.waitUntil(app.tray.menu.isVisible, timeout=WAIT)
    app.tray.refreshed.emit(clock[0])
    assert app.pomodoro.line_action.text().startswith("Focus 1 · 12:33")
    app.tray.menu.hide()


def test_each_phase_change_is_told_and_stopping_ends_the_cycle(app, emulator, qtbot):
    begin = start_timer(app, emulator, qtbot, "Reading", 2)
    clock = clocked(app, begin)
    app.pomodoro.set_enabled(True)
    clock[0] = begin + timedelta(minutes=25, seconds=1)
    app.pomodoro.phase_due()
    assert [n.title for n in app.told] == ["Time for a break"]
    assert app.pomodoro.ring(clock[0])[1] == COLOURS[Phase.BREAK]
    assert "Break 4:59 left" in app.tray.tooltip(clock[0])
    app.pomodoro.phase_due()  # woken again in the same phase: nothing more is told
    clock[0] = begin + timedelta(minutes=30)
    app.pomodoro.phase_due()
    assert [n.title for n in app.told] == ["Time for a break", "Break over"]
    assert app.told[-1].text.startswith("Focus 2 on “Reading” until ")
    assert server_entries(emulator, BREAK_DESCRIPTION) == []  # no break entries by default
    app.dispatch(Request("stop"))
    qtbot.waitUntil(lambda: app.snapshot.running is None, timeout=WAIT)
    assert not app.pomodoro.rules.running and not app.pomodoro._timer.isActive()
    assert app.pomodoro.tooltip(clock[0]) is None and "Focus" not in app.tray.tooltip()
    assert app.pomodoro.rules.enabled  # still on: the next timer begins a new cycle


def test_break_entries_on_the_service(app, emulator, qtbot):
    app.config.pomodoro_break_entries = True
    app.pomodoro.settings_changed()
    begin = start_timer(app, emulator, qtbot, "Write docs", 40)
    clock = clocked(app, begin)
    app.pomodoro.set_enabled(True)
    clock[0] = begin + timedelta(minutes=25)
    app.pomodoro.phase_due()
    qtbot.waitUntil(lambda: not app.pomodoro.rules.switching and app.snapshot.pending == 0
                    and len(server_entries(emulator, BREAK_DESCRIPTION)) == 1, timeout=WAIT)
    brk = begin + timedelta(minutes=25)
    assert [[moment(a), moment(b)] for a, b in server_entries(emulator, "Write docs")] == \
        [[begin, brk]]
    assert app.snapshot.running.description == BREAK_DESCRIPTION
    assert app.pomodoro.rules.running  # the stop in between did not end the cycle
    clock[0] = begin + timedelta(minutes=30)
    app.pomodoro.phase_due()
    back = begin + timedelta(minutes=30)
    qtbot.waitUntil(lambda: not app.pomodoro.rules.switching and app.snapshot.pending == 0
                    and len(server_entries(emulator, "Write docs")) == 2, timeout=WAIT)
    assert [[moment(a), moment(b)] for a, b in server_entries(emulator, "Write docs")] == \
        [[begin, brk], [back, None]]
    assert [[moment(a), moment(b)] for a, b in server_entries(emulator, BREAK_DESCRIPTION)] \
        == [[brk, back]]
    assert app.pomodoro.rules.running and app.pomodoro.current().phase is Phase.FOCUS


def test_settings_section_sets_the_lengths(qtbot):
    config = Config()
    section = PomodoroSection(config)
    qtbot.addWidget(section)
    assert (section.focus.value(), section.pause.value()) == (25, 5)
    assert not section.entries.isChecked()
    changes: list[tuple[int, int, bool]] = []
    section.changed.connect(lambda: changes.append(
        (config.pomodoro_focus, config.pomodoro_break, config.pomodoro_break_entries)))
    section.focus.setValue(50)
    section.pause.setValue(10)
    section.entries.setChecked(True)
    assert changes == [(50, 5, False), (50, 10, False), (50, 10, True)]


def test_the_app_shows_the_pomodoro_settings_and_applies_them(app, emulator, qtbot):
    begin = start_timer(app, emulator, qtbot, "Plan", 1)
    clocked(app, begin + timedelta(minutes=1))
    app.pomodoro.set_enabled(True)
    app.show_settings()
    section = app.pomodoro.section
    assert section is not None and section.isVisibleTo(app.settings_window)
    section.focus.setValue(45)
    assert Config.load().pomodoro_focus == 45 and app.pomodoro.rules.focus_minutes == 45
    assert abs(app.pomodoro._timer.interval() - 45 * 60 * 1000) <= 100  # begun when switched on
