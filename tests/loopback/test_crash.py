"""kill -9 on the real app process at the worst moments, then a restart: no action lost, none
doubled, the running timer shown correctly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from ..conftest import TEST_KEY
from ..support.e2e import NO_QT, AppProcess, cli, env_for, wait_for_socket


def app_env(home, emulator):
    return {"MATON_API_KEY": TEST_KEY, "TRAYAPP_GATEWAY_URL": emulator.base_url,
            "XDG_RUNTIME_DIR": str(home / "runtime"), "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def live(emulator, description):
    return [x for x in emulator.toggl.entries
            if x["description"] == description and not x.get("server_deleted_at")]


def launch(home, emulator) -> AppProcess:
    app = AppProcess([], app_env(home, emulator), home)
    app.expect(lambda ev: ev["event"] == "state", what="first state")
    wait_for_socket(home)
    return app


def kill9(app: AppProcess) -> None:
    os.kill(app.proc.pid, signal.SIGKILL)
    app.proc.wait(10)


def test_kill_with_unsent_actions_then_restart(home, emulator):
    with socket.socket() as s:  # offline: the gateway address answers nothing
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    env = {**app_env(home, emulator), "TRAYAPP_GATEWAY_URL": dead}
    app = AppProcess([], env, home)
    try:
        app.expect(lambda ev: ev["event"] == "state", what="first state")
        wait_for_socket(home)
        # Saved and queued (exit status 75): sent when the gateway answers again.
        assert cli(home, dead, "start", "Written offline").returncode == 75
        assert cli(home, dead, "start", "Second offline").returncode == 75
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Second offline"
                   and ev["pending"] >= 1, what="pending start")
        kill9(app)
    finally:
        app.close()
    assert live(emulator, "Written offline") == []  # really nothing reached the server
    app = launch(home, emulator)  # back online
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Second offline"
                   and ev["pending"] == 0, what="replayed after restart")
        first, second = live(emulator, "Written offline"), live(emulator, "Second offline")
        assert len(first) == 1 and first[0]["stop"] is not None
        assert len(second) == 1 and second[0]["stop"] is None
    finally:
        app.close()


def test_kill_mid_request_then_restart_does_not_duplicate(home, emulator):
    app = launch(home, emulator)
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        # Held until this test lets it go (or for 20 s): the server is still "working" on it.
        emulator.add_fault("delay", method="POST", delay=20.0, times=1)
        # The command's answer may wait for the send: end the command first, so that it does
        # not do the start itself once the app is gone.
        command = subprocess.Popen([sys.executable, "-c", NO_QT, "start", "In flight"],
                                   env=env_for(home, emulator.base_url), text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        held = emulator.wait_held(1, timeout=15)
        command.kill()
        said = command.communicate(timeout=10)[0]
        assert held, f"the start never reached the server; the command said {said!r}"
        assert live(emulator, "In flight") == []  # on the wire, not applied yet
        kill9(app)
    finally:
        app.close()
    # The server finishes the request of the dead process.
    assert emulator.wait_idle(10, hurry=True), "the emulator is still busy"
    posts = [(r.path, r.status) for r in emulator.requests if r.method == "POST"]
    assert len(live(emulator, "In flight")) == 1, f"POST requests: {posts}"
    app = launch(home, emulator)
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "In flight"
                   and ev["pending"] == 0, what="adopted after restart")
        assert len(live(emulator, "In flight")) == 1  # looked up, not sent again
    finally:
        app.close()


def test_kill_while_running_shows_the_timer_after_restart(home, emulator):
    app = launch(home, emulator)
    try:
        assert cli(home, emulator.base_url, "start", "Long task").returncode == 0
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Long task"
                   and ev["pending"] == 0, what="started")
        kill9(app)
    finally:
        app.close()
    app = launch(home, emulator)
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Long task",
                   what="running timer after restart")
    finally:
        app.close()
