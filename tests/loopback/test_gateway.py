"""The gateway client against the emulator's faults, over a real loopback socket:
every error class, the retry rules, quota tracking, and the key kept out of sight."""

from __future__ import annotations

import logging
import socket
import time

import httpx
import pytest

from trayapp.api.connections import Connections
from trayapp.api.gateway import Gateway, check_gateway_url
from trayapp.api.trackers import make_tracker
from trayapp.core import errors as e
from trayapp.core.models import ConnectionStatus, EntryDraft, Service

from ..conftest import TEST_KEY


def toggl(gateway):
    tracker = make_tracker(Service.TOGGL, gateway)
    return tracker, tracker.me().default_workspace_id


def entries_named(emulator, description):
    return [x for x in emulator.toggl.entries
            if x.get("description") == description and not x.get("server_deleted_at")]


def test_gateway_url_rules():
    assert check_gateway_url("https://api.maton.ai/") == "https://api.maton.ai"
    assert check_gateway_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert check_gateway_url("http://localhost:1") == "http://localhost:1"
    assert check_gateway_url("http://[::1]:1") == "http://[::1]:1"
    for bad in ("http://example.com", "ftp://127.0.0.1", "api.maton.ai", "http://10.0.0.1",
                "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:1/path",
                "https://api.maton.ai?x=1", "https://api.maton.ai#f", "https://[::1", ""):
        with pytest.raises(ValueError):
            check_gateway_url(bad)
    with pytest.raises(ValueError) as info:  # credentials: refused, and never repeated
        check_gateway_url("https://user:s3cret@127.0.0.1:1")
    assert "s3cret" not in str(info.value) and "user" in str(info.value)


def test_bad_key_is_auth_error_without_the_key_in_sight(emulator, caplog):
    secret = "sk-very-secret-value"
    caplog.set_level(logging.DEBUG)
    with Gateway(secret, emulator.base_url) as gw:
        with pytest.raises(e.AuthError) as info:
            make_tracker(Service.TOGGL, gw).me()
        assert secret not in repr(gw) and secret not in str(vars(gw.quota))
    assert secret not in str(info.value) and secret not in repr(info.value)
    assert secret not in caplog.text


def test_missing_key_is_refused_before_any_request():
    with pytest.raises(e.AuthError):
        Gateway("  ", "http://127.0.0.1:9")


def test_no_connection(emulator, gateway):
    for conn in Connections(gateway).list():
        Connections(gateway).delete(conn.id)
    with pytest.raises(e.NoConnection) as info:
        make_tracker(Service.CLOCKIFY, gateway).me()
    assert "Clockify" in info.value.message


def test_pending_and_failed_connections_are_named(emulator, gateway):
    pending = emulator.make_connection("toggl-track", status="PENDING")
    with pytest.raises(e.ConnectionPending):
        make_tracker(Service.TOGGL, gateway, pending).me()
    failed = emulator.make_connection("toggl-track", status="FAILED")
    with pytest.raises(e.ConnectionFailed):
        make_tracker(Service.TOGGL, gateway, failed).me()


def test_connection_header_selects_the_connection(emulator, gateway):
    conn = next(c for c in Connections(gateway).list(Service.TOGGL))
    make_tracker(Service.TOGGL, gateway, conn.id).me()
    assert emulator.requests[-1].connection == conn.id


def test_network_unreachable():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Gateway(TEST_KEY, f"http://127.0.0.1:{port}", sleep=lambda s: None) as gw:
        with pytest.raises(e.NetworkError) as info:
            make_tracker(Service.TOGGL, gw).me()
        assert gw.stats.sent == 4  # nothing was sent, so every method may retry
    assert not isinstance(info.value, e.OutcomeUnknown)


def test_refused_get_is_retried(emulator, gateway):
    tracker, wid = toggl(gateway)
    emulator.add_fault("refuse", method="GET", path="/time_entries/current", times=1)
    assert tracker.current(wid) is None


def test_dropped_start_is_outcome_unknown_and_was_committed(emulator, gateway):
    tracker, wid = toggl(gateway)
    emulator.add_fault("drop", method="POST", path="/time_entries", times=1)
    with pytest.raises(e.OutcomeUnknown):
        tracker.start(wid, EntryDraft("Dropped answer"))
    assert len(entries_named(emulator, "Dropped answer")) == 1  # committed, not retried


def test_slow_post_times_out_as_outcome_unknown(emulator):
    emulator.add_fault("delay", method="POST", delay=1.0, times=1)
    timeout = httpx.Timeout(0.3, connect=1.0)
    with Gateway(TEST_KEY, emulator.base_url, timeout=timeout, sleep=lambda s: None) as gw:
        tracker, wid = toggl(gw)
        with pytest.raises(e.OutcomeUnknown):
            tracker.start(wid, EntryDraft("Slow"))
        deadline = time.monotonic() + 5
        while not entries_named(emulator, "Slow") and time.monotonic() < deadline:
            time.sleep(0.05)  # the server commits after its delay
        assert len(entries_named(emulator, "Slow")) == 1
        emulator.add_fault("delay", method="GET", delay=1.0, times=1)
        assert tracker.current(wid) is not None  # GET timed out once, then retried


def test_html_5xx_retried_for_get_then_server_error(emulator, gateway):
    tracker, wid = toggl(gateway)
    emulator.add_fault("html5xx", method="GET", status=502, times=1)
    assert tracker.current(wid) is None
    emulator.add_fault("html5xx", method="GET", status=503, times=None)
    with pytest.raises(e.ServerError) as info:
        tracker.current(wid)
    assert info.value.status == 503 and "<" not in info.value.message
    emulator.clear_faults()
    emulator.add_fault("html5xx", method="POST", status=500, times=1)
    with pytest.raises(e.ServerError):
        tracker.start(wid, EntryDraft("Not retried"))  # a POST is never repeated blindly
    assert entries_named(emulator, "Not retried") == []


def test_429_short_retry_after_is_honoured_long_one_raises(emulator):
    waits: list[float] = []
    with Gateway(TEST_KEY, emulator.base_url, sleep=waits.append) as gw:
        tracker, wid = toggl(gw)
        emulator.add_fault("429", method="POST", retry_after=2, times=1)
        started = tracker.start(wid, EntryDraft("After a 429"))
        assert started.running and 2 in waits
        assert len(entries_named(emulator, "After a 429")) == 1
        emulator.add_fault("429", retry_after=120, times=1)
        with pytest.raises(e.RateLimited) as info:
            tracker.current(wid)
        assert 100 < info.value.retry_in <= 120


def test_toggl_quota_is_tracked_and_402_means_paused(emulator, gateway):
    tracker, wid = toggl(gateway)
    emulator.set_limits(toggl_hourly=3)
    tracker.current(wid)
    assert gateway.quota.remaining == 2 and gateway.quota.resets_at is not None
    tracker.current(wid)
    tracker.current(wid)
    with pytest.raises(e.QuotaExhausted) as info:
        tracker.current(wid)
    assert 3000 < info.value.retry_in <= 3600
    assert not isinstance(info.value, e.PremiumRequired)


def test_quota_fault_is_quota_not_premium(emulator, gateway):
    tracker, wid = toggl(gateway)
    emulator.add_fault("quota402", times=1)
    with pytest.raises(e.QuotaExhausted):
        tracker.current(wid)


def test_clockify_rate_limit(emulator):
    emulator.set_limits(clockify_rps=2)
    with Gateway(TEST_KEY, emulator.base_url, max_retries=0) as gw:
        tracker = make_tracker(Service.CLOCKIFY, gw)
        with pytest.raises(e.RateLimited):
            for _ in range(10):
                tracker.workspaces()


def test_malformed_200_bodies():
    def handler(request):
        if request.url.path.endswith("/me"):
            return httpx.Response(200, text="<html>login</html>",
                                  headers={"content-type": "text/html"})
        if request.url.path.endswith("/workspaces"):
            return httpx.Response(200, content=b'{"truncated": ')
        return httpx.Response(200, json={"not": "a list"})

    with Gateway(TEST_KEY, "https://gw.invalid", transport=httpx.MockTransport(handler)) as gw:
        tracker = make_tracker(Service.TOGGL, gw)
        for call in (tracker.me, tracker.workspaces, lambda: tracker.projects("1")):
            with pytest.raises(e.MalformedResponse):
                call()


# -- connections -------------------------------------------------------------------------


def test_connection_calls(emulator, gateway):
    conns = Connections(gateway)
    made = conns.create(Service.TOGGL)
    assert made.status is ConnectionStatus.PENDING and made.url and made.app == "toggl-track"
    assert conns.get(made.id).status is ConnectionStatus.PENDING
    httpx.get(made.url, timeout=5)  # the user signs in, in the browser
    assert conns.get(made.id).status is ConnectionStatus.ACTIVE
    assert made.id in {c.id for c in conns.list(Service.TOGGL)}
    assert made.id not in {c.id for c in conns.list(Service.CLOCKIFY)}
    conns.delete(made.id)
    assert made.id not in {c.id for c in conns.list()}
    with pytest.raises(e.NotFound):
        conns.get(made.id)


def test_requests_are_paced_under_matons_limit(emulator):
    waits: list[float] = []
    emulator.set_limits(maton_rps=10)
    with Gateway(TEST_KEY, emulator.base_url, sleep=lambda s: (waits.append(s), time.sleep(s))
                 ) as gw:
        tracker, wid = toggl(gw)
        for _ in range(25):
            tracker.current(wid)
    assert len(waits) >= 2  # the burst was spread out...
    assert not [r for r in emulator.requests if r.status == 429]  # ...so Maton never said 429


def test_a_key_with_impossible_characters_is_refused_plainly(tmp_path):
    for bad in ("ключ", "two words", "tab\there"):
        with pytest.raises(e.AuthError) as info:
            Gateway(bad, "http://127.0.0.1:9")
        assert bad not in info.value.message
    from trayapp.sync.account import Account

    account = Account("two words", "http://127.0.0.1:9", tmp_path / "s.sqlite3")
    with pytest.raises(e.AuthError):
        account.session(Service.TOGGL)
    account.close()
