"""Pomodoro's rules with a made-up clock: phases, what is told at each change, the break
entries' requests, and a stopped timer ending the cycle. Nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trayapp.control.pomodoro import (
    BREAK_DESCRIPTION,
    Phase,
    Pomodoro,
    countdown,
    menu_line,
    tooltip_part,
)
from trayapp.core.durations import format_timestamp
from trayapp.core.models import EntryDraft, Service, TimeEntry

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(start: datetime, description: str = "Write report", **more) -> TimeEntry:
    return TimeEntry(id=f"e{start.timestamp():.0f}", workspace_id="w", start=start,
                     description=description, **more)


def on(pomodoro: Pomodoro, running: TimeEntry | None, now: datetime) -> Pomodoro:
    pomodoro.switch(True, now, running)
    return pomodoro


def test_phases_alternate_focus_and_break_from_the_timer_start():
    p = on(Pomodoro(), None, at(0))
    assert not p.running and p.current(at(0)) is None and p.next_change(at(0)) is None
    work = entry(at(0))
    p.timer(at(0), work)
    assert p.running
    seen = [(m, p.current(at(m))) for m in (0, 24.99, 25, 29.99, 30, 55, 60)]
    assert [(m, c.phase, c.number) for m, c in seen] == [
        (0, Phase.FOCUS, 1), (24.99, Phase.FOCUS, 1), (25, Phase.BREAK, 1),
        (29.99, Phase.BREAK, 1), (30, Phase.FOCUS, 2), (55, Phase.BREAK, 2),
        (60, Phase.FOCUS, 3)]
    assert p.next_change(at(10)) == 15 * 60
    assert p.current(at(10)).left(at(10)) == 15 * 60
    assert p.current(at(10)).progress(at(10)) == 0.4


def test_each_change_is_told_once_and_says_what_comes():
    p = on(Pomodoro(), None, at(0))
    p.timer(at(0), entry(at(0)))
    assert p.advance(at(10), entry(at(0))) is None  # nothing changed yet
    change = p.advance(at(25), entry(at(0)))
    assert change is not None and change.current.phase is Phase.BREAK
    assert change.notice.title == "Time for a break"
    assert change.notice.text.startswith("Focus 1 is done. Take 5 min: back at ")
    assert change.requests == []  # no break entries: the timer runs on
    assert p.advance(at(26), entry(at(0))) is None
    back = p.advance(at(30), entry(at(0)))
    assert back is not None and back.notice.title == "Break over"
    assert back.notice.text.startswith("Focus 2 on “Write report” until ")


def test_a_cycle_begins_when_switched_on_if_the_timer_ran_before():
    p = Pomodoro()
    work = entry(at(0))
    p.switch(True, at(100), work)
    current = p.current(at(100))
    assert current is not None and current.phase is Phase.FOCUS and current.started == at(100)
    assert p.advance(at(100), work) is None  # the start is not a change to tell


def test_a_restarted_app_goes_on_in_the_cycle_of_the_running_entry():
    p = Pomodoro(enabled=True)  # on in the settings: no moment of switching on
    p.timer(at(40), entry(at(0)))
    current = p.current(at(40))
    assert (current.phase, current.number, current.started) == (Phase.FOCUS, 2, at(30))
    assert p.advance(at(40), entry(at(0))) is None  # not told again


def test_stopping_the_timer_ends_the_cycle_and_the_next_timer_begins_a_new_one():
    p = on(Pomodoro(), entry(at(0)), at(0))
    p.advance(at(26), entry(at(0)))
    p.timer(at(27), None)
    assert not p.running and p.next_change(at(27)) is None
    assert p.advance(at(30), None) is None
    p.timer(at(40), entry(at(40), "Other"))
    current = p.current(at(41))
    assert (current.phase, current.number, current.started) == (Phase.FOCUS, 1, at(40))


def test_another_entry_started_during_the_cycle_keeps_it():
    p = on(Pomodoro(), entry(at(0)), at(0))
    p.timer(at(10), entry(at(10), "Email"))
    assert p.current(at(24)).started == at(0) and p.next_change(at(24)) == 60


def test_switching_off_ends_the_cycle():
    p = on(Pomodoro(), entry(at(0)), at(0))
    p.switch(False, at(5), entry(at(0)))
    assert not p.enabled and not p.running
    p.timer(at(6), entry(at(0)))
    assert not p.running


def test_settings_lengths_and_a_change_keeps_the_phase_start():
    p = on(Pomodoro(focus_minutes=50, break_minutes=10), entry(at(0)), at(0))
    assert p.current(at(49)).phase is Phase.FOCUS and p.current(at(50)).phase is Phase.BREAK
    p.set_lengths(20, 5, at(10))
    assert p.current(at(10)).started == at(0) and p.next_change(at(10)) == 10 * 60
    assert p.current(at(22)).phase is Phase.BREAK


def test_a_night_asleep_is_one_change_about_the_phase_it_is_now():
    p = on(Pomodoro(), entry(at(0)), at(0))
    change = p.advance(at(8 * 60 + 27), entry(at(0)))  # 17 pairs later, in a break
    assert change is not None and change.current.phase is Phase.BREAK
    assert change.current.number == 17 and change.current.started == at(8 * 60 + 25)
    assert p.advance(at(8 * 60 + 28), entry(at(0))) is None


def test_break_entries_stop_the_focus_entry_start_a_break_and_continue_it_after():
    p = Pomodoro(break_entries=True)
    work = entry(at(0), "Write report", project_id="p1", task_id="t1", tags=("doc",),
                 billable=True)
    on(p, work, at(0))
    change = p.advance(at(25.2), work, Service.CLOCKIFY)  # the timer fired a little late
    assert change is not None
    first = format_timestamp(at(25))
    assert [(r.command, dict(r.args), r.draft) for r in change.requests] == [
        ("stop", {"at": first, "service": "clockify"}, None),
        ("start", {"at": first, "service": "clockify"}, EntryDraft(BREAK_DESCRIPTION)),
    ]
    p.switching = True  # while they are applied, the timer seen stopped ends nothing
    p.timer(at(25.3), None)
    p.switching = False
    assert p.running
    pause = entry(at(25), BREAK_DESCRIPTION)
    p.timer(at(25.4), pause)
    back = p.advance(at(30), pause, Service.CLOCKIFY)
    assert back is not None and back.notice.text.startswith("Focus 2 on “Write report” until ")
    second = format_timestamp(at(30))
    assert [(r.command, dict(r.args), r.draft) for r in back.requests] == [
        ("stop", {"at": second, "service": "clockify"}, None),
        ("start", {"at": second, "service": "clockify"},
         EntryDraft("Write report", "p1", "t1", ("doc",), True)),
    ]


def test_break_entries_leave_alone_what_the_user_started_during_the_break():
    p = Pomodoro(break_entries=True)
    on(p, entry(at(0)), at(0))
    assert len(p.advance(at(25), entry(at(0))).requests) == 2
    call = entry(at(27), "Phone call")
    p.timer(at(27), call)
    back = p.advance(at(30), call)
    assert back is not None and back.requests == []


def test_break_entries_never_stop_before_the_entry_started():
    p = Pomodoro(break_entries=True)
    on(p, entry(at(0)), at(0))
    late = entry(at(24.5), "Started just before the break")
    change = p.advance(at(25), late)
    assert change.requests[0].args["at"] == format_timestamp(at(25))
    p2 = Pomodoro(break_entries=True)
    on(p2, entry(at(0)), at(0))
    after = entry(at(25.5), "Started after the break began")
    change = p2.advance(at(26), after)
    assert change.requests[0].args["at"] == format_timestamp(at(25.5))


def test_texts_for_the_menu_and_the_tooltip():
    p = on(Pomodoro(), entry(at(0)), at(0))
    now = at(12) + timedelta(seconds=26)
    current = p.current(now)
    assert tooltip_part(current, now) == "Focus 1 12:34 left"
    local = at(25).astimezone().strftime("%H:%M")
    assert menu_line(current, now) == f"Focus 1 · 12:34 left (break at {local})"
    assert menu_line(p.current(at(26)), at(26)).startswith("Break · 4:00 left (focus at ")
    assert countdown(3723) == "1:02:03" and countdown(-5) == "0:00"
    assert current.left(now - timedelta(milliseconds=300)) == 12 * 60 + 35  # rounded up
