"""The timesheet's side of the session against the emulator: what a day or a week costs in
requests, local-first add / edit / delete / split / continue of any entry, offline and exactly
once, and ids that keep working after an entry reaches the server.

One fake clock for the app and the emulator: "fresh" and "stale" are minutes that pass on it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from trayapp.core import errors as e
from trayapp.core.durations import day_start
from trayapp.core.models import EntryDraft, Service
from trayapp.emulator import Emulator, serve
from trayapp.sync.account import Account
from trayapp.sync.ranges import FRESH_FOR

from ..conftest import TEST_KEY

SERVICES = [Service.TOGGL, Service.CLOCKIFY]


@pytest.fixture
def emulator(clock):
    emu = Emulator(api_key=TEST_KEY, seed=True, clock=clock)
    server = serve(emu, "127.0.0.1", 0)
    emu.base_url = server.base_url
    yield emu
    server.close()


@pytest.fixture
def account(emulator, clock, tmp_path):
    acct = Account(TEST_KEY, emulator.base_url, tmp_path / "s.sqlite3", clock=clock.utcnow,
                   sleep=lambda s: None, confirm_after=timedelta(0))
    yield acct
    acct.close()


@pytest.fixture(params=SERVICES, ids=["toggl", "clockify"])
def service(request):
    return request.param


def sent(emulator, service):
    return [r for r in emulator.requests if r.app == service.value]


def today(session):
    start = day_start(session.clock().astimezone().date())
    return start, start + timedelta(days=1)


def week(session, weeks_back=0):
    day = session.clock().astimezone().date() - timedelta(days=7 * weeks_back)
    start = day_start(day - timedelta(days=day.weekday()))
    return start, start + timedelta(days=7)


def server_names(session, start, end):
    return [x.description for x in session.tracker.entries(session.wid, start, end)]


def test_today_fresh_costs_nothing_stale_costs_one(emulator, clock, account, service):
    session = account.session(service)
    session.sync()
    emulator.clear_requests()
    found = session.load(*today(session))
    assert sent(emulator, service) == [] and found == session.entries_between(*today(session))
    clock.advance(FRESH_FOR.total_seconds() + 60)
    session.load(*today(session))
    assert len(sent(emulator, service)) == 1
    emulator.clear_requests()
    session.load(*today(session))  # fresh again
    assert sent(emulator, service) == []


def test_a_week_costs_one_request_on_toggl_and_its_pages_on_clockify(emulator, clock, account,
                                                                      service):
    session = account.session(service)
    session.sync()
    clock.advance(FRESH_FOR.total_seconds() + 60)
    emulator.clear_requests()
    last_week = session.load(*week(session, weeks_back=1))  # inside the sync's two weeks
    assert len(sent(emulator, service)) == 1  # the seeded weeks fit in one Clockify page
    assert len(last_week) >= 5
    emulator.clear_requests()
    older = session.load(*week(session, weeks_back=5))  # beyond the sync's two weeks
    assert len(sent(emulator, service)) == 1
    emulator.clear_requests()
    assert session.load(*week(session, weeks_back=5)) == older  # now known fresh
    assert sent(emulator, service) == []


def test_clockify_week_asks_the_pages_it_needs(emulator, clock, account):
    session = account.session(Service.CLOCKIFY)
    session.sync()
    start, end = week(session, weeks_back=8)
    for n in range(450):  # three pages of 200
        session.add(EntryDraft(f"Many {n}"), start + timedelta(minutes=2 * n),
                    start + timedelta(minutes=2 * n + 1))
    session.flush()
    clock.advance(FRESH_FOR.total_seconds() + 60)
    emulator.clear_requests()
    found = session.load(start, end)
    assert len([x for x in found if x.description.startswith("Many ")]) == 450
    pages = [r for r in sent(emulator, Service.CLOCKIFY) if r.method == "GET"]
    assert len(pages) == 3


def test_load_never_drops_unsent_changes(emulator, clock, account, service):
    session = account.session(service)
    session.sync()
    start, end = week(session, weeks_back=5)
    old = session.load(start, end)
    emulator.add_fault("refuse", times=None)  # offline
    added = start + timedelta(days=1, hours=9)
    session.add(EntryDraft("Added offline"), added, added + timedelta(hours=1))
    if old:
        session.update(old[0].id, description="Edited offline")
    assert session.flush().pending >= 1
    emulator.clear_faults()
    clock.advance(FRESH_FOR.total_seconds() + 60)
    emulator.add_fault("refuse", method="POST", times=None)  # reads work, changes do not
    emulator.add_fault("refuse", method="PUT", times=None)
    found = {x.description: x for x in session.load(start, end)}
    assert "Added offline" in found and found["Added offline"].id in session.pending_ids()
    if old:
        assert "Edited offline" in found


def test_add_edit_delete_offline_are_sent_exactly_once(emulator, clock, account, service):
    session = account.session(service)
    session.sync()
    now = session.clock()
    session.add(EntryDraft("Keep me"), now - timedelta(hours=5), now - timedelta(hours=4))
    session.add(EntryDraft("Remove me"), now - timedelta(hours=3), now - timedelta(hours=2))
    session.flush()
    keep = next(x for x in session.snapshot().entries if x.description == "Keep me")
    gone = next(x for x in session.snapshot().entries if x.description == "Remove me")
    emulator.add_fault("refuse", times=None)
    session.add(EntryDraft("Made offline"), now - timedelta(hours=8), now - timedelta(hours=7))
    session.update(keep.id, description="Kept, renamed", start=now - timedelta(hours=6))
    session.delete(gone.id)
    snap = session.flush()
    assert snap.pending == 3 and isinstance(snap.error, e.NetworkError)
    emulator.clear_faults()
    assert session.flush().pending == 0
    session.flush()
    names = server_names(session, now - timedelta(days=1), now + timedelta(hours=1))
    assert names.count("Made offline") == 1 and names.count("Kept, renamed") == 1
    assert "Remove me" not in names and "Keep me" not in names
    renamed = next(x for x in session.tracker.entries(session.wid, now - timedelta(days=1), now)
                   if x.description == "Kept, renamed")
    # A new start alone keeps the stop: the entry grew by an hour.
    assert renamed.start == now - timedelta(hours=6) and renamed.stop == now - timedelta(hours=4)


def test_edit_of_an_unsent_entry_folds_into_it(emulator, account, service):
    session = account.session(service)
    session.sync()
    now = session.clock()
    session.add(EntryDraft("Draft"), now - timedelta(hours=2), now - timedelta(hours=1))
    local = next(x for x in session.snapshot().entries if x.description == "Draft")
    session.update(local.id, description="Final", stop=now - timedelta(minutes=30))
    assert len(session.store.outbox(service.value)) == 1
    emulator.clear_requests()
    session.flush()
    writes = [r for r in sent(emulator, service) if r.method != "GET"]
    assert [r.method for r in writes] == ["POST"]
    entry = session.entry(local.id)  # the local id still names it
    assert not entry.id.startswith("local-") and entry.description == "Final"
    assert entry.stop == now - timedelta(minutes=30)


def test_deleting_an_unsent_entry_costs_no_request(emulator, account, service):
    session = account.session(service)
    session.sync()
    now = session.clock()
    session.add(EntryDraft("Never mind"), now - timedelta(hours=2), now - timedelta(hours=1))
    local = next(x for x in session.snapshot().entries if x.description == "Never mind")
    session.delete(local.id)
    emulator.clear_requests()
    snap = session.flush()
    assert sent(emulator, service) == [] and snap.pending == 0
    assert "Never mind" not in [x.description for x in snap.entries]


def test_local_id_keeps_working_after_sending(emulator, account, service):
    session = account.session(service)
    session.sync()
    now = session.clock()
    session.add(EntryDraft("Aliased"), now - timedelta(hours=2), now - timedelta(hours=1))
    local = next(x for x in session.snapshot().entries if x.description == "Aliased").id
    session.flush()
    server_id = session.entry(local).id
    assert server_id != local
    session.update(local, description="Aliased, edited")
    session.continue_entry(local)
    session.flush()
    assert session.snapshot().running.description == "Aliased, edited"
    session.delete(local)
    session.flush()
    # (Not the continued copy, which started now.)
    assert "Aliased, edited" not in server_names(session, now - timedelta(days=1),
                                                 now - timedelta(minutes=1))


def test_split_a_finished_and_a_running_entry(emulator, clock, account, service):
    session = account.session(service)
    session.sync()
    now = session.clock()
    session.add(EntryDraft("Long", tags=("review",)), now - timedelta(hours=4),
                now - timedelta(hours=2))
    long = next(x for x in session.snapshot().entries if x.description == "Long")
    with pytest.raises(e.BadRequest):
        session.split(long.id, now - timedelta(hours=1))  # outside it: nothing changes
    session.split(long.id, now - timedelta(hours=3))
    session.start(EntryDraft("Running"), at=now - timedelta(minutes=20))
    running = session.snapshot().running
    session.split(running.id, now - timedelta(minutes=5))
    assert session.flush().pending == 0
    live = session.tracker.entries(session.wid, now - timedelta(days=1), now + timedelta(hours=1))
    parts = sorted((x.start, x.stop) for x in live if x.description == "Long")
    assert parts == [(now - timedelta(hours=4), now - timedelta(hours=3)),
                     (now - timedelta(hours=3), now - timedelta(hours=2))]
    runs = sorted((x.start, x.stop) for x in live if x.description == "Running")
    assert runs == [(now - timedelta(minutes=20), now - timedelta(minutes=5)),
                    (now - timedelta(minutes=5), None)]


def test_start_and_stop_at_a_chosen_time(emulator, clock, account, service):
    session = account.session(service)
    session.sync()
    now = session.clock()
    session.start(EntryDraft("Started late"), at=now - timedelta(minutes=25))
    with pytest.raises(e.BadRequest):
        session.stop(at=now - timedelta(minutes=30))  # before it started: refused
    with pytest.raises(e.BadRequest):
        session.start(EntryDraft("Earlier"), at=now - timedelta(minutes=40))
    session.stop(at=now - timedelta(minutes=10))
    session.flush()
    live = session.tracker.entries(session.wid, now - timedelta(hours=1), now)
    found = [(x.start, x.stop) for x in live if x.description == "Started late"]
    assert found == [(now - timedelta(minutes=25), now - timedelta(minutes=10))]


def test_refused_add_is_a_problem_not_a_loss(emulator, account, service):
    session = account.session(service)
    session.sync()
    now = session.clock()
    with pytest.raises(e.BadRequest):
        session.add(EntryDraft("Backwards"), now - timedelta(hours=1), now - timedelta(hours=2))
    emulator.add_fault("refuse", times=None)
    session.add(EntryDraft("Kept"), now - timedelta(hours=2), now - timedelta(hours=1))
    assert "Kept" in [x.description for x in session.flush().entries]
