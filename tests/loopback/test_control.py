"""The use cases without Qt: the connection rule, sign-ins on a fake clock, service choice,
the dispatcher's plans and answers, one-shot execution and the backend's lifecycle, against
the emulator on a real loopback socket."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from trayapp.api.connections import Connections
from trayapp.config import Config
from trayapp.control import accounts, actions, oneshot
from trayapp.control.accounts import SignIns, SignInState
from trayapp.control.actions import Request, Show, Then, UsageError
from trayapp.control.backend import Backend
from trayapp.core import errors as e
from trayapp.core.models import Connection, ConnectionStatus, EntryDraft, Service
from trayapp.sync.account import Account

from ..conftest import TEST_KEY

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def conn(cid: str, app: str, status: str = "ACTIVE", minutes: int = 0) -> Connection:
    return Connection(cid, app, ConnectionStatus(status), created=T0 + timedelta(minutes=minutes))


# -- which connection, which service ---------------------------------------------------------------

def test_the_oldest_active_connection_wins_unless_one_was_chosen():
    found = [conn("new", "toggl-track", minutes=5), conn("old", "toggl-track"),
             conn("older-but-failed", "toggl-track", "FAILED", minutes=-5),
             conn("c1", "clockify", "PENDING")]
    assert accounts.current_connection(found, Service.TOGGL, None).id == "old"
    assert accounts.current_connection(found, Service.TOGGL, "new").id == "new"
    # A chosen connection is shown as it is, FAILED included; one Maton forgot is not.
    assert accounts.current_connection(found, Service.TOGGL, "older-but-failed").status \
        is ConnectionStatus.FAILED
    assert accounts.current_connection(found, Service.TOGGL, "gone").id == "old"
    assert accounts.current_connection(found, Service.CLOCKIFY, None) is None


def test_adopt_records_and_forgets_connections():
    config = Config(service="clockify", connections={"clockify": "gone"})
    found = accounts.adopt(config, [conn("t1", "toggl-track")])
    assert found[Service.TOGGL].id == "t1" and found[Service.CLOCKIFY] is None
    assert config.connections == {"toggl-track": "t1"}
    assert config.service is None  # Clockify is no longer connected


def test_service_choice_is_one_rule():
    both = Config(service="clockify", connections={"toggl-track": "t", "clockify": "c"})
    assert accounts.choose_service(both) is Service.CLOCKIFY
    assert accounts.choose_service(both, "toggl-track") is Service.TOGGL
    one = Config(service="clockify", connections={"toggl-track": "t"})
    assert accounts.choose_service(one) is Service.TOGGL  # the chosen one is not connected
    with pytest.raises(e.NoConnection, match="Clockify is not connected"):
        accounts.choose_service(one, "clockify")
    with pytest.raises(e.BadRequest, match="Unknown service"):
        accounts.choose_service(one, "harvest")
    assert accounts.choose_service(Config()) is Service.TOGGL  # nothing known yet
    assert accounts.choose_service(Config(), "clockify") is Service.CLOCKIFY
    assert accounts.choose_service(one, "clockify", available=list(Service)) \
        is Service.CLOCKIFY  # the demo has both


# -- signing in ------------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sign_ins(gateway):
    clock = Clock()
    return SignIns(lambda: Connections(gateway), timeout=300, clock=clock), clock


def test_sign_in_waits_then_becomes_active(sign_ins, emulator):
    flow, clock = sign_ins
    started = flow.begin(Service.TOGGL)
    assert started.state is SignInState.WAITING and "/_emulator/connect/" in started.url
    clock.now = 10
    assert flow.poll(started).state is SignInState.WAITING
    httpx.get(started.url, timeout=5)  # the user signs in, in the browser
    done = flow.poll(started)
    assert done.state is SignInState.ACTIVE and done.connection_id == started.connection_id
    assert flow.poll(done) is done  # a finished sign-in asks nothing more


def test_sign_in_fails_times_out_or_is_cancelled(sign_ins, emulator):
    flow, clock = sign_ins
    failing = flow.begin(Service.CLOCKIFY)
    httpx.get(failing.url, params={"fail": "1"}, timeout=5)
    assert flow.poll(failing).state is SignInState.FAILED

    slow = flow.begin(Service.CLOCKIFY)
    clock.now = 299
    assert flow.poll(slow).state is SignInState.WAITING
    clock.now = 300
    timed_out = flow.poll(slow)
    assert timed_out.state is SignInState.TIMED_OUT
    assert timed_out.error.message == "Sign-in was not finished within 5 minutes."
    ids = {c["connection_id"] for c in emulator.connections}
    assert slow.connection_id not in ids  # the pending connection is deleted

    cancelled = flow.cancel(flow.begin(Service.TOGGL))
    assert cancelled.state is SignInState.CANCELLED
    assert cancelled.connection_id not in {c["connection_id"] for c in emulator.connections}


def test_sign_in_rides_out_a_network_blip(sign_ins, emulator):
    flow, _clock = sign_ins
    started = flow.begin(Service.TOGGL)
    emulator.add_fault("refuse", path=f"/connections/{started.connection_id}", times=4)
    blip = flow.poll(started)
    assert blip.state is SignInState.WAITING and blip.unreachable
    assert not flow.poll(blip).unreachable


def test_a_busy_maton_is_ridden_out_too(sign_ins, emulator):
    flow, _clock = sign_ins
    started = flow.begin(Service.TOGGL)
    emulator.add_fault("html5xx", status=502, path=f"/connections/{started.connection_id}",
                       times=4)
    assert flow.poll(started).unreachable  # a 502 page: still waiting, not failed


def test_cancel_keeps_a_sign_in_finished_just_before(sign_ins, emulator):
    flow, _clock = sign_ins
    started = flow.begin(Service.TOGGL)
    httpx.get(started.url, timeout=5)  # signed in, a moment before the window closed
    assert flow.cancel(started).state is SignInState.ACTIVE
    assert started.connection_id in {c["connection_id"] for c in emulator.connections}


def test_wait_polls_every_two_seconds_and_ctrl_c_cancels(sign_ins, emulator):
    flow, clock = sign_ins
    started = flow.begin(Service.TOGGL)
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        clock.now += seconds

    assert flow.wait(started, sleep=sleep).state is SignInState.TIMED_OUT
    assert naps == [2.0] * 150  # five minutes at Maton's own pace

    other = flow.begin(Service.TOGGL)

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    assert flow.wait(other, sleep=interrupt).state is SignInState.CANCELLED
    assert other.connection_id not in {c["connection_id"] for c in emulator.connections}


def test_check_key(emulator):
    assert len(accounts.check_key(TEST_KEY, emulator.base_url)) == 2
    with pytest.raises(e.AuthError) as info:
        accounts.check_key("wrong", emulator.base_url, accounts.ENV_HINT)
    assert "MATON_API_KEY" in info.value.text and "in Settings" not in info.value.text
    with pytest.raises(e.AuthError, match="does not look like"):
        accounts.check_key("two words", emulator.base_url)


# -- the dispatcher --------------------------------------------------------------------------------

@pytest.mark.parametrize("message, why", [
    ([], "not a JSON object"),
    ({"command": "rm -rf"}, "Unknown command"),
    ({"command": 3}, "Unknown command"),
    ({"command": "update", "args": {"id": "1", "changes": {}}}, "Unknown command"),
    ({"command": "start", "args": ["a"]}, "not an object"),
    ({"command": "start", "args": {"project": 5}}, "--project must be text"),
])
def test_requests_from_the_socket_are_checked(message, why):
    with pytest.raises(UsageError, match=why):
        Request.from_message(message)


def test_plans():
    config = Config(connections={"toggl-track": "t"})
    assert actions.plan(Request("menu"), config) == Show("menu")
    status = actions.plan(Request("status"), config)
    assert status.then is Then.NOTHING and status.service is Service.TOGGL
    assert actions.plan(Request("sync"), config).then is Then.SYNC
    start = actions.plan(Request("start", draft=EntryDraft("x")), config)
    assert start.then is Then.SEND and start.predict is not None
    with pytest.raises(e.NoConnection):
        actions.plan(Request("stop", {"service": "clockify"}), config)
    with pytest.raises(UsageError):
        actions.plan(Request("drop"), config)
    with pytest.raises(UsageError):
        actions.plan(Request("fly"), config)


def test_refusal_and_exit_codes():
    assert actions.refusal(UsageError("bad"))["exit"] == actions.EXIT_USAGE
    reply = actions.refusal(e.AuthError())
    assert reply["exit"] == actions.EXIT_ERROR and reply["error"].startswith("Maton API key")


@pytest.fixture
def account(emulator, tmp_path):
    acc = Account(TEST_KEY, emulator.base_url, tmp_path / "store.sqlite3",
                  sleep=lambda s: None)
    yield acc
    acc.close()


def run(account: Account, command: str, **args: object) -> dict:
    step = actions.plan(Request(command, args), Config())
    assert not isinstance(step, Show)
    return oneshot.execute(step, account)


def test_oneshot_execution_and_its_answers(account, emulator):
    assert run(account, "status")["status"]["running"] is False
    started = run(account, "start", description="Plan", project="Website", tags="a, b")
    assert started["exit"] == 0 and started["status"]["entry"]["project"] == "Website"
    assert started["status"]["entry"]["tags"] == ["a", "b"]
    assert run(account, "toggle")["message"].startswith("Not tracking")
    stopped = run(account, "stop")
    assert stopped["exit"] == 1 and "No timer is running" in stopped["error"]
    assert run(account, "continue")["status"]["entry"]["description"] == "Plan"
    missing = run(account, "start", description="x", project="Nope")
    assert missing["exit"] == 1 and "No project named" in missing["error"]

    emulator.add_fault("refuse", times=None)  # the gateway is unreachable from now on
    queued = run(account, "stop")
    assert queued["exit"] == actions.EXIT_QUEUED and "saved" in queued["error"]
    assert queued["status"]["pending"] == 1


def test_a_refused_start_is_reported_by_the_command(account):
    step = actions.plan(Request("start", draft=EntryDraft("Refused", project_id="999999")),
                        Config())
    refused = oneshot.execute(step, account)
    assert refused["exit"] == 1 and refused["ok"] is False
    assert "Invalid project_id" in refused["error"]
    assert refused["status"]["problems"][0]["message"] == "Invalid project_id"


# -- the backend's lifecycle -----------------------------------------------------------------------

def test_the_demo_backend_has_both_services_and_its_own_store(tmp_path):
    config = Config()
    backend = Backend(config, None, demo=True, path=tmp_path / "demo.sqlite3")
    try:
        assert backend.demo and backend.services == list(Service)
        assert not backend.needs_discovery and backend.server is not None
        snap = backend.account.session(Service.CLOCKIFY).sync()
        assert snap.error is None and snap.entries
        assert not config.connections  # the emulator's accounts never reach the settings
    finally:
        backend.close()


def test_a_backend_with_a_bad_gateway_address_says_which_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", "http://example.com")
    with pytest.raises(e.SetupError, match="TRAYAPP_GATEWAY_URL"):
        Backend(Config(), TEST_KEY, demo=False, path=tmp_path / "s.sqlite3")


def test_another_key_forgets_the_old_accounts_settings():
    config = Config(service="clockify", connections={"clockify": "c"}, workspaces={"clockify": "w"})
    assert not accounts.claim(config, "key-a")  # settings from before keys were recorded
    assert config.connections and config.account == accounts.fingerprint("key-a")
    assert "key-a" not in config.account
    assert not accounts.claim(config, "key-a")
    assert config.connections
    assert accounts.claim(config, "key-b")
    assert not config.connections and not config.workspaces and config.service is None


def test_a_backend_for_another_key_starts_clean(emulator, tmp_path, monkeypatch):
    """Removing the key, trying the demo, then saving another key: the first account's
    connections and workspace are not used with the second, and are forgotten once Maton
    has accepted the new key."""
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    config = Config(connections={"toggl-track": "old-conn"}, workspaces={"toggl-track": "9"},
                    account=accounts.fingerprint("key-a"))
    backend = Backend(config, TEST_KEY, demo=False, path=tmp_path / "s.sqlite3")
    try:
        assert backend.needs_discovery and backend.services == []
        assert backend.account.connection_ids == {} and backend.account.workspace_ids == {}
        backend.adopt(backend.connections().list())
        assert config.account == accounts.fingerprint(TEST_KEY) and not config.workspaces
        assert set(config.connections) == {"toggl-track", "clockify"}
        assert "old-conn" not in config.connections.values()
    finally:
        backend.close()


def test_a_rejected_key_changes_nothing(emulator, tmp_path, monkeypatch):
    """A mistyped MATON_API_KEY for one command must not make the real account's settings
    and queued changes look like another account's."""
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    path = tmp_path / "s.sqlite3"
    config = Config(connections={"toggl-track": "c"}, account=accounts.fingerprint(TEST_KEY))
    mine = Account(TEST_KEY, emulator.base_url, path)
    mine.session(Service.TOGGL).start(EntryDraft("Mine, not yet sent"))
    mine.close()
    backend = Backend(config, "mistyped-key", demo=False, path=path)
    try:
        with pytest.raises(e.AuthError):
            backend.adopt(backend.connections().list())
        assert config.connections == {"toggl-track": "c"}
        assert config.account == accounts.fingerprint(TEST_KEY)
    finally:
        backend.close()
    again = Backend(config, TEST_KEY, demo=False, path=path)
    try:
        snapshot = again.account.session(Service.TOGGL).snapshot()
        assert snapshot.pending == 1 and not snapshot.problems  # not held
    finally:
        again.close()


def test_changes_made_with_another_key_wait_for_the_user(emulator, tmp_path, monkeypatch):
    """Queued under key A, then key B is saved: B's account must not receive them unasked,
    not even when the entry is stopped or edited later."""
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    path = tmp_path / "s.sqlite3"
    config = Config(account=accounts.fingerprint("key-a"))
    old = Account("key-a", emulator.base_url, path)
    old.session(Service.TOGGL).start(EntryDraft("Made for account A"))  # never sent
    old.close()
    backend = Backend(config, TEST_KEY, demo=False, path=path)
    try:
        backend.adopt(backend.connections().list())  # Maton accepts B: A's changes wait
        session = backend.account.session(Service.TOGGL)
        session.stop()  # what used to fold into the held start and send it along
        snapshot = session.sync()
        assert len(snapshot.problems) == 1
        assert snapshot.problems[0].title == "Made with another Maton key"
        assert not [x for x in emulator.toggl.entries if x["description"] == "Made for account A"]
        session.retry(snapshot.problems[0].seq)  # the user says: send it to this account
        assert session.flush().pending == 0
        assert [x for x in emulator.toggl.entries if x["description"] == "Made for account A"]
    finally:
        backend.close()


def test_control_never_imports_qt():
    import subprocess

    code = ("import sys; import trayapp.control.actions, trayapp.control.accounts, "
            "trayapp.control.backend, trayapp.control.oneshot, trayapp.control.notices; "
            "assert not [m for m in sys.modules if m.startswith('PySide6')]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_winding_up_a_service_stops_its_timer_before_it_is_disconnected(emulator, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    backend = Backend(Config(), TEST_KEY, demo=False, path=tmp_path / "s.sqlite3")
    try:
        session = backend.account.session(Service.CLOCKIFY)
        session.sync()
        session.start(EntryDraft("Running at the disconnect"))
        session.flush()
        emulator.add_fault("refuse", times=None)
        with pytest.raises(e.Conflict, match="not disconnected"):
            backend.wind_up(Service.CLOCKIFY)  # offline: the timer could not be stopped
        emulator.clear_faults()
        backend.wind_up(Service.CLOCKIFY)
        mine = [x for x in emulator.clockify.entries
                if x["description"] == "Running at the disconnect"]
        assert len(mine) == 1 and mine[0]["end"] is not None
    finally:
        backend.close()




def test_stop_and_status_follow_the_timer_to_the_other_service():
    config = Config(service="toggl-track", connections={"toggl-track": "t", "clockify": "c"})

    def on_clockify(service: Service) -> bool:
        return service is Service.CLOCKIFY

    assert actions.plan(Request("stop"), config, running=on_clockify).service is Service.CLOCKIFY
    assert actions.plan(Request("status"), config, running=on_clockify).service \
        is Service.CLOCKIFY
    named = Request("stop", {"service": "toggl-track"})
    assert actions.plan(named, config, running=on_clockify).service is Service.TOGGL
    assert actions.plan(Request("continue"), config, running=on_clockify).service \
        is Service.TOGGL  # nothing to follow: the tracked service
