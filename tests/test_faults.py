"""Never lose a minute: every fault the emulator can inject, against every kind of action,
then the invariant: the server's entries are exactly the user's actions, no loss, no duplicate.
Plus a property test of random actions, faults and restarts."""

from __future__ import annotations

import itertools
import os
import time
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Service
from trayapp.sync.account import Account

from .conftest import TEST_KEY

FAULTS = {
    "refuse": {"kind": "refuse"},
    "delay": {"kind": "delay", "delay": 1.5},
    "drop": {"kind": "drop"},
    "html5xx": {"kind": "html5xx", "status": 502},
    "429": {"kind": "429", "retry_after": 60},
    "quota402": {"kind": "quota402"},
}
ACTIONS = ["start", "stop", "switch", "edit"]
PREFIX = "T-"


def new_account(emulator, path):
    # Short timeouts make the "delay" fault a real time-out; a short confirmation wait keeps
    # the test fast (the server's delay is 1.5 s, so 2 s is still longer than any request).
    return Account(TEST_KEY, emulator.base_url, path, sleep=lambda s: None,
                   confirm_after=timedelta(seconds=2),
                   timeout=httpx.Timeout(0.5, connect=1.0))


def server_entries(session, prefix=PREFIX):
    """Live entries on the server made by this test (through the API, as the web app sees)."""
    now = utcnow()
    return [x for x in session.tracker.entries(session.wid, now - timedelta(days=1),
                                               now + timedelta(days=1))
            if x.description.startswith(prefix)]


def settle(session, emulator):
    """The network is back: replay until nothing is pending."""
    emulator.clear_faults()
    session.store.set_meta(session._key("paused_until"), None)
    for _ in range(12):
        snap = session.sync()
        if snap.pending == 0 and snap.error is None:
            return snap
        time.sleep(0.5)  # e.g. waiting to confirm a start that timed out
    raise AssertionError(f"still pending: {snap.pending}, error {snap.error!r}")


def check_invariant(session, expected: dict[str, bool]) -> None:
    """expected: description -> running. Exactly those, once each."""
    found = server_entries(session)
    names = [x.description for x in found]
    assert sorted(names) == sorted(expected), f"server {names} != actions {sorted(expected)}"
    assert {x.description: x.running for x in found} == expected
    local = {x.description: x.running for x in session.snapshot().entries
             if x.description.startswith(PREFIX)}
    assert local == expected


MATRIX = [
    pytest.param(service, fault, action, id=f"{service.name.lower()}-{fault}-{action}")
    for service in (Service.TOGGL, Service.CLOCKIFY)
    for fault in FAULTS
    for action in ACTIONS
    if not (fault == "quota402" and service is Service.CLOCKIFY)  # Toggl's quota alone
]


@pytest.mark.parametrize("service,fault,action", MATRIX)
def test_fault_matrix(emulator, tmp_path, service, fault, action):
    account = new_account(emulator, tmp_path / "s.sqlite3")
    session = account.session(service)
    session.sync()
    expected: dict[str, bool] = {}
    if action in ("stop", "switch", "edit"):
        session.start(EntryDraft(PREFIX + "before"))
        session.flush()
        expected[PREFIX + "before"] = True
    emulator.add_fault(**FAULTS[fault], times=1)
    if action == "start":
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
    settle(session, emulator)
    check_invariant(session, expected)
    account.close()


# -- random actions, faults and restarts ---------------------------------------------------------

steps = st.lists(
    st.one_of(
        st.just(("start",)), st.just(("stop",)), st.just(("continue",)), st.just(("edit",)),
        st.just(("flush",)), st.just(("restart",)),
        st.tuples(st.just("fault"), st.sampled_from(sorted(FAULTS)), st.integers(1, 3)),
        st.just(("heal",)),
    ),
    min_size=1, max_size=14,
)


@pytest.fixture(scope="module")
def shared_emulator():
    from trayapp.emulator import Emulator, serve

    emu = Emulator(api_key=TEST_KEY, seed=True)
    server = serve(emu, "127.0.0.1", 0)
    emu.base_url = server.base_url
    yield emu
    server.close()


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=steps, service=st.sampled_from([Service.TOGGL, Service.CLOCKIFY]))
def test_random_actions_faults_and_restarts(shared_emulator, tmp_path_factory, plan, service):
    emulator = shared_emulator
    emulator.reset(seed=True)
    path = tmp_path_factory.mktemp("prop") / "s.sqlite3"
    account = new_account(emulator, path)
    session = account.session(service)
    session.sync()
    names = (f"{PREFIX}{i}" for i in itertools.count())
    expected: dict[str, bool] = {}  # description -> running (the user's view)
    current: str | None = None
    last: str | None = None
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
            elif kind == "flush":
                session.flush()
            elif kind == "restart":  # the process dies and starts again on the same store
                account.close()
                account = new_account(emulator, path)
                session = account.session(service)
            elif kind == "fault":
                emulator.add_fault(**FAULTS[step[1]], times=step[2])
            elif kind == "heal":
                emulator.clear_faults()
        settle(session, emulator)
        check_invariant(session, expected)
    finally:
        account.close()
