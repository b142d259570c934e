"""kill -9 on the real app with added, edited and deleted entries not yet sent (offline), and
in the middle of sending an added entry: after a restart, each is on the server exactly once."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from ..support.e2e import NO_QT, AppProcess, cli, env_for, wait_for_socket
from .test_crash import app_env, kill9, launch, live


def dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def ids(home, url, description):
    out = cli(home, url, "entries", "--json")
    return [r["id"] for r in json.loads(out.stdout) if r["description"] == description]


def test_kill_with_unsent_add_edit_delete_then_restart(home, emulator):
    url = emulator.base_url
    assert cli(home, url, "add", "Was there", "--start", "-5h", "--stop", "-4h").returncode == 0
    assert cli(home, url, "add", "To remove", "--start", "-4h", "--stop", "-3h").returncode == 0
    there, remove = ids(home, url, "Was there")[0], ids(home, url, "To remove")[0]
    dead = dead_address()
    app = AppProcess([], {**app_env(home, emulator), "TRAYAPP_GATEWAY_URL": dead}, home)
    try:
        app.expect(lambda ev: ev["event"] == "state", what="first state")
        wait_for_socket(home)
        assert cli(home, dead, "add", "Added offline", "--start", "-3h",
                   "--duration", "30m").returncode == 75
        added = ids(home, dead, "Added offline")
        assert len(added) == 1 and added[0].startswith("local-")
        assert cli(home, dead, "edit", added[0], "--description", "Added, then edited"
                   ).returncode == 75
        assert cli(home, dead, "edit", there, "--description", "Edited offline").returncode == 75
        assert cli(home, dead, "delete", remove, "--yes").returncode == 75
        kill9(app)
    finally:
        app.close()
    assert live(emulator, "Added, then edited") == [] and live(emulator, "To remove")
    app = launch(home, emulator)  # back online
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["pending"] == 0 and ev["synced"],
                   what="replayed after restart")
    finally:
        app.close()
    assert len(live(emulator, "Added, then edited")) == 1
    assert len(live(emulator, "Edited offline")) == 1 and live(emulator, "Was there") == []
    assert live(emulator, "To remove") == []
    creates = [r for r in emulator.requests if r.method == "POST"]
    assert len(creates) == 3  # the two added online and the one added offline, once


def test_kill_mid_add_then_restart_does_not_duplicate(home, emulator):
    app = launch(home, emulator)
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        emulator.add_fault("delay", method="POST", delay=20.0, times=1)
        command = subprocess.Popen(
            [sys.executable, "-c", NO_QT, "add", "In flight", "--start", "-2h", "--stop", "-1h"],
            env=env_for(home, emulator.base_url), text=True, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        held = emulator.wait_held(1, timeout=15)
        command.kill()
        command.communicate(timeout=10)
        assert held and live(emulator, "In flight") == []
        kill9(app)
    finally:
        app.close()
    assert emulator.wait_idle(10, hurry=True)
    assert len(live(emulator, "In flight")) == 1  # the dead process's request landed
    app = launch(home, emulator)
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["pending"] == 0 and ev["synced"],
                   what="adopted after restart")
    finally:
        app.close()
    assert len(live(emulator, "In flight")) == 1  # looked up, not sent again
