"""Sleep, shutdown and lock: the rules (control/session_events.py) with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trayapp.config import Config
from trayapp.control.session_events import AwayRules, Choice, Event, Stop
from trayapp.core.models import Service, TimeEntry

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


def entry(entry_id: str = "e1", hours_ago: float = 1) -> TimeEntry:
    return TimeEntry(id=entry_id, workspace_id="w", start=T0 - timedelta(hours=hours_ago),
                     description="Write")


def rules(choices: dict[Event, Choice], clock: Clock, minutes: float = 5) -> AwayRules:
    return AwayRules(lambda ev: choices.get(ev, Choice.NOTHING), lambda: minutes * 60, clock)


def test_stop_is_at_the_moment_of_the_event():
    clock = Clock()
    r = rules({Event.SLEEP: Choice.STOP}, clock)
    assert r.left(Event.SLEEP, entry(), Service.TOGGL) == Stop(T0, Service.TOGGL, Event.SLEEP)
    clock.advance(60)
    assert r.back(Event.SLEEP, None) is None


def test_nothing_and_no_timer_do_nothing():
    clock = Clock()
    r = rules({Event.LOCK: Choice.NOTHING, Event.SLEEP: Choice.ASK}, clock)
    assert r.left(Event.LOCK, entry()) is None
    assert r.left(Event.SLEEP, None) is None  # no timer: nothing to ask about either
    clock.advance(60)
    assert r.back(Event.LOCK, entry()) is None and r.back(Event.SLEEP, entry()) is None


def test_ask_gives_the_spell_from_the_event_to_the_return():
    clock = Clock()
    r = rules({Event.SLEEP: Choice.ASK}, clock)
    assert r.left(Event.SLEEP, entry(), Service.CLOCKIFY) is None
    clock.advance(45)
    spell = r.back(Event.SLEEP, entry())
    assert spell is not None
    assert (spell.started, spell.ended, spell.service) == (T0, T0 + timedelta(minutes=45),
                                                           Service.CLOCKIFY)
    assert spell.entry.id == "e1"
    assert r.back(Event.SLEEP, entry()) is None  # asked once


def test_locked_then_asleep_is_one_spell_from_the_lock_to_the_unlock():
    clock = Clock()
    r = rules({Event.SLEEP: Choice.ASK, Event.LOCK: Choice.ASK}, clock)
    r.left(Event.LOCK, entry())
    clock.advance(2)
    r.left(Event.SLEEP, entry())
    clock.advance(60)
    assert r.back(Event.SLEEP, entry()) is None  # woken up on the lock screen: not back yet
    clock.advance(1)
    spell = r.back(Event.LOCK, entry())
    assert spell is not None and spell.started == T0 and spell.ended == T0 + timedelta(
        minutes=63)


def test_a_short_spell_asks_nothing_unless_idle_detection_is_off():
    clock = Clock()
    r = rules({Event.LOCK: Choice.ASK}, clock, minutes=5)
    r.left(Event.LOCK, entry())
    clock.advance(4)
    assert r.back(Event.LOCK, entry()) is None
    r = rules({Event.LOCK: Choice.ASK}, clock, minutes=0)
    r.left(Event.LOCK, entry())
    clock.advance(0.5)
    assert r.back(Event.LOCK, entry()) is not None


def test_a_timer_stopped_or_replaced_meanwhile_asks_nothing():
    clock = Clock()
    r = rules({Event.SLEEP: Choice.ASK}, clock)
    r.left(Event.SLEEP, entry("e1"))
    clock.advance(30)
    assert r.back(Event.SLEEP, entry("other", 0.5)) is None
    r.left(Event.SLEEP, entry("e1"))
    clock.advance(30)
    assert r.back(Event.SLEEP, None) is None


def test_the_settings_are_checked_and_shutdown_cannot_ask(tmp_path):
    config = Config()
    assert (config.on_sleep, config.on_shutdown, config.on_lock) == ("ask", "stop", "ask")
    path = Config.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"on_sleep": "stop", "on_shutdown": "ask", "on_lock": "nothing"}')
    loaded = Config.load()
    assert loaded.on_sleep == "stop" and loaded.on_lock == "nothing"
    assert loaded.on_shutdown == "stop" and loaded.problem  # reset, and said


@pytest.mark.parametrize("event", list(Event))
def test_every_choice_offered_has_a_label(event):
    from trayapp.config import AWAY_CHOICES
    from trayapp.control.session_events import LABELS

    assert all(Choice(value) in LABELS for value in AWAY_CHOICES[event.value])
