"""When the app asks the server by itself."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from trayapp.core import errors as e
from trayapp.core.models import Service
from trayapp.sync.schedule import FIRST_BACKOFF, IDLE_INTERVAL, MAX_BACKOFF, SyncPolicy
from trayapp.sync.snapshot import Snapshot

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OK = Snapshot(Service.TOGGL, last_sync=NOW)


def test_idle_interval_when_all_is_well():
    assert SyncPolicy().next_delay(OK, NOW) == IDLE_INTERVAL


def test_offline_backs_off_then_resets():
    policy = SyncPolicy()
    offline = replace(OK, error=e.NetworkError())
    delays = [policy.next_delay(offline, NOW) for _ in range(6)]
    assert delays[0] == FIRST_BACKOFF and delays[1] == 2 * FIRST_BACKOFF
    assert delays[-1] == MAX_BACKOFF
    assert policy.next_delay(OK, NOW) == IDLE_INTERVAL
    assert policy.next_delay(offline, NOW) == FIRST_BACKOFF


def test_quota_pause_waits_for_the_reset():
    paused = replace(OK, paused_until=NOW + timedelta(minutes=20))
    assert timedelta(minutes=20) <= SyncPolicy().next_delay(paused, NOW) <= timedelta(minutes=21)


def test_rate_limit_honours_retry_after():
    limited = replace(OK, error=e.RateLimited(retry_at=datetime.now(UTC) + timedelta(minutes=3)))
    assert SyncPolicy().next_delay(limited, NOW) > timedelta(minutes=2)


def test_bad_key_or_missing_connection_stops_automatic_retries():
    for error in (e.AuthError(), e.NoConnection(), e.ConnectionFailed()):
        assert SyncPolicy().next_delay(replace(OK, error=error), NOW) is None


def test_low_quota_slows_down():
    assert SyncPolicy().next_delay(replace(OK, quota_remaining=3), NOW) == 2 * IDLE_INTERVAL
    assert SyncPolicy().next_delay(replace(OK, quota_remaining=20), NOW) == IDLE_INTERVAL


def test_menu_rechecks_only_when_stale():
    policy = SyncPolicy()
    assert policy.worth_a_look(None, NOW) is False
    assert policy.worth_a_look(replace(OK, last_sync=None), NOW)
    assert not policy.worth_a_look(OK, NOW + timedelta(minutes=1))
    assert policy.worth_a_look(OK, NOW + timedelta(minutes=6))
    assert not policy.worth_a_look(replace(OK, paused_until=NOW + timedelta(hours=1)),
                              NOW + timedelta(minutes=6))
