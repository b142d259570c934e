"""Never lose a minute: every fault the emulator can inject, against every kind of action,
then the invariant: the server's entries are exactly the user's actions, no loss, no duplicate.
Plus a property test of random actions, faults, restarts and time passing.

Time is a fake clock shared by the app's sessions and the emulator: it moves only when a test
says so, so waiting out `confirm_after` costs nothing. Only the client's time-out is real time.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trayapp.core.models import EntryDraft, Service
from trayapp.emulator import Emulator, serve
from trayapp.emulator.testing import DEFAULT_NOW, FakeClock
from trayapp.sync.account import Account

from ..conftest import TEST_KEY

TIMEOUT = 0.25  # the client's read time-out (real time): what a "delay" fault outlasts
IDLE = 10.0  # the longest the emulator may take to finish what it is doing (real time)
FAULTS = {
    "refuse": {"kind": "refuse"},
    # Held far longer than the client waits, so the client times out and the server commits
    # afterwards; settle() ends the hold early, once the client has given up on it.
    "delay": {"kind": "delay", "delay": 20.0},
    "drop": {"kind": "drop"},
    "html5xx": {"kind": "html5xx", "status": 502},
    "429": {"kind": "429", "retry_after": 60},
    "quota402": {"kind": "quota402"},
}
ACTIONS = ["start", "stop", "switch", "edit", "add", "edit_past", "delete"]
PREFIX = "T-"


@contextmanager
def served(clock: FakeClock) -> Iterator[Emulator]:
    """A seeded emulator on a real loopback socket, on the fake clock."""
    emu = Emulator(api_key=TEST_KEY, seed=True, clock=clock)
    server = serve(emu, "127.0.0.1", 0)
    emu.base_url = server.base_url
    try:
        yield emu
    finally:
        emu.wait_idle(IDLE, hurry=True)  # no request of this test lands in another one
        server.close()


@pytest.fixture
def emulator(clock):
    """This module's emulator: like conftest's, but on the fake `clock`."""
    with served(clock) as emu:
        yield emu


def new_account(emulator, path, clock):
    # The production confirmation wait (CONFIRM_AFTER): on the fake clock it costs nothing.
    # A short real time-out makes the "delay" fault a real time-out.
    return Account(TEST_KEY, emulator.base_url, path, clock=clock.utcnow, sleep=lambda s: None,
                   timeout=httpx.Timeout(TIMEOUT, connect=1.0))


def server_entries(session, prefix=PREFIX):
    """Live entries on the server made by this test (through the API, as the web app sees)."""
    now = session.clock()
    return [x for x in session.tracker.entries(session.wid, now - timedelta(days=1),
                                               now + timedelta(days=1))
            if x.description.startswith(prefix)]


def let_time_pass(emulator, clock, seconds: float) -> None:
    """`seconds` pass for the app and the server alike. The server first finishes what it is
    still applying (a request whose client timed out): `confirm_after` assumes that no request
    takes longer than it, so neither may the emulator when the clock jumps past it."""
    assert emulator.wait_idle(IDLE, hurry=True), "the emulator is still busy"
    clock.advance(seconds)


def settle(session, emulator, clock):
    """The network is back: replay until nothing is pending, then let anything still on its
    way land, so that the check sees a duplicate however late it would come."""
    emulator.clear_faults()
    if session.paused_until is not None:  # Toggl's hourly quota: wait until it resets
        let_time_pass(emulator, clock, (session.paused_until - session.clock()).total_seconds())
    for _ in range(12):
        snap = session.sync()
        if snap.pending == 0 and snap.error is None:
            assert emulator.wait_idle(IDLE, hurry=True), "the emulator is still busy"
            return snap
        # E.g. a start that timed out: it may be looked up, and sent again if not found, only
        # once `confirm_after` has passed since it was sent.
        let_time_pass(emulator, clock, session.confirm_after.total_seconds() + 1)
    raise AssertionError(f"still pending: {snap.pending}, error {snap.error!r}")


def check_invariant(session, expected: dict[str, bool]) -> None:
    """expected: description -> running. Exactly those, once each; no action given up."""
    assert session.snapshot().problems == ()
    found = server_entries(session)
    names = [x.description for x in found]
    assert sorted(names) == sorted(expected), f"server {names} != actions {sorted(expected)}"
    assert {x.description: x.running for x in found} == expected
    local = {x.description: x.running for x in session.snapshot().entries
             if x.description.startswith(PREFIX)}
    assert local == expected


MATRIX = [
    pytest.param(service, fault, action, None, id=f"{service.name.lower()}-{fault}-{action}")
    for service in (Service.TOGGL, Service.CLOCKIFY)
    for fault in FAULTS
    for action in ACTIONS
    if not (fault == "quota402" and service is Service.CLOCKIFY)  # Toggl's quota alone
] + [
    # The fault hits the first request of the action. A Clockify start first stops what runs
    # (a PATCH): the POST that makes the entry meets the fault in cases of its own.
    pytest.param(Service.CLOCKIFY, fault, action, "POST", id=f"clockify-{fault}-{action}-post")
    for fault in FAULTS if fault != "quota402"
    for action in ("start", "switch")
]


@pytest.mark.parametrize("service,fault,action,method", MATRIX)
def test_fault_matrix(emulator, clock, tmp_path, service, fault, action, method):
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    expected: dict[str, bool] = {}
    if action in ("stop", "switch", "edit"):
        session.start(EntryDraft(PREFIX + "before"))
        session.flush()
        expected[PREFIX + "before"] = True
    now = session.clock()
    if action in ("edit_past", "delete"):  # a finished entry, on the server already
        session.add(EntryDraft(PREFIX + "past"), now - timedelta(hours=3),
                    now - timedelta(hours=2))
        session.flush()
        expected[PREFIX + "past"] = False
    emulator.add_fault(**FAULTS[fault], method=method, times=1)
    if action == "add":
        session.add(EntryDraft(PREFIX + "added"), now - timedelta(hours=2),
                    now - timedelta(hours=1))
        expected[PREFIX + "added"] = False
    elif action == "edit_past":
        past = next(x for x in session.snapshot().entries if x.description == PREFIX + "past")
        session.update(past.id, description=PREFIX + "past, edited",
                       start=now - timedelta(hours=4))
        expected = {PREFIX + "past, edited": False}
    elif action == "delete":
        past = next(x for x in session.snapshot().entries if x.description == PREFIX + "past")
        session.delete(past.id)
        expected = {}
    elif action == "start":
        session.start(EntryDraft(PREFIX + "new"))
        expected[PREFIX + "new"] = True
    elif action == "stop":
        session.stop()
        expected[PREFIX + "before"] = False
    elif action == "switch":
        session.start(EntryDraft(PREFIX + "next"))
        expected[PREFIX + "before"] = False
        expected[PREFIX + "next"] = True
    else:
        running = session.snapshot().running
        session.update(running.id, description=PREFIX + "renamed")
        expected = {PREFIX + "renamed": True}
    session.flush()
    settle(session, emulator, clock)
    check_invariant(session, expected)
    account.close()


# -- random actions, faults, restarts and time passing --------------------------------------------

steps = st.lists(
    st.one_of(
        # A user action; True: sent at once, as the running app does (False: left queued).
        st.tuples(st.sampled_from(["start", "stop", "continue", "edit", "add", "delete"]),
                  st.booleans()),
        st.just(("flush",)), st.just(("restart",)),
        # On the next requests, or on the next POSTs only (the ones that make entries).
        st.tuples(st.just("fault"), st.sampled_from(sorted(FAULTS)), st.integers(1, 3),
                  st.sampled_from([None, "POST"])),
        st.just(("heal",)),
        # A second; past confirm_after (30 s); past FRESH (5 s), when a stop is sent late.
        st.tuples(st.just("wait"), st.sampled_from([1, 40, 120])),
    ),
    min_size=1, max_size=14,
)


@pytest.fixture(scope="module")
def shared_clock():
    return FakeClock()


@pytest.fixture(scope="module")
def shared_emulator(shared_clock):
    with served(shared_clock) as emu:
        yield emu


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=steps, service=st.sampled_from([Service.TOGGL, Service.CLOCKIFY]))
def test_random_actions_faults_and_restarts(shared_emulator, shared_clock, tmp_path_factory,
                                            plan, service):
    emulator, clock = shared_emulator, shared_clock
    assert emulator.wait_idle(IDLE, hurry=True)  # nothing of an earlier example lands here
    clock.now = DEFAULT_NOW  # every example starts at the same time
    emulator.reset(seed=True)
    path = tmp_path_factory.mktemp("prop") / "s.sqlite3"
    account = new_account(emulator, path, clock)
    session = account.session(service)
    session.sync()
    names = (f"{PREFIX}{i}" for i in itertools.count())
    expected: dict[str, bool] = {}  # description -> running (the user's view)
    current: str | None = None
    last: str | None = None
    added: list[tuple[str, str]] = []  # (id as first given, description): finished entries
    try:
        for step in plan:
            kind = step[0]
            if kind == "start":
                name = next(names)
                session.start(EntryDraft(name))
                if current:
                    expected[current] = False
                expected[name] = True
                current = last = name
            elif kind == "stop" and current:
                session.stop()
                expected[current] = False
                current = None
            elif kind == "continue" and current is None and last:
                # "continue" starts a new entry with the last description: give it a new name
                # through an edit afterwards would blur the check, so start a fresh one.
                name = next(names)
                session.start(EntryDraft(name))
                expected[name] = True
                current = last = name
            elif kind == "edit" and current:
                name = next(names)
                running = session.snapshot().running
                session.update(running.id, description=name)
                expected[name] = expected.pop(current)
                current = last = name
            elif kind == "add":  # a finished entry of the morning, each at its own time
                name = next(names)
                begin = session.clock() - timedelta(hours=5, minutes=len(expected))
                snap = session.add(EntryDraft(name), begin, begin + timedelta(seconds=30))
                added.append((next(x.id for x in snap.entries if x.description == name), name))
                expected[name] = False
            elif kind == "delete" and added:  # by the id it was given, sent or not
                entry_id, name = added.pop(0)
                session.delete(entry_id)
                del expected[name]
            elif kind == "flush":
                session.flush()
            elif kind == "restart":  # the process dies and starts again on the same store
                account.close()
                account = new_account(emulator, path, clock)
                session = account.session(service)
            elif kind == "fault":
                emulator.add_fault(**FAULTS[step[1]], times=step[2], method=step[3])
            elif kind == "heal":
                emulator.clear_faults()
            elif kind == "wait":
                let_time_pass(emulator, clock, step[1])
            if kind in ("start", "stop", "continue", "edit", "add", "delete") and step[1]:
                session.flush()
        session.sync()  # once more while the faults last
        settle(session, emulator, clock)
        check_invariant(session, expected)
    finally:
        account.close()
