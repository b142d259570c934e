"""The rules of idle time (control/idle.py), driven by a made-up clock and made-up readings:
no sleeping, no desktop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trayapp.control.idle import (
    DEFAULT_MINUTES,
    POLL_MAX,
    POLL_MIN,
    POLL_WHILE_IDLE,
    Answer,
    IdleSpell,
    IdleWatcher,
    minutes_text,
    requests,
    still_applies,
)
from trayapp.core.models import EntryDraft, Service, TimeEntry
from trayapp.core.when import parse_when

T0 = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
ENTRY = TimeEntry(id="local-1", workspace_id="w", start=T0, description="Write report",
                  project_id="p1", tags=("docs",), billable=True)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Clock:
    """Readings of a user who was last active at `last_input` (minutes after T0)."""

    def __init__(self, watcher: IdleWatcher) -> None:
        self.watcher = watcher
        self.last_input = 0.0

    def read(self, minute: float, running: TimeEntry | None = ENTRY) -> IdleSpell | None:
        idle = (minute - self.last_input) * 60
        return self.watcher.sample(at(minute), idle, running, Service.TOGGL)


def test_defaults_to_toggls_five_minutes_and_the_setting_is_checked(tmp_path):
    import json

    from trayapp.config import Config

    assert DEFAULT_MINUTES == IdleWatcher().minutes == Config().idle_minutes == 5
    for good in (0, 5, 480):
        Config.path().parent.mkdir(parents=True, exist_ok=True)
        Config.path().write_text(json.dumps({"version": 2, "idle_minutes": good}))
        assert Config.load().idle_minutes == good and Config.load().problem is None
    for bad in (-1, 481, 2.5, "5", True, None):
        Config.path().write_text(json.dumps({"version": 2, "idle_minutes": bad}))
        config = Config.load()
        assert config.idle_minutes == 5 and "idle_minutes" in (config.problem or "")


def test_away_then_back_while_a_timer_runs_asks_with_the_idle_start_and_the_return():
    watcher = IdleWatcher(minutes=5)
    clock = Clock(watcher)
    clock.last_input = 5  # last input at 11:05
    assert clock.read(8) is None  # 3 min: not idle yet
    assert watcher.idle_since is None
    assert clock.read(10.5) is None  # 5.5 min: idle since the last input, 11:05
    assert watcher.idle_since == at(5)
    assert clock.read(30) is None  # still away
    clock.last_input = 40  # back at 11:40
    spell = clock.read(40.25)
    assert spell is not None
    assert (spell.started, spell.ended) == (at(5), at(40))
    assert spell.entry is ENTRY and spell.service is Service.TOGGL
    assert spell.seconds == 35 * 60
    assert watcher.pending is spell


def test_the_question_waits_and_no_other_is_raised_meanwhile():
    watcher = IdleWatcher(minutes=5)
    clock = Clock(watcher)
    clock.read(6)
    clock.last_input = 20
    first = clock.read(20.1)
    assert first is not None
    assert watcher.next_poll(0, at(21)) is None  # no readings while the question waits
    clock.last_input = 21
    assert clock.read(60) is None and watcher.pending is first
    watcher.answered()
    assert watcher.pending is None and watcher.next_poll(0, at(61)) == POLL_MAX


def test_no_question_without_a_timer_or_for_a_timer_started_during_the_spell():
    watcher = IdleWatcher(minutes=5)
    clock = Clock(watcher)
    clock.read(6, running=None)
    clock.last_input = 20
    assert clock.read(20.2, running=None) is None
    assert watcher.idle_since is None  # nothing is tracked between readings without a timer
    later = TimeEntry(id="x", workspace_id="w", start=at(30), description="late")
    # A timer started (on the web, say) while the user was away: nothing of it was idle.
    watcher = IdleWatcher(minutes=5)
    clock = Clock(watcher)
    clock.read(7, running=later)  # idle since 11:00, the timer from 11:30
    clock.last_input = 50
    assert clock.read(50.1, running=later) is None


def test_short_absences_and_jitter_ask_nothing():
    watcher = IdleWatcher(minutes=5)
    clock = Clock(watcher)
    for minute in (1, 2, 3, 4, 4.9):
        clock.last_input = minute - 0.5
        assert clock.read(minute) is None
    assert watcher.idle_since is None
    clock.last_input = 5
    clock.read(11)
    # The counter read a second off (rounding): still the same spell, not a return.
    assert watcher.sample(at(12) + timedelta(seconds=1), 7 * 60, ENTRY) is None
    assert watcher.idle_since == at(5)


def test_threshold_zero_turns_it_off_and_a_change_starts_over():
    watcher = IdleWatcher(minutes=0)
    assert not watcher.enabled and watcher.next_poll(0) is None
    assert watcher.sample(at(60), 3600, ENTRY) is None
    watcher = IdleWatcher(minutes=5)
    watcher.sample(at(10), 600, ENTRY)
    assert watcher.idle_since is not None
    watcher.set_minutes(15)
    assert watcher.idle_since is None and watcher.threshold == 900


def test_readings_are_rare_while_working_and_regular_while_away():
    watcher = IdleWatcher(minutes=5)
    assert watcher.next_poll(0) == POLL_MAX == 300  # a working user: every 5 min
    assert watcher.next_poll(295) == POLL_MIN  # nearly there: soon, but not in a busy loop
    assert IdleWatcher(minutes=60).next_poll(0) == POLL_MAX
    watcher.sample(at(10), 600, ENTRY)
    assert watcher.next_poll(600) == POLL_WHILE_IDLE  # away: the return is seen soon


def test_a_machine_asleep_counts_as_idle_from_the_reading_before():
    watcher = IdleWatcher(minutes=5)
    assert watcher.sample(at(1), 30, ENTRY) is None  # last input at 11:00:30
    watcher.next_poll(30, at(1))  # due at about 11:05:31
    # The machine slept; the wake-up key press resets the counter: 2 s idle at 12:00.
    spell = watcher.sample(at(60), 2, ENTRY, Service.TOGGL)
    assert spell is not None
    assert spell.started == at(0.5) and spell.ended == at(60) - timedelta(seconds=2)
    # A reading just late (a busy machine) is no sleep.
    watcher = IdleWatcher(minutes=5)
    watcher.sample(at(1), 30, ENTRY)
    watcher.next_poll(30, at(1))
    assert watcher.sample(at(6), 10, ENTRY) is None
    # Turned off for sleep: nothing.
    watcher = IdleWatcher(minutes=5, sleep_is_idle=False)
    watcher.sample(at(1), 30, ENTRY)
    watcher.next_poll(30, at(1))
    assert watcher.sample(at(60), 2, ENTRY) is None


def test_the_question_text():
    spell = IdleSpell(at(5), at(40), ENTRY)
    local = [t.astimezone().strftime("%H:%M") for t in (at(5), at(40))]
    assert spell.text() == (f"You were idle from {local[0]} to {local[1]} (35 min) while "
                            "tracking “Write report”.")
    blank = IdleSpell(at(5), at(40), TimeEntry(id="b", workspace_id="w", start=T0))
    assert "tracking “Website”" in blank.text("Website")
    assert minutes_text(30) == "1 min" and minutes_text(3600) == "1 h"
    assert minutes_text(5400) == "1 h 30 min"


# -- the answers -----------------------------------------------------------------------------

SPELL = IdleSpell(at(5), at(40), ENTRY, Service.TOGGL)
NOW = at(41)


def shape(reqs):
    return [(r.command, {k: v for k, v in r.args.items() if k != "service"}, r.draft)
            for r in reqs]


def when(text: str) -> datetime:
    return parse_when(text, NOW)


def test_keep_changes_nothing():
    assert requests(Answer.KEEP, SPELL, ENTRY) == []


def test_discard_stops_at_the_idle_start_even_when_answered_later():
    (stop,) = requests(Answer.DISCARD, SPELL, ENTRY)
    assert stop.command == "stop" and stop.service == "toggl-track"
    assert when(stop.args["at"]) == at(5)


def test_discard_and_continue_starts_the_same_entry_at_the_return():
    stop, start = requests(Answer.DISCARD_CONTINUE, SPELL, ENTRY)
    assert stop.command == "stop" and when(stop.args["at"]) == at(5)
    assert start.command == "start" and when(start.args["at"]) == at(40)
    assert start.draft == EntryDraft.from_entry(ENTRY) and start.service == "toggl-track"


def test_add_makes_the_idle_time_an_entry_and_the_timer_runs_on():
    stop, add, start = requests(Answer.ADD, SPELL, ENTRY, description="Lunch")
    assert stop.command == "stop" and when(stop.args["at"]) == at(5)
    assert add.command == "add" and add.args["description"] == "Lunch"
    assert (when(add.args["start"]), when(add.args["stop"])) == (at(5), at(40))
    assert start.command == "start" and when(start.args["at"]) == at(40)
    assert start.draft == EntryDraft.from_entry(ENTRY)


def test_the_entry_renumbered_by_the_service_is_still_the_one_asked_about():
    synced = TimeEntry(id="4242", workspace_id="w", start=T0, description="Write report")
    assert [r.command for r in requests(Answer.DISCARD, SPELL, synced)] == ["stop"]


def test_answers_after_the_timer_was_stopped_edit_and_split_instead():
    other = TimeEntry(id="y", workspace_id="w", start=at(45))  # another timer runs now
    (edit,) = requests(Answer.DISCARD, SPELL, other)
    assert edit.command == "edit" and edit.args["id"] == "local-1"
    assert when(edit.args["stop"]) == at(5)
    split, edit = requests(Answer.DISCARD_CONTINUE, SPELL, None)
    assert split.command == "split" and when(split.args["at"]) == at(40)
    assert split.args["id"] == "local-1" and edit.command == "edit"
    split, edit, add = requests(Answer.ADD, SPELL, None)
    assert (split.command, edit.command, add.command) == ("split", "edit", "add")


def test_still_applies():
    assert still_applies(SPELL, ENTRY, [])
    stopped = TimeEntry(id="local-1", workspace_id="w", start=T0, stop=at(50))
    assert still_applies(SPELL, None, [stopped])
    early = TimeEntry(id="local-1", workspace_id="w", start=T0, stop=at(3))
    assert not still_applies(SPELL, None, [early])
    assert not still_applies(SPELL, None, [])  # deleted
