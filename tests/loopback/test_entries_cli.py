"""`trayapp entries | add | edit | delete | continue | split`, `start --at`, `stop --at`
against the emulator: one-shot on both services, offline (exit 75, local ids that keep
working), and through the running app's socket with the same answers."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest

from trayapp.core.durations import format_timestamp, utcnow

from ..support.e2e import cli
from .test_cli import running_app

KEYS = {"id", "description", "project", "client", "task", "tags", "billable", "start", "stop",
        "duration_seconds", "pending"}


@pytest.fixture(params=["toggl-track", "clockify"])
def service(request):
    return request.param


def run(home, url, service, *args):
    out = cli(home, url, "--service", service, *args)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def listed(home, url, service, *args):
    out = run(home, url, service, "entries", "--json", *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def live(emulator, service, description):
    if service == "toggl-track":
        return [x for x in emulator.toggl.entries
                if x["description"] == description and not x.get("server_deleted_at")]
    return [x for x in emulator.clockify.entries if x["description"] == description]


def test_entries_commands_one_shot(home, emulator, service):
    url = emulator.base_url
    rows = listed(home, url, service)
    assert rows and all(set(r) == KEYS for r in rows)
    assert [r["start"] for r in rows] == sorted((r["start"] for r in rows), reverse=True)

    out = run(home, url, service, "add", "Planning", "--start", "-3h", "--duration", "45m",
              "--project", "Website", "--tags", "plan,review", "--billable")
    assert out.returncode == 0, out.stderr
    added = next(r for r in listed(home, url, service) if r["description"] == "Planning")
    assert added["project"] == "Website" and added["client"] == "Acme"
    assert sorted(added["tags"]) == ["plan", "review"] and added["billable"] is True
    assert added["duration_seconds"] == 45 * 60 and added["pending"] is False
    assert len(live(emulator, service, "Planning")) == 1

    out = run(home, url, service, "edit", added["id"], "--stop", "-2h")  # the start stays
    assert out.returncode == 0, out.stderr
    edited = next(r for r in listed(home, url, service) if r["id"] == added["id"])
    # (-3h and -2h are read a moment apart, by two commands.)
    assert edited["start"] == added["start"] and abs(edited["duration_seconds"] - 3600) < 30

    text = run(home, url, service, "entries")
    assert text.returncode == 0 and "total" in text.stdout and added["id"] in text.stdout

    out = run(home, url, service, "delete", added["id"])  # not a terminal: --yes needed
    assert out.returncode == 2 and "--yes" in out.stderr
    assert len(live(emulator, service, "Planning")) == 1
    out = run(home, url, service, "delete", added["id"], "--yes")
    assert out.returncode == 0, out.stderr
    assert live(emulator, service, "Planning") == []

    first = rows[-1]
    out = run(home, url, service, "continue", first["id"])
    assert out.returncode == 0 and out.stdout.startswith(first["description"])
    out = run(home, url, service, "stop", "--at", "-1h")  # before it started
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert run(home, url, service, "stop").returncode == 0
    out = run(home, url, service, "start", "Began earlier", "--at", "-10m")
    assert out.returncode == 0, out.stderr
    running = [r for r in listed(home, url, service) if r["stop"] is None]
    assert [r["description"] for r in running] == ["Began earlier"]
    assert 590 <= running[0]["duration_seconds"] <= 700
    assert run(home, url, service, "stop", "--at", "-2m").returncode == 0


@pytest.mark.parametrize("args,code", [
    (("add", "Backwards", "--start", "10:00", "--stop", "09:00"), 2),
    (("add", "No end", "--start", "10:00"), 2),
    (("add", "Bad", "--start", "25:99", "--duration", "1h"), 2),
    (("add", "Bad", "--start", "-1h", "--duration", "forever"), 2),
    (("edit", "123456", "--description", "x"), 1),
    (("edit", "123456"), 2),
    (("delete", "123456", "--yes"), 1),
    (("split", "123456", "--at", "-5m"), 1),
    (("entries", "--date", "someday"), 2),
    (("entries", "--since", "today", "--until", "yesterday"), 2),
    (("add", "P", "--start", "-1h", "--duration", "5m", "--project", "No such"), 1),
    (("add", "Far", "--start", "9999-01-01T00:00:00Z", "--duration", "1h"), 2),
    (("edit", "123456", "--stop", "2999-01-01T00:00:00Z"), 2),
])
def test_bad_input_is_one_clear_line(home, emulator, args, code):
    out = run(home, emulator.base_url, "toggl-track", *args)
    assert out.returncode == code, (out.stdout, out.stderr)
    assert out.stderr.strip() and out.stderr.strip().count("\n") <= 5  # argparse: usage + line
    assert "Traceback" not in out.stderr


def test_offline_add_gets_a_local_id_that_keeps_working(home, emulator, service):
    url = emulator.base_url
    listed(home, url, service)  # a warm cache, as after any use
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    out = run(home, dead, service, "add", "On the train", "--start", "-2h", "--stop", "-1h")
    assert out.returncode == 75, out.stderr
    out = run(home, dead, service, "entries", "--json")
    assert out.returncode == 1 and "last known" in out.stderr  # offline: the cached list
    row = next(r for r in json.loads(out.stdout) if r["description"] == "On the train")
    assert row["pending"] is True and row["id"].startswith("local-")
    out = run(home, dead, service, "edit", row["id"], "--description", "On the train, edited")
    assert out.returncode == 75
    assert live(emulator, service, "On the train, edited") == []

    rows = listed(home, url, service)  # back online: sent first, then listed
    sent = next(r for r in rows if r["description"] == "On the train, edited")
    assert sent["pending"] is False and not sent["id"].startswith("local-")
    assert len(live(emulator, service, "On the train, edited")) == 1
    out = run(home, url, service, "edit", row["id"], "--tags", "travel")  # the local id
    assert out.returncode == 0, out.stderr
    again = next(r for r in listed(home, url, service) if r["id"] == sent["id"])
    assert again["tags"] == ["travel"]


def test_through_the_running_app(home, emulator):
    url, service = emulator.base_url, "toggl-track"
    one_shot = listed(home, url, service)
    app = running_app(home, emulator)
    try:
        via_app = listed(home, url, service)
        assert [r["id"] for r in via_app] == [r["id"] for r in one_shot]
        # Absolute times: relative ones are read at each command's own "now", and the two
        # commands could straddle a second (a split of 1799 s and 1801 s).
        begin = (utcnow() - timedelta(hours=4)).replace(microsecond=0)
        out = run(home, url, service, "add", "Via the app", "--start", format_timestamp(begin),
                  "--stop", format_timestamp(begin + timedelta(hours=1)))
        assert out.returncode == 0, out.stderr
        row = next(r for r in listed(home, url, service) if r["description"] == "Via the app")
        out = run(home, url, service, "split", row["id"], "--at",
                  format_timestamp(begin + timedelta(minutes=30)))
        assert out.returncode == 0, out.stderr
        parts = [r for r in listed(home, url, service) if r["description"] == "Via the app"]
        assert sorted(r["duration_seconds"] for r in parts) == [1800, 1800]
        out = run(home, url, service, "edit", parts[0]["id"], "--description", "Second half")
        assert out.returncode == 0, out.stderr
        out = run(home, url, service, "delete", parts[1]["id"], "--yes")
        assert out.returncode == 0, out.stderr
        out = run(home, url, service, "continue", parts[0]["id"])
        assert out.returncode == 0 and out.stdout.startswith("Second half")
        assert run(home, url, service, "stop", "--at", "now").returncode == 0
        out = run(home, url, service, "edit", "nope", "--description", "x")
        assert out.returncode == 1 and "No entry" in out.stderr
        assert app.proc.poll() is None
    finally:
        app.close()
    assert len(live(emulator, service, "Second half")) == 2  # the edited half, the continued
    assert live(emulator, service, "Via the app") == []


def test_start_and_add_read_the_quick_entry_syntax(home, emulator, service):
    url = emulator.base_url
    out = run(home, url, service, "start", "Fix login @Website #bug $")
    assert out.returncode == 0, out.stderr
    status = json.loads(run(home, url, service, "status", "--json").stdout)["entry"]
    assert status["description"] == "Fix login" and status["project"] == "Website"
    assert status["tags"] == ["bug"]
    out = run(home, url, service, "add", "Call @Nowhere", "--start", "-2h", "--duration", "5m")
    assert out.returncode == 1 and "No project named 'Nowhere'" in out.stderr
    assert live(emulator, service, "Call") == [] and live(emulator, service, "Call @Nowhere") == []
    out = run(home, url, service, "add", "Review @Website", "--start", "-2h", "--duration", "5m",
              "--project", "Website")
    assert out.returncode == 2 and "twice" in out.stderr
    out = run(home, url, service, "add", "Review #docs @Website", "--start", "-2h",
              "--duration", "5m", "--tags", "extra")
    assert out.returncode == 0, out.stderr
    row = next(r for r in listed(home, url, service) if r["description"] == "Review")
    assert row["project"] == "Website" and sorted(row["tags"]) == ["docs", "extra"]


def test_an_entry_made_elsewhere_since_the_last_look_is_found_by_its_id(home, emulator,
                                                                        service, tmp_path):
    """edit, split, continue and delete name an entry by id: one that another device made
    after this computer last looked is found (they look first), not refused as unknown."""
    url = emulator.base_url
    here = tmp_path / "this-computer"
    (here / "runtime").mkdir(parents=True, mode=0o700)
    assert run(here, url, service, "status").returncode == 0  # looked: before the entry
    made = run(home, url, service, "add", "Probe", "--start", "-3h", "--duration", "1h")
    assert made.returncode == 0, made.stderr  # made on another device
    [probe] = [r for r in listed(home, url, service) if r["description"] == "Probe"]
    edited = run(here, url, service, "edit", probe["id"], "--description", "Probe, edited")
    assert edited.returncode == 0, edited.stderr
    assert live(emulator, service, "Probe, edited") and not live(emulator, service, "Probe")
