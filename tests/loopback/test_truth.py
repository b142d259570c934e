"""The commands never report what is not so: they act on what runs on the service now (a
timer started on the web, another device), and offline they say they acted on the last known
state. Timers run by hand on the emulator's API play "the web"."""

from __future__ import annotations

import json
import socket

import pytest

from trayapp.api.connections import Connections
from trayapp.api.gateway import Gateway
from trayapp.api.trackers import make_tracker
from trayapp.core.models import EntryDraft, Service

from ..conftest import TEST_KEY
from ..support.e2e import cli


@pytest.fixture
def web(emulator):
    """Toggl as its web app sees it: the same account, another client. Only Toggl is
    connected: with both, choosing where a timer runs already asks each service."""
    with Gateway(TEST_KEY, emulator.base_url) as gateway:
        for connection in Connections(gateway).list(Service.CLOCKIFY):
            Connections(gateway).delete(connection.id)
        tracker = make_tracker(Service.TOGGL, gateway)
        tracker.wid = tracker.me().default_workspace_id
        yield tracker


def running_on_toggl(emulator) -> list[str]:
    return [x["description"] for x in emulator.toggl.entries if x["stop"] is None]


def replaced_on_the_web(home, emulator, web) -> None:
    """Known here: "Here" runs. Then, on the web: "Here" stopped, "On the web" started."""
    out = cli(home, emulator.base_url, "start", "Here")
    assert out.returncode == 0, out.stderr
    here = web.current(web.wid)
    web.stop(web.wid, here.id)
    web.start(web.wid, EntryDraft("On the web"))
    assert running_on_toggl(emulator) == ["On the web"]


@pytest.mark.parametrize("command", ["stop", "toggle"])
def test_stop_and_toggle_stop_the_timer_that_runs_now(home, emulator, web, command):
    """They stopped "Here" again (already stopped) and printed "Not tracking", exit 0, while
    "On the web" kept running."""
    replaced_on_the_web(home, emulator, web)
    out = cli(home, emulator.base_url, command)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Not tracking")
    assert running_on_toggl(emulator) == []


def test_status_shows_the_timer_started_on_the_web(home, emulator, web):
    replaced_on_the_web(home, emulator, web)
    status = json.loads(cli(home, emulator.base_url, "status", "--json").stdout)
    assert status["running"] is True and status["entry"]["description"] == "On the web"


def test_continue_with_a_timer_running_on_the_web_leaves_one_running(home, emulator, web):
    cli(home, emulator.base_url, "status")
    web.start(web.wid, EntryDraft("On the web"))
    out = cli(home, emulator.base_url, "continue")
    assert out.returncode == 0, out.stderr
    assert len(running_on_toggl(emulator)) == 1


def test_a_fresh_store_toggles_the_timer_running_on_the_server(home, emulator, web):
    """On a fresh store, `toggle` said "There is no earlier entry to continue"."""
    web.start(web.wid, EntryDraft("On the web"))
    out = cli(home, emulator.base_url, "toggle")
    assert out.returncode == 0, out.stderr
    assert running_on_toggl(emulator) == []


@pytest.mark.parametrize("command, code", [("stop", 75), ("toggle", 75), ("status", 1)])
def test_offline_they_say_they_acted_on_the_last_known_state(home, emulator, web, command,
                                                             code):
    out = cli(home, emulator.base_url, "start", "Here")
    assert out.returncode == 0, out.stderr
    cli(home, emulator.base_url, "status")  # a sync: the last known state has a time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    out = cli(home, closed, command)
    assert out.returncode == code, out.stderr
    assert "last known state, as of " in out.stderr and out.stderr.count("\n") == 1
