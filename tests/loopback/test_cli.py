"""The command line: one-shot commands (no app running, no Qt), their errors and exit codes,
and the hand-over to a running app (single instance, stale socket after kill -9)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

from trayapp.api.connections import Connections
from trayapp.api.gateway import Gateway
from trayapp.core.models import Service

from ..conftest import TEST_KEY
from ..support.e2e import AppProcess, cli, env_for, wait_for_socket


def test_version():
    out = subprocess.run([sys.executable, "-m", "trayapp", "--version"], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.strip().startswith("trayapp 0.")


def test_oneshot_start_status_stop(home, emulator):
    out = cli(home, emulator.base_url, "status", "--json")
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    assert status["service"] == "toggl-track" and status["running"] is False

    out = cli(home, emulator.base_url, "start", "Writing report", "--project", "Website",
              "--tags", "review,urgent")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Writing report · Acme / Website · 0:00:0")
    running = [x for x in emulator.toggl.entries if x["stop"] is None]
    assert [x["description"] for x in running] == ["Writing report"]

    emulator.clear_requests()
    out = cli(home, emulator.base_url, "status", "--json")
    status = json.loads(out.stdout)
    assert status["running"] is True and len(emulator.requests) == 1  # warm: one request
    entry = status["entry"]
    assert entry["description"] == "Writing report" and entry["project"] == "Website"
    assert sorted(entry["tags"]) == ["review", "urgent"] and entry["start"].endswith("Z")
    assert isinstance(entry["elapsed_seconds"], int) and entry["elapsed_seconds"] >= 0

    out = cli(home, emulator.base_url, "toggle")
    assert out.returncode == 0 and out.stdout.startswith("Not tracking")
    assert not [x for x in emulator.toggl.entries if x["stop"] is None]
    out = cli(home, emulator.base_url, "stop")
    assert out.returncode == 1 and "No timer is running" in out.stderr


def test_oneshot_clockify_by_flag(home, emulator):
    out = cli(home, emulator.base_url, "--service", "clockify", "start", "On Clockify")
    assert out.returncode == 0, out.stderr
    out = cli(home, emulator.base_url, "--service", "clockify", "status", "--json")
    status = json.loads(out.stdout)
    assert status["service"] == "clockify" and status["entry"]["description"] == "On Clockify"


def test_oneshot_errors_are_clear_and_non_zero(home, emulator):
    out = cli(home, emulator.base_url, "status", key="wrong-key")
    assert out.returncode == 1 and "Maton API key rejected" in out.stderr
    assert "wrong-key" not in out.stderr + out.stdout

    out = cli(home, emulator.base_url, "status", key=None)
    assert out.returncode in (1, 2) and "MATON_API_KEY" in out.stderr

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    out = cli(home, closed, "start", "Offline work")
    # Saved locally and queued: the contract's exit status 75.
    assert out.returncode == 75 and "Offline" in out.stderr and "saved" in out.stderr

    with Gateway(TEST_KEY, emulator.base_url) as gw:
        for conn in Connections(gw).list(Service.CLOCKIFY):
            Connections(gw).delete(conn.id)
    out = cli(home, emulator.base_url, "--service", "clockify", "status")
    assert out.returncode == 1 and "not connected" in out.stderr.lower()

    out = cli(home, "http://example.com", "status")
    assert out.returncode != 0


def app_env(home, emulator) -> dict[str, str]:
    return {"MATON_API_KEY": TEST_KEY, "TRAYAPP_GATEWAY_URL": emulator.base_url,
            "XDG_RUNTIME_DIR": str(home / "runtime"), "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def running_app(home, emulator) -> AppProcess:
    """The app, offscreen, synced and listening on its command socket."""
    app = AppProcess([], app_env(home, emulator), home)
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        wait_for_socket(home)
    except BaseException:
        app.close()
        raise
    return app


def test_second_launch_hands_over_and_commands_go_to_the_app(home, emulator):
    env = app_env(home, emulator)
    app = running_app(home, emulator)
    try:
        second = subprocess.run([sys.executable, "-m", "trayapp"],
                                env=env_for(home, emulator.base_url), capture_output=True,
                                text=True, timeout=30)
        assert second.returncode == 0 and "already running" in second.stdout
        assert app.proc.poll() is None

        out = cli(home, emulator.base_url, "start", "Via the app", "--project", "Reports")
        assert out.returncode == 0, out.stderr
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == "Via the app"
                   and ev["pending"] == 0, what="started by command")
        out = cli(home, emulator.base_url, "status", "--json")
        status = json.loads(out.stdout)
        assert status["running"] and status["entry"]["project"] == "Reports"
        out = cli(home, emulator.base_url, "stop")
        assert out.returncode == 0 and out.stdout.startswith("Not tracking")

        os.kill(app.proc.pid, signal.SIGKILL)  # a crash: the socket file stays behind
        app.proc.wait(10)
        assert (home / "runtime" / "trayapp" / "ipc.sock").exists()
        out = cli(home, emulator.base_url, "status", "--json")  # nobody answers: one-shot
        assert out.returncode == 0 and json.loads(out.stdout)["running"] is False
    finally:
        app.close()

    relaunched = AppProcess([], env, home)
    try:
        relaunched.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="relaunch")
        out = cli(home, emulator.base_url, "status", "--json")
        assert out.returncode == 0 and json.loads(out.stdout)["running"] is False
        menu = cli(home, emulator.base_url, "menu")
        assert menu.returncode == 0
    finally:
        relaunched.close()


def test_a_command_handed_over_is_never_done_twice(home, emulator):
    """An app that takes the command and dies before answering: the command line says so,
    and does not do it again by itself (that could start a second timer)."""
    import threading

    path = home / "runtime" / "trayapp" / "ipc.sock"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def take_and_die() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        conn.close()

    thread = threading.Thread(target=take_and_die, daemon=True)
    thread.start()
    try:
        out = cli(home, emulator.base_url, "start", "Handed over")
    finally:
        thread.join(5)
        server.close()
    assert out.returncode == 1 and "stopped before it answered" in out.stderr
    assert not [x for x in emulator.toggl.entries if x["description"] == "Handed over"]


def test_unusable_local_data_is_one_clear_line(home, emulator):
    data = home / "data"
    data.rmdir()
    data.write_text("a file where the data folder should be")
    out = cli(home, emulator.base_url, "status")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("trayapp: Local data unusable") and out.stderr.count("\n") == 1


def test_hostile_lines_on_the_socket_get_an_answer(home, emulator):
    """Any program of the user can write to the app's socket: whatever it sends, it gets one
    line back and the app carries on."""
    app = running_app(home, emulator)
    try:
        path = str(home / "runtime" / "trayapp" / "ipc.sock")
        for line in (b"not json\n", b"[1, 2]\n", b"[" * 100_000 + b"]" * 100_000 + b"\n",
                     b'{"command": "start", "args": {"description": 5}}\n',
                     b'{"command": "start", "args": {"billable": "no"}}\n',
                     b"x" * (2 << 20)):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(10)
                sock.connect(path)
                try:
                    sock.sendall(line)
                except OSError:  # too long: answered and closed before the end of it
                    pass
                answer = json.loads(sock.makefile("rb").readline())
            assert answer["ok"] is False and answer["exit"] == 2, (line[:40], answer)
        out = cli(home, emulator.base_url, "status")
        assert out.returncode == 0 and "Traceback" not in "\n".join(app.output)
    finally:
        app.close()


def test_stop_finds_the_timer_on_the_other_service(home, emulator):
    """Tracking on Toggl, a timer running on Clockify: `stop` stops it, as the tray does."""
    out = cli(home, emulator.base_url, "--service", "clockify", "start", "On Clockify")
    assert out.returncode == 0, out.stderr
    status = json.loads(cli(home, emulator.base_url, "status", "--json").stdout)
    assert status["service"] == "clockify" and status["running"] is True
    out = cli(home, emulator.base_url, "stop")
    assert out.returncode == 0 and out.stdout.startswith("Not tracking"), out.stderr
    assert not [x for x in emulator.clockify.entries
                if x["description"] == "On Clockify" and x["end"] is None]
