"""Edge cases of the sync session found in review, pinned: late and offline switches, a stale
Clockify stop, two processes on one outbox, Clockify tags after a restart, fixing a refused
start, deleting while the start is in flight, malformed answers. The server's clock and the
session's clock are the same fake clock, so "an hour later" takes no time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from trayapp.core import errors as e
from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Service
from trayapp.emulator import Emulator, serve
from trayapp.emulator.testing import FakeClock
from trayapp.sync.account import Account

from ..conftest import TEST_KEY


class World:
    def __init__(self, tmp_path, service=Service.TOGGL):
        self.fake = FakeClock(utcnow().timestamp())
        self.emulator = Emulator(api_key=TEST_KEY, seed=True, clock=self.fake)
        self.server = serve(self.emulator, "127.0.0.1", 0)
        self.path = tmp_path / "store.sqlite3"
        self.service = service
        self.accounts: list[Account] = []
        self.session = self.open()
        self.session.sync()

    def clock(self) -> datetime:
        return datetime.fromtimestamp(self.fake.now, UTC)

    def open(self, **kw):
        account = Account(TEST_KEY, self.server.base_url, self.path, sleep=lambda s: None,
                          clock=self.clock, confirm_after=kw.pop("confirm_after", timedelta(0)),
                          **kw)
        self.accounts.append(account)
        return account.session(self.service)

    def server_entries(self):
        s, now = self.session, self.clock()
        return sorted((x for x in s.tracker.entries(s.wid, now - timedelta(days=1),
                                                   now + timedelta(days=1))
                       if x.description.startswith("X-")), key=lambda x: x.start)

    def close(self):
        for account in self.accounts:
            account.close()
        self.server.close()


@pytest.fixture(params=[Service.TOGGL, Service.CLOCKIFY], ids=["toggl", "clockify"])
def world(request, tmp_path):
    w = World(tmp_path, request.param)
    yield w
    w.close()


def test_switch_offline_then_reconnect_an_hour_later_keeps_the_real_stop(world):
    s = world.session
    s.start(EntryDraft("X-A"))
    s.flush()
    world.fake.advance(600)
    switched = world.clock().replace(microsecond=0)
    world.emulator.add_fault("refuse", times=None)
    s.start(EntryDraft("X-B"))
    s.flush()
    world.fake.advance(3600)
    world.emulator.clear_faults()
    assert s.sync().pending == 0
    a, b = world.server_entries()
    assert a.stop == switched and b.start == switched and b.running


def test_switch_and_stop_while_offline_stops_both(world):
    s = world.session
    s.start(EntryDraft("X-A"))
    s.flush()
    world.fake.advance(600)
    world.emulator.add_fault("refuse", times=None)
    s.start(EntryDraft("X-B"))
    s.flush()
    world.fake.advance(600)
    s.stop()
    world.fake.advance(600)
    world.emulator.clear_faults()
    snap = s.sync()
    assert snap.pending == 0 and snap.running is None
    assert [x.running for x in world.server_entries()] == [False, False]


def test_a_refused_start_still_stops_the_previous_entry_and_can_be_fixed(world):
    s = world.session
    s.start(EntryDraft("X-A"))
    s.flush()
    world.fake.advance(600)
    bogus = "999999999" if world.service is Service.TOGGL else "ffffffffffffffffffffffff"
    s.start(EntryDraft("X-B", project_id=bogus))
    snap = s.flush()
    assert len(snap.problems) == 1 and snap.problems[0].action == "start"
    assert [x.running for x in world.server_entries()] == [False]  # A stopped anyway
    s.update(snap.running.id, project_id=None)  # the user's fix folds into the start...
    snap = s.flush()  # ...which is sent again
    assert snap.problems == () and snap.pending == 0
    assert {(x.description, x.running) for x in world.server_entries()} == {
        ("X-A", False), ("X-B", True)}


def test_clockify_late_stop_never_ends_the_current_timer(tmp_path):
    world = World(tmp_path, Service.CLOCKIFY)
    try:
        s = world.session
        s.start(EntryDraft("X-A"))
        s.flush()
        s.update(s.snapshot().running.id, project_id="ffffffffffffffffffffffff")  # refused
        world.fake.advance(600)
        s.start(EntryDraft("X-B"))
        snap = s.flush()
        assert [p.action for p in snap.problems] == ["update"]
        s.drop(snap.problems[0].seq)
        world.fake.advance(600)
        snap = s.sync()  # now A's held-back stop goes out: B must keep running
        assert snap.running is not None and snap.running.description == "X-B"
        assert [(x.description, x.running) for x in world.server_entries()] == [
            ("X-A", False), ("X-B", True)]
    finally:
        world.close()


def test_two_processes_never_send_the_same_start(world):
    s = world.session
    s.start(EntryDraft("X-A"))
    s.flush()
    world.fake.advance(300)
    s.start(EntryDraft("X-B"))
    other = world.open()  # e.g. a one-shot `trayapp status` on the same store
    world.emulator.add_fault("delay", method="POST", delay=0.8, times=1)
    results = []
    thread = threading.Thread(target=lambda: results.append(other.flush()))
    thread.start()
    time.sleep(0.2)
    first = s.flush()  # the other process is sending: this one must not
    thread.join(10)
    assert first.pending >= 1 and isinstance(first.error, e.OutcomeUnknown)
    assert s.sync().pending == 0
    assert [x.description for x in world.server_entries()] == ["X-A", "X-B"]


def test_clockify_tags_survive_a_restart(tmp_path):
    world = World(tmp_path, Service.CLOCKIFY)
    try:
        world.accounts[0].close()
        restarted = world.open()  # the catalog is fresh: not reloaded, tags from the cache
        snap = restarted.sync()
        assert sum(1 for x in snap.entries if x.tags) >= len(snap.entries) // 2
        last = snap.last_stopped
        snap = restarted.continue_last()
        restarted.flush()
        assert restarted.snapshot().running.tags == last.tags
    finally:
        world.close()


def test_a_restarted_clockify_session_knows_its_user_without_asking(tmp_path):
    world = World(tmp_path, Service.CLOCKIFY)
    try:
        world.accounts[0].close()
        restarted = world.open()
        world.emulator.clear_requests()
        restarted.start(EntryDraft("X-After restart"))
        assert restarted.flush().pending == 0  # the user id in the entry path: from the store
        assert not [r for r in world.emulator.requests if r.native_path.endswith("/user")]
    finally:
        world.close()


def test_deleting_while_the_start_is_in_flight_leaves_no_ghost(world):
    s = world.session
    s.start(EntryDraft("X-A"))
    local_id = s.snapshot().running.id
    real = s.tracker.start

    def start_then_user_deletes(*args, **kwargs):
        entry = real(*args, **kwargs)
        s.delete(local_id)  # the local thread, while the POST is out
        return entry

    s.tracker.start = start_then_user_deletes
    snap = s.flush()
    assert snap.running is None
    s.tracker.start = real
    snap = s.flush()
    assert snap.running is None and snap.pending == 0 and world.server_entries() == []


def test_a_malformed_answer_becomes_a_problem_instead_of_blocking(world):
    s = world.session
    s.start(EntryDraft("X-A"))
    s.flush()
    s.update(s.snapshot().running.id, description="X-A2")
    s.tracker.update = lambda *a, **k: (_ for _ in ()).throw(e.MalformedResponse("bad"))
    s.start(EntryDraft("X-B"))
    for _ in range(4):
        snap = s.flush()
    assert [p.action for p in snap.problems] == ["update"]
    # B went out; A's own later stop waits behind A's refused edit (shown as pending),
    # though starting B already stopped A on the server.
    assert snap.running.description == "X-B" and snap.pending == 1
    assert {(x.description, x.running) for x in world.server_entries()} == {
        ("X-A", False), ("X-B", True)}
