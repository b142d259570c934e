"""The Accounts commands of DESIGN.md one-shot against the emulator: `accounts --json` (its
shape, which connection is current), `connect` (the sign-in URL first, waits until active;
Ctrl+C cancels and deletes the pending connection), `disconnect` (asks, or --yes),
`workspace` (shows and switches, keeping unsent work and each workspace's cache), the chosen
connection sent as `Maton-Connection`, and `status --json` with both services."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import httpx

from trayapp.config import Config

from ..support.e2e import NO_QT, cli, env_for


def connections(emulator, app=None):
    return [c for c in emulator.connections if app is None or c["app"] == app]


def test_accounts_json_shape_and_current(home, emulator):
    out = cli(home, emulator.base_url, "accounts", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {r["service"] for r in rows} == {"toggl-track", "clockify"}
    for row in rows:
        assert set(row) == {"service", "connection_id", "status", "account", "workspace",
                            "current"}
        assert row["status"] == "ACTIVE" and row["current"] is True
        assert row["account"] == "Demo User" and row["workspace"] == "Demo Workspace"
    text = cli(home, emulator.base_url, "accounts")
    assert text.returncode == 0 and "Toggl Track" in text.stdout and "Clockify" in text.stdout
    lines = text.stdout.splitlines()  # a line each, not joined into one by the escaping
    assert [line for line in lines if "Toggl Track" in line] != [
        line for line in lines if "Clockify" in line]


def test_a_second_connection_is_chosen_and_sent_as_maton_connection(home, emulator,
                                                                   monkeypatch):
    first = connections(emulator, "toggl-track")[0]["connection_id"]
    second = emulator.make_connection("toggl-track")
    pending = emulator.make_connection("toggl-track", "PENDING")
    rows = json.loads(cli(home, emulator.base_url, "accounts", "--json").stdout)
    toggl = [r for r in rows if r["service"] == "toggl-track"]
    assert [r["connection_id"] for r in toggl if r["current"]] == [first]  # the oldest
    assert {r["connection_id"]: r["account"] for r in toggl}[pending] is None
    assert {r["connection_id"]: r["status"] for r in toggl}[pending] == "PENDING"

    from trayapp.control.connections import choose_connection
    from trayapp.core.models import Service

    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    config = Config.load()
    assert choose_connection(config, Service.TOGGL, second) is True
    config.save()
    rows = json.loads(cli(home, emulator.base_url, "accounts", "--json").stdout)
    assert [r["connection_id"] for r in rows if r["current"] and r["service"] == "toggl-track"
            ] == [second]
    emulator.clear_requests()
    assert cli(home, emulator.base_url, "status").returncode == 0
    sent = {r.connection for r in emulator.requests if r.app == "toggl-track"}
    assert sent == {second}


def test_connect_prints_the_url_first_and_waits_until_active(home, emulator):
    before = {c["connection_id"] for c in connections(emulator, "clockify")}
    proc = subprocess.Popen([sys.executable, "-c", NO_QT, "connect", "clockify"],
                            env=env_for(home, emulator.base_url), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith(emulator.base_url + "/_emulator/connect/")
        assert httpx.get(url, timeout=10).status_code == 200  # the user signs in
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Connected to Clockify" in out
    new = {c["connection_id"] for c in connections(emulator, "clockify")} - before
    assert len(new) == 1
    saved = json.loads((home / "config" / "trayapp" / "settings.json").read_text())
    assert saved["connections"]["clockify"] == new.pop()


def test_connect_ctrl_c_cancels_and_deletes_the_pending_connection(home, emulator):
    count = len(connections(emulator))
    proc = subprocess.Popen([sys.executable, "-c", NO_QT, "connect", "toggl-track"],
                            env=env_for(home, emulator.base_url), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().startswith("http")
        assert len(connections(emulator)) == count + 1
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 1
    assert len(connections(emulator)) == count  # the pending one is gone


def test_disconnect_asks_or_takes_yes(home, emulator):
    out = cli(home, emulator.base_url, "disconnect", "clockify")
    assert out.returncode == 2 and "--yes" in out.stderr
    assert connections(emulator, "clockify")
    out = cli(home, emulator.base_url, "disconnect", "clockify", "--yes")
    assert out.returncode == 0, out.stderr
    assert connections(emulator, "clockify") == []
    out = cli(home, emulator.base_url, "--service", "clockify", "status")
    assert out.returncode == 1 and "not connected" in out.stderr.lower()


def test_workspace_shows_and_switches_keeping_unsent_work(home, emulator):
    out = cli(home, emulator.base_url, "workspace")
    assert out.returncode == 0 and out.stdout.strip() == "Demo Workspace"
    with emulator.lock:
        side = emulator.toggl.add_workspace("Side project")
    out = cli(home, emulator.base_url, "workspace", "side PROJECT")
    assert out.returncode == 0, out.stderr
    assert cli(home, emulator.base_url, "workspace").stdout.strip() == "Side project"
    assert cli(home, emulator.base_url, "start", "Over there").returncode == 0
    running = [x for x in emulator.toggl.entries if x["stop"] is None]
    assert [(x["description"], x["workspace_id"]) for x in running] == [("Over there", side)]
    out = cli(home, emulator.base_url, "workspace", "Nowhere")
    assert out.returncode == 1 and "No workspace named “Nowhere”" in out.stderr
    assert "Demo Workspace" in out.stderr


def test_status_json_covers_both_services(home, emulator):
    assert cli(home, emulator.base_url, "--service", "clockify", "start", "On Clockify"
               ).returncode == 0
    out = cli(home, emulator.base_url, "--service", "toggl-track", "status", "--json")
    data = json.loads(out.stdout)
    assert data["service"] == "toggl-track" and data["running"] is False  # as before
    both = data["services"]
    assert set(both) == {"toggl-track", "clockify"}
    assert both["clockify"]["running"] is True
    assert both["clockify"]["entry"]["description"] == "On Clockify"
    assert both["toggl-track"] == {"running": False, "pending": 0, "problems": []}
    text = cli(home, emulator.base_url, "--service", "toggl-track", "status").stdout
    assert "Also running on Clockify: On Clockify" in text


def test_a_running_app_follows_a_workspace_switched_by_the_command_line(home, emulator,
                                                                      monkeypatch):
    """The app keeps its own copy of the settings: told of the switch, it tracks in the new
    workspace and never writes the old one back (it saves when the tracked service
    changes, say)."""
    from .test_cli import running_app

    with emulator.lock:
        side = emulator.toggl.add_workspace("Side project")
    app = running_app(home, emulator)
    try:
        out = cli(home, emulator.base_url, "workspace", "Side project")
        assert out.returncode == 0, out.stderr
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="sync after it")
        out = cli(home, emulator.base_url, "start", "In the side project")  # via the app
        assert out.returncode == 0, out.stderr
        running = [x for x in emulator.toggl.entries if x["stop"] is None]
        assert [(x["description"], x["workspace_id"]) for x in running] == [
            ("In the side project", side)]
        out = cli(home, emulator.base_url, "--service", "clockify", "status")  # app saves
        assert out.returncode == 0, out.stderr
    finally:
        app.close()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    assert Config.load().workspaces.get("toggl-track") == str(side)
