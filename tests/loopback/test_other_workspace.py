"""A timer running in another workspace of the same account is seen, shown with its workspace's
name, and stopped in its own workspace; starting one here stops it, as the user has one timer
in mind. Toggl lists every workspace's entries in the request it makes anyway (no extra request
on a sync); Clockify is asked once per other workspace, from a cached workspace list."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from trayapp.core.models import EntryDraft, Service
from trayapp.sync.account import Account

from ..conftest import TEST_KEY
from ..support.e2e import cli

pytestmark = pytest.mark.timeout(60)

SIDE = "Side project"


@pytest.fixture
def account(emulator, tmp_path):
    acct = Account(TEST_KEY, emulator.base_url, tmp_path / "store.sqlite3",
                   sleep=lambda s: None, confirm_after=timedelta(0))
    yield acct
    acct.close()


def sent(emulator, service):
    return [(r.method, r.native_path) for r in emulator.requests if r.app == service.value]


def toggl_elsewhere(emulator, description="Elsewhere"):
    """A second Toggl workspace with a timer running in it (as if started on the web)."""
    now = time.time()
    with emulator.lock:
        side = emulator.toggl.add_workspace(SIDE)
        entry = emulator.toggl.add_entry(workspace_id=side, description=description,
                                         start=int(now) - 600, stop=None, at=now)
    return side, entry


def clockify_elsewhere(emulator, description="Elsewhere"):
    with emulator.lock:
        store = emulator.clockify
        side = store.new_id()
        store.workspaces.append({"id": side, "name": SIDE})
        entry = store.add("entry", workspaceId=side, description=description,
                          start=int(time.time()) - 600, end=None)
    return side, entry


# -- Toggl: the lists span workspaces -----------------------------------------------------------

def test_toggl_sync_shows_a_timer_of_another_workspace_without_extra_requests(emulator, account):
    session = account.session(Service.TOGGL)
    session.sync()
    side, entry = toggl_elsewhere(emulator)
    emulator.clear_requests()
    snap = session.sync()
    assert snap.running is not None and snap.running.id == str(entry["id"])
    assert snap.running_workspace == SIDE
    assert all(x.workspace_id == session.wid for x in snap.entries)  # history: this one's
    # The `since` request, and once only the names of the workspaces (user quota).
    assert sent(emulator, Service.TOGGL) == [("GET", "/api/v9/me/time_entries"),
                                             ("GET", "/api/v9/me/workspaces")]
    emulator.clear_requests()
    assert session.sync().running_workspace == SIDE
    assert sent(emulator, Service.TOGGL) == [("GET", "/api/v9/me/time_entries")]


def test_toggl_cold_sync_sees_it_too(emulator, account):
    toggl_elsewhere(emulator)
    snap = account.session(Service.TOGGL).sync()
    assert snap.running is not None and snap.running.description == "Elsewhere"
    assert snap.running_workspace == SIDE


def test_toggl_stop_stops_it_in_its_own_workspace(emulator, account):
    session = account.session(Service.TOGGL)
    side, entry = toggl_elsewhere(emulator)
    session.sync()
    emulator.clear_requests()
    session.stop()
    snap = session.flush()
    assert snap.running is None and snap.pending == 0 and snap.problems == ()
    assert sent(emulator, Service.TOGGL) == [
        ("PATCH", f"/api/v9/workspaces/{side}/time_entries/{entry['id']}/stop")]
    assert emulator.toggl.entry(entry["id"])["stop"] is not None


def test_toggl_start_here_stops_the_timer_elsewhere_in_one_request(emulator, account):
    session = account.session(Service.TOGGL)
    side, entry = toggl_elsewhere(emulator)
    session.sync()
    emulator.clear_requests()
    session.start(EntryDraft("Here"))
    snap = session.flush()
    assert len(sent(emulator, Service.TOGGL)) == 1  # Toggl stops the other one itself
    assert emulator.toggl.entry(entry["id"])["stop"] is not None
    assert snap.running.description == "Here" and snap.running_workspace is None
    assert [x.description for x in session.store.running("toggl-track")] == ["Here"]


# -- Clockify: one in-progress request per other workspace --------------------------------------

def test_clockify_sync_asks_each_other_workspace_once_and_caches_the_list(emulator, account):
    side, entry = clockify_elsewhere(emulator)
    session = account.session(Service.CLOCKIFY)
    snap = session.sync()
    assert snap.running is not None and snap.running.id == entry["id"]
    assert snap.running_workspace == SIDE
    assert all(x.workspace_id == session.wid for x in snap.entries)
    emulator.clear_requests()
    snap = session.sync()
    assert snap.running_workspace == SIDE
    uid = emulator.clockify.user_id
    home = f"/api/v1/workspaces/{session.wid}/user/{uid}/time-entries"
    assert sent(emulator, Service.CLOCKIFY) == [
        ("GET", home), ("GET", f"/api/v1/workspaces/{side}/user/{uid}/time-entries")]
    # Stopped there (on the web): the next sync says so.
    with emulator.lock:
        emulator.clockify.entry(side, entry["id"])["end"] = int(time.time())
    snap = session.sync()
    assert snap.running is None and snap.running_workspace is None


def test_clockify_stop_stops_it_in_its_own_workspace(emulator, account):
    side, entry = clockify_elsewhere(emulator)
    session = account.session(Service.CLOCKIFY)
    session.sync()
    session.stop()
    snap = session.flush()
    assert snap.running is None and snap.pending == 0 and snap.problems == ()
    assert emulator.clockify.entry(side, entry["id"])["end"] is not None


def test_clockify_start_here_stops_the_timer_elsewhere(emulator, account):
    side, entry = clockify_elsewhere(emulator)
    session = account.session(Service.CLOCKIFY)
    session.sync()
    session.start(EntryDraft("Here"))
    snap = session.flush()
    assert snap.pending == 0 and snap.problems == ()
    assert emulator.clockify.entry(side, entry["id"])["end"] is not None
    snap = session.sync()
    assert snap.running.description == "Here" and snap.running_workspace is None
    assert [x.description for x in session.store.running("clockify")] == ["Here"]


# -- the command line ---------------------------------------------------------------------------

def status(home, emulator, *service):
    out = cli(home, emulator.base_url, *service, "status", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_cli_status_and_stop_on_toggl(home, emulator):
    assert status(home, emulator)["running"] is False
    side, entry = toggl_elsewhere(emulator)
    data = status(home, emulator)
    assert data["running"] is True and data["entry"]["description"] == "Elsewhere"
    assert data["entry"]["workspace"] == SIDE
    emulator.clear_requests()
    out = cli(home, emulator.base_url, "status")
    assert out.returncode == 0 and f"in workspace {SIDE}" in out.stdout, out.stdout
    assert len(sent(emulator, Service.TOGGL)) == 1  # the names are known: the `since` only
    emulator.clear_requests()
    out = cli(home, emulator.base_url, "stop")
    assert out.returncode == 0 and out.stdout.startswith("Not tracking"), out.stderr
    assert emulator.toggl.entry(entry["id"])["stop"] is not None
    assert sent(emulator, Service.TOGGL) == [
        ("GET", "/api/v9/me/time_entries"),
        ("PATCH", f"/api/v9/workspaces/{side}/time_entries/{entry['id']}/stop")]


def test_cli_status_and_toggle_on_clockify(home, emulator):
    clockify = ("--service", "clockify")
    side, entry = clockify_elsewhere(emulator)
    data = status(home, emulator, *clockify)
    assert data["running"] is True and data["entry"]["workspace"] == SIDE
    emulator.clear_requests()
    out = cli(home, emulator.base_url, *clockify, "toggle")
    assert out.returncode == 0 and out.stdout.startswith("Not tracking"), out.stderr
    assert emulator.clockify.entry(side, entry["id"])["end"] is not None
    uid = emulator.clockify.user_id
    there = f"/api/v1/workspaces/{side}/user/{uid}/time-entries"
    # The sync (this workspace, then the other), then the stop: is it still the one that
    # runs there, and stop it there.
    assert [p for _m, p in sent(emulator, Service.CLOCKIFY)][1:] == [there, there, there]
    assert status(home, emulator, *clockify)["running"] is False


def test_clockify_asks_a_bounded_number_of_other_workspaces(emulator, account):
    """The server decides how many workspaces there are: a sync asks at most
    MAX_OTHER_WORKSPACES of them, not one request per workspace however many."""
    from trayapp.sync.session import MAX_OTHER_WORKSPACES

    with emulator.lock:
        store = emulator.clockify
        for n in range(MAX_OTHER_WORKSPACES + 30):
            store.workspaces.append({"id": store.new_id(), "name": f"Extra {n}"})
    session = account.session(Service.CLOCKIFY)
    session.sync()
    emulator.clear_requests()
    session.sync()
    assert len(sent(emulator, Service.CLOCKIFY)) == 1 + MAX_OTHER_WORKSPACES
