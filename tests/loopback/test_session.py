"""The sync session against the emulator: local-first actions, exact-once replay, request counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trayapp.core import errors as e
from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Service
from trayapp.sync.account import Account

from ..conftest import TEST_KEY

SERVICES = [Service.TOGGL, Service.CLOCKIFY]


@pytest.fixture
def account(emulator, tmp_path):
    # confirm_after=0: after a lost answer, one look-up decides (the emulator's faults are
    # instant; the wait for slow servers is tested in test_faults.py).
    acct = Account(TEST_KEY, emulator.base_url, tmp_path / "store.sqlite3",
                   sleep=lambda s: None, confirm_after=timedelta(0))
    yield acct
    acct.close()


@pytest.fixture(params=SERVICES, ids=["toggl", "clockify"])
def service(request):
    return request.param


def sent(emulator, service):
    return [r for r in emulator.requests if r.app == service.value]


def server_live(session):
    """The server's own view, through the API: live entries of the last two weeks."""
    now = utcnow()
    return session.tracker.entries(session.wid, now - timedelta(days=15), now + timedelta(days=1))


def test_cold_then_warm_sync(emulator, account, service):
    session = account.session(service)
    snap = session.sync()
    assert snap.error is None and snap.running is None
    assert len(snap.projects) >= 10 and len(snap.tags) >= 5 and len(snap.entries) >= 15
    assert len(snap.recent()) == 10
    cold = len(sent(emulator, service))
    assert cold <= (5 if service is Service.TOGGL else 6)  # Clockify: its workspaces too
    emulator.clear_requests()
    session.sync()
    assert len(sent(emulator, service)) == 1  # warm: one request


def test_start_is_local_first_then_one_request(emulator, account, service):
    session = account.session(service)
    session.sync()
    emulator.clear_requests()
    snap = session.start(EntryDraft("Writing report"))
    assert snap.running and snap.running.description == "Writing report"
    assert snap.pending == 1 and emulator.requests == []  # nothing sent yet
    snap = session.flush()
    assert snap.pending == 0 and not snap.running.id.startswith("local-")
    expected = 1 if service is Service.TOGGL else 2  # Clockify must stop first
    assert len(sent(emulator, service)) == expected
    emulator.clear_requests()
    snap = session.flush()
    assert emulator.requests == []  # nothing pending: no request


def test_switch_and_stop_request_counts(emulator, account, service):
    session = account.session(service)
    session.sync()
    session.start(EntryDraft("First"))
    session.flush()
    emulator.clear_requests()
    session.start(EntryDraft("Second"))
    session.flush()
    switch = len(sent(emulator, service))
    assert switch == (1 if service is Service.TOGGL else 2)
    emulator.clear_requests()
    snap = session.stop()
    assert snap.running is None
    session.flush()
    # Clockify's stop names no entry: check that it is ours first (a GET), then stop it.
    assert len(sent(emulator, service)) == (1 if service is Service.TOGGL else 2)
    live = server_live(session)
    assert not any(x.running for x in live)
    assert [x.description for x in live[:2]] == ["Second", "First"]


def test_offline_actions_replay_in_order_exactly_once(emulator, account, service):
    session = account.session(service)
    session.sync()
    emulator.add_fault("refuse", times=None)
    session.start(EntryDraft("Offline one"))
    snap = session.flush()
    assert isinstance(snap.error, e.NetworkError) and snap.pending == 1
    assert snap.running.description == "Offline one"
    session.start(EntryDraft("Offline two"))
    session.update(session.snapshot().running.id, description="Offline two, edited")
    session.stop()
    snap = session.flush()
    assert snap.pending >= 1 and snap.running is None
    emulator.clear_faults()
    snap = session.sync()
    assert snap.error is None and snap.pending == 0
    live = server_live(session)
    names = [x.description for x in live]
    assert names.count("Offline one") == 1 and names.count("Offline two, edited") == 1
    assert not any(x.running for x in live)


def test_unknown_outcome_is_looked_up_not_repeated(emulator, account, service):
    session = account.session(service)
    session.sync()
    emulator.add_fault("drop", method="POST", path="time-entries|time_entries", times=1)
    snap = session.start(EntryDraft("Dropped answer"))
    emulator.clear_requests()
    snap = session.flush()  # the answer is lost; the session looks, finds it, adopts it
    assert snap.pending == 0 and snap.error is None
    assert snap.running.description == "Dropped answer" and snap.running.id.isalnum()
    posts = [r for r in sent(emulator, service) if r.method == "POST"]
    assert len(posts) == 1
    names = [x.description for x in server_live(session)]
    assert names.count("Dropped answer") == 1


def test_unknown_outcome_while_going_offline_is_looked_up_later(emulator, account, service):
    session = account.session(service)
    session.sync()
    session.start(EntryDraft("Then offline"))
    emulator.add_fault("drop", method="POST", path="time-entries|time_entries", times=1)
    emulator.add_fault("refuse", method="GET", times=None)  # the look-up fails too
    snap = session.flush()
    assert snap.pending == 1 and isinstance(snap.error, e.NetworkError)
    emulator.clear_faults()
    snap = session.flush()
    assert snap.pending == 0 and snap.running.description == "Then offline"
    names = [x.description for x in server_live(session)]
    assert names.count("Then offline") == 1


def test_refused_action_is_a_problem_and_does_not_block_others(emulator, account, service):
    session = account.session(service)
    session.sync()
    bogus = "999999999" if service is Service.TOGGL else "ffffffffffffffffffffffff"
    session.start(EntryDraft("Bad project", project_id=bogus))
    session.stop()
    session.start(EntryDraft("Good one"))
    snap = session.flush()
    assert len(snap.problems) == 1 and snap.problems[0].description == "Bad project"
    assert snap.problems[0].title
    assert snap.running.description == "Good one" and snap.pending == 0
    snap = session.drop(snap.problems[0].seq)
    assert snap.problems == () and all(x.description != "Bad project" for x in snap.entries)


def test_started_elsewhere_is_picked_up(emulator, account, service):
    session = account.session(service)
    session.sync()
    other = account.session(service).tracker  # same account, as the web app would
    started = other.start(session.wid, EntryDraft("From the phone"))
    snap = session.sync()
    assert snap.running and snap.running.id == started.id
    other.stop(session.wid, started.id)
    snap = session.sync()
    assert snap.running is None


def test_continue_last(account, service):
    session = account.session(service)
    session.sync()
    last = session.snapshot().last_stopped
    snap = session.continue_last()
    assert snap.running.description == last.description
    assert snap.running.project_id == last.project_id


def test_start_then_stop_offline_becomes_one_finished_entry(emulator, account, service):
    session = account.session(service)
    session.sync()
    session.start(EntryDraft("Quick call"))
    session.stop()
    emulator.clear_requests()
    snap = session.flush()
    assert snap.pending == 0
    assert len(sent(emulator, service)) == 1  # one create, not a start and a stop
    found = [x for x in server_live(session) if x.description == "Quick call"]
    assert len(found) == 1 and not found[0].running


def test_quota_pauses_sync_until_reset(emulator, account):
    session = account.session(Service.TOGGL)
    session.sync()
    emulator.add_fault("quota402", times=1)
    snap = session.sync()
    assert isinstance(snap.error, e.QuotaExhausted) and snap.paused_until
    emulator.clear_requests()
    snap = session.start(EntryDraft("While paused"))
    snap = session.flush()
    assert emulator.requests == [] and snap.pending == 1  # no request spent while paused
    assert isinstance(snap.error, e.QuotaExhausted)


def test_delete_unsent_entry_sends_nothing(emulator, account, service):
    session = account.session(service)
    session.sync()
    snap = session.start(EntryDraft("Never mind"))
    emulator.clear_requests()
    snap = session.delete(snap.running.id)
    session.flush()
    assert snap.running is None and snap.pending == 0 and emulator.requests == []


def test_clockify_tasks_are_cached_per_project(account):
    session = account.session(Service.CLOCKIFY)
    projects = {p.name: p for p in session.sync().projects}
    website, migration = projects["Website"], projects["Data migration"]
    assert {t.name for t in session.tasks(website.id)} == {"Homepage redesign", "Blog section"}
    session.tasks(migration.id)
    gone = next(t for t in session.snapshot().tasks if t.name == "Blog section")
    session.tracker.delete_task(session.wid, gone)
    session.tasks(website.id)  # replaces the project's cached tasks, not the other project's
    assert {t.name for t in session.snapshot().tasks} == {
        "Homepage redesign", "Schema mapping", "Cutover rehearsal"}
    assert account.session(Service.TOGGL).tasks(website.id) == []  # no tasks on Toggl


def test_a_stop_sent_late_keeps_the_time_the_user_stopped(emulator, tmp_path):
    """Queued while offline and sent 40 s later: the entry ends when the user stopped it,
    not when the request arrived (Toggl's own stop call would use its clock)."""
    now = utcnow().replace(microsecond=0)
    clock = [now - timedelta(seconds=100)]
    account = Account(TEST_KEY, emulator.base_url, tmp_path / "store.sqlite3",
                      clock=lambda: clock[0], sleep=lambda s: None)
    try:
        session = account.session(Service.TOGGL)
        session.sync()
        session.start(EntryDraft("Stopped offline"))
        session.flush()
        clock[0] = now - timedelta(seconds=40)
        emulator.add_fault("refuse", times=None)
        session.stop()
        assert session.flush().pending == 1  # offline: queued
        emulator.clear_faults()
        clock[0] = now
        assert session.flush().pending == 0
        entry = next(x for x in server_live(session) if x.description == "Stopped offline")
        assert entry.stop is not None
        assert abs((entry.stop - (now - timedelta(seconds=40))).total_seconds()) <= 1
    finally:
        account.close()


def test_a_change_this_version_does_not_know_is_shown_not_stuck(emulator, account):
    """Written by a newer trayapp, or damaged: shown as refused (discard it), not pending
    forever."""
    session = account.session(Service.TOGGL)
    session.sync()
    with session.store.transaction() as db:
        session.store.add_outbox("toggl-track", "explode", "12345", {}, utcnow(), db)
    snapshot = session.flush()
    assert snapshot.pending == 0 and len(snapshot.problems) == 1
    assert "does not know this change" in snapshot.problems[0].message
    assert session.drop(snapshot.problems[0].seq).problems == ()


def test_stop_stops_the_timer_started_elsewhere_since_the_last_look(emulator, account,
                                                                    service):
    """Known here: A runs. On the web, A was stopped and B started. Stop must leave nothing
    running, not stop A again and leave B going while saying "Not tracking"."""
    session = account.session(service)
    session.sync()
    session.start(EntryDraft("Known here"))
    known = session.flush().running
    web = account.session(service).tracker
    web.stop(session.wid, known.id)
    other = web.start(session.wid, EntryDraft("Started on the web"))
    snap = session.stop()
    snap = session.flush()
    assert snap.running is None and snap.pending == 0 and not snap.problems
    assert web.current(session.wid) is None
    assert not web.entry(session.wid, other.id).running
