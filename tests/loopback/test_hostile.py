"""A hostile gateway on loopback: whatever it sends (absurd waits, wrong encodings, text that
is not Unicode, a byte now and then, nothing at all, random garbage), what comes out is a
typed error, in bounded time, and the store stays usable."""

from __future__ import annotations

import gzip
import json
import sys
import time
import types
import uuid
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from trayapp.api.gateway import COMMAND_DEADLINE, Gateway
from trayapp.api.trackers import make_tracker
from trayapp.core import errors as e
from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Service
from trayapp.sync.account import Account

from ..conftest import TEST_KEY
from ..support.e2e import cli
from ..support.hostile import Answer, HostileGateway

ME = {"id": 1, "fullname": "Hostile", "email": "h@example.com", "default_workspace_id": 7}


@pytest.fixture
def hostile():
    gateways: list[HostileGateway] = []

    def make(answer) -> HostileGateway:
        gateway = HostileGateway(answer if callable(answer) else (lambda path: answer))
        gateways.append(gateway)
        return gateway

    yield make
    for gateway in gateways:
        gateway.close()


def client(base_url: str, **options) -> Gateway:
    options.setdefault("timeout", httpx.Timeout(2.0, connect=1.0))
    return Gateway(TEST_KEY, base_url, sleep=lambda s: None, **options)


def test_an_absurd_quota_wait_pauses_for_at_most_two_hours(hostile, tmp_path):
    """The reset header said 2.5e11 seconds: that paused syncing until the year 9949."""
    server = hostile(Answer(402, {"X-Toggl-Quota-Resets-In": "2.5e11",
                                  "Content-Type": "application/json"},
                            b'"You have hit your hourly quota"'))
    account = Account(TEST_KEY, server.base_url, tmp_path / "s.sqlite3", sleep=lambda s: None)
    try:
        snapshot = account.session(Service.TOGGL).sync()
        assert isinstance(snapshot.error, e.QuotaExhausted)
        assert snapshot.paused_until is not None
        assert snapshot.paused_until <= utcnow() + timedelta(hours=2, minutes=1)
    finally:
        account.close()


@pytest.mark.parametrize("answer, why", [
    (Answer(200, {"Content-Encoding": "gzip", "Content-Type": "application/json"},
            b'{"id": 1}'), "an encoding that does not match the body"),
    (Answer(200, {"Content-Encoding": "gzip"}, gzip.compress(b'{"id": 1}')[:12]),
     "a compressed body cut short"),
    (Answer(200, {"Content-Encoding": "deflate"}, gzip.compress(b'{"id": 1}')),
     "one compression named, another sent"),
    (Answer(200, {}, b'{"fullname": "\\ud800 lone"}'), "text that is not Unicode"),
    (Answer(200, {}, b'{"fullname": "\xff\xfe"}'), "bytes that are not UTF-8"),
    (Answer(200, {}, b"[" * 200_000 + b"]" * 200_000), "nesting beyond the stack"),
    (Answer(200, {"Content-Type": "text/html"}, b"<html>login</html>"), "a web page"),
    (Answer(200, {}, b'{"id": '), "half a document"),
    (Answer(200, {}, b'"just a string"'), "not an object"),
])
def test_a_body_that_breaks_the_parser_is_a_typed_error(hostile, answer, why):
    server = hostile(answer)
    with client(server.base_url) as gateway:
        with pytest.raises(e.MalformedResponse):
            make_tracker(Service.TOGGL, gateway).me()


def test_an_endless_answer_is_cut_off(hostile, monkeypatch):
    monkeypatch.setattr("trayapp.api.gateway.MAX_BODY", 1000)
    server = hostile(Answer(200, {}, b'{"fullname": "' + b"x" * 5000 + b'"}'))
    with client(server.base_url) as gateway:
        with pytest.raises(e.MalformedResponse, match="far larger"):
            make_tracker(Service.TOGGL, gateway).me()


@pytest.mark.parametrize("service, full_page", [
    (Service.TOGGL, [{"id": 1, "name": "P", "workspace_id": 7}] * 200),
    (Service.CLOCKIFY, [{"id": "p1", "name": "P", "workspaceId": "w1"}] * 200),
])
def test_a_list_that_never_ends_is_refused_after_a_bounded_number_of_pages(hostile, service,
                                                                           full_page):
    """Every page full, forever: the pages asked are counted and then refused, not asked on
    until memory or the quota runs out."""
    from trayapp.api.tracker import MAX_PAGES

    server = hostile(Answer(200, {"Content-Type": "application/json"},
                            json.dumps(full_page).encode()))
    with client(server.base_url) as gateway:
        with pytest.raises(e.MalformedResponse, match="did not end"):
            make_tracker(service, gateway).projects("7" if service is Service.TOGGL else "w1")
    assert server.requests == MAX_PAGES


def test_a_server_that_trickles_meets_a_deadline(hostile):
    """A byte every 0.3 s never meets the read time-out: the deadline ends it."""
    server = hostile(Answer(200, {}, json.dumps(ME).encode() * 50, trickle=0.3))
    started = time.monotonic()
    with client(server.base_url, deadline=1.0, max_retries=1) as gateway:
        with pytest.raises(e.NetworkError):
            make_tracker(Service.TOGGL, gateway).me()
    assert time.monotonic() - started < 6


def test_a_server_that_never_answers_meets_the_read_time_out(hostile):
    server = hostile(Answer(stall=True))
    started = time.monotonic()
    with client(server.base_url, timeout=httpx.Timeout(0.5, connect=0.5),
                max_retries=1) as gateway:
        with pytest.raises(e.NetworkError):
            make_tracker(Service.TOGGL, gateway).me()
        with pytest.raises(e.OutcomeUnknown):  # a start may have been applied: not resent
            make_tracker(Service.TOGGL, gateway).start("7", EntryDraft("x"))
    assert time.monotonic() - started < 5


def test_all_requests_of_a_command_end_by_its_deadline(hostile):
    """Each attempt is bounded, but retries add up: the overall deadline ends them."""
    server = hostile(Answer(stall=True))
    started = time.monotonic()
    with client(server.base_url, timeout=httpx.Timeout(0.5, connect=0.5), max_retries=5,
                give_up_after=1.2) as gateway:
        with pytest.raises(e.NetworkError, match="too slow"):
            for _ in range(5):
                make_tracker(Service.TOGGL, gateway).me()
    assert time.monotonic() - started < 2.5


def test_a_command_against_a_stalling_gateway_ends_in_one_line(hostile, home):
    """`status` waited over a minute; now it gives up within the command deadline."""
    server = hostile(Answer(stall=True))
    started = time.monotonic()
    out = cli(home, server.base_url, "status", timeout=COMMAND_DEADLINE + 15)
    assert time.monotonic() - started < COMMAND_DEADLINE + 8
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1 and "too slow" in out.stderr


headers = st.dictionaries(
    st.sampled_from(["Content-Type", "Content-Encoding", "Retry-After",
                     "X-Toggl-Quota-Remaining", "X-Toggl-Quota-Resets-In", "X-Other"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
    max_size=4)
bodies = st.one_of(
    st.binary(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                 | st.text(max_size=30),
                 lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(status=st.sampled_from([200, 201, 204, 301, 400, 401, 402, 403, 404, 409, 418, 429,
                               500, 502, 503]),
       headers=headers, body=bodies)
def test_whatever_the_gateway_sends_only_typed_errors_come_out(hostile, tmp_path, status,
                                                               headers, body):
    server = hostile(Answer(status, headers, body))
    store = tmp_path / f"fuzz-{uuid.uuid4().hex}.sqlite3"  # one example's store, not the last's
    account = Account(TEST_KEY, server.base_url, store, sleep=lambda s: None,
                      timeout=httpx.Timeout(2.0, connect=1.0), max_retries=1)
    try:
        for service in Service:
            session = account.session(service)
            snapshot = session.sync()  # never raises: a failure is the snapshot's error
            assert snapshot.error is None or isinstance(snapshot.error, e.TrackerError)
            session.start(EntryDraft("Fuzzed"))
            after = session.flush()
            assert after.pending + len(after.problems) <= 2  # the start (and a stop), kept
            assert session.snapshot().entries  # the store is still readable
    finally:
        account.close()


# -- the command line: any arguments, in process, against the emulator ----------------------

PLAIN = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]),
                max_size=20)
HOSTILE = st.sampled_from(["\x1b[2J", "\x00", "\udcff", "\n", "&", "<b>", "\u202e",
                           "x" * 3001])
TEXT = st.lists(PLAIN | PLAIN | HOSTILE, max_size=3).map("".join)
OPTION = st.one_of(
    st.tuples(st.just("--project"), TEXT | st.sampled_from(["Website", "Acme / Website"])),
    st.tuples(st.just("--tags"), TEXT),
    st.tuples(st.just("--service"), st.sampled_from(["toggl-track", "clockify"])),
    st.tuples(st.sampled_from(["--json", "--billable"])),
)


@st.composite
def command_lines(draw) -> list[str]:
    """Mostly well-formed (so that most reach the services), now and then not."""
    command = draw(st.sampled_from(["start", "start", "stop", "continue", "toggle", "status"]))
    words = [command]
    if command == "start" or draw(st.integers(0, 9)) == 0:
        words.append(draw(TEXT))
    for option in draw(st.lists(OPTION, max_size=3)):
        if option[0] in ("--project", "--tags", "--billable") and command != "start" \
                and draw(st.integers(0, 9)):
            continue  # start's options, on another command: bad usage, now and then only
        words.extend(option)
    if draw(st.integers(0, 9)) == 0:
        words.append(draw(st.sampled_from(["--", "-v", "--demo", "--service"]) | TEXT))
    return words


@pytest.fixture
def one_shot(emulator, monkeypatch, tmp_path):
    """`trayapp ...` run in this process, no app running, on the emulator."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / name).mkdir(mode=0o700)
        monkeypatch.setenv(name, str(tmp_path / name))
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    gui = types.ModuleType("trayapp.gui")

    def no_gui(**_: object) -> int:
        raise AssertionError("a tracking command started the tray app")

    gui.run = no_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "trayapp.gui", gui)
    return emulator


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(argv=command_lines())
def test_any_command_line_ends_in_a_contract_exit_and_a_usable_store(one_shot, capsys, argv):
    from trayapp.cli import main
    from trayapp.paths import store_path
    from trayapp.store.db import Store

    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: --help, or bad usage
        code = exc.code
    out = capsys.readouterr()
    event(f"exit {code}")
    assert code in (0, 1, 2, 75), (code, out.err)
    assert "Traceback" not in out.err
    if code != 2:  # bad usage shows the usage, then the one line of what is wrong
        assert out.err.count("\n") <= 2, out.err
    if code:
        assert out.err.splitlines()[-1].startswith("trayapp"), out.err
    assert not any(ch in out.out + out.err for ch in "\x1b\x00\x07"), "control characters"
    if store_path().exists():  # consistent: readable, one running timer at most
        store = Store(store_path())
        try:
            for service in Service:
                assert len(store.running(service.value)) <= 1
                store.outbox(service.value)
        finally:
            store.close()
