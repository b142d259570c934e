"""Changes the service refuses (a project deleted on the server, a description too long for
Clockify, any 400), from the command line: reported by the command that met the refusal,
else shown by `status`; fixed with `retry` (after an edit) or `discard`, which asks first on a
terminal. One-shot and through the running app."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trayapp.api.connections import Connections
from trayapp.api.gateway import Gateway
from trayapp.api.trackers import make_tracker
from trayapp.config import Config
from trayapp.control import actions, oneshot, refused
from trayapp.core.models import EntryDraft, Service
from trayapp.sync.account import Account

from ..conftest import TEST_KEY
from ..support.e2e import NO_QT, cli, env_for
from .test_cli import running_app

TOO_LONG = "Description must be a string of at most 3000 characters"  # the emulator's words


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def no_terminal(home: Path, base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A command with standard input that is not a terminal (a script, a pipe)."""
    return subprocess.run([sys.executable, "-c", NO_QT, *args], env=env_for(home, base_url),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)


def on_terminal(home: Path, base_url: str, answer: str, *args: str,
                timeout: float = 30) -> tuple[int, str]:
    """A command on a pseudo-terminal: answers `answer` when asked [y/N]. Its exit status and
    everything it wrote to the terminal."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", NO_QT, *args], env=env_for(home, base_url),
                            stdin=follower, stdout=follower, stderr=follower,
                            start_new_session=True)
    os.close(follower)
    seen, answered, end = b"", False, time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the command has ended and closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(leader, answer.encode() + b"\n")
                answered = True
            if not ready and proc.poll() is not None:
                break
        code = proc.wait(max(0.1, end - time.monotonic()))
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    return code, seen.decode("utf-8", "replace")


@pytest.fixture
def web(emulator):
    """Toggl as its web app sees it (the same account): where projects are deleted."""
    with Gateway(TEST_KEY, emulator.base_url) as gateway:
        tracker = make_tracker(Service.TOGGL, gateway)
        tracker.wid = tracker.me().default_workspace_id
        yield tracker


def delete_project(web, name: str) -> None:
    project = next(p for p in web.projects(web.wid) if p.name == name)
    web.delete_project(web.wid, project.id)


def time_entry_writes(emulator) -> list[str]:
    return [f"{r.method} {r.path}" for r in emulator.requests
            if r.method != "GET" and ("time_entries" in r.path or "time-entries" in r.path)]


def toggl_running(emulator) -> list[str]:
    return [x["description"] for x in emulator.toggl.entries
            if x["stop"] is None and not x.get("server_deleted_at")]


def status(home, base_url, *args: str) -> dict:
    out = cli(home, base_url, *args, "status", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_refused_start_is_told_by_its_command_then_discarded_unsent(home, emulator, web):
    """Said "running", exit 0, and `status` showed no problem; `discard` did not exist."""
    cli(home, emulator.base_url, "status")  # the projects are known here
    delete_project(web, "Website")  # ...and then deleted on the web
    emulator.clear_requests()

    out = cli(home, emulator.base_url, "start", "Report", "--project", "Website")
    assert out.returncode == 1 and "trayapp: Request refused: Invalid project_id" in out.stderr

    shown = status(home, emulator.base_url)
    assert [{k: p[k] for k in ("title", "message")} for p in shown["problems"]] == [
        {"title": "Request refused", "message": "Invalid project_id"}]
    text = cli(home, emulator.base_url, "status")
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert any("Invalid project_id" in line for line in lines)
    assert any("trayapp retry" in line and "trayapp discard" in line for line in lines)

    asked = no_terminal(home, emulator.base_url, "discard")
    assert asked.returncode == 2 and "--yes" in asked.stderr
    assert asked.stderr.count("\n") == 1 and not asked.stdout
    assert status(home, emulator.base_url)["running"] is True  # nothing was discarded

    out = no_terminal(home, emulator.base_url, "discard", "--yes")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Not tracking")
    after = status(home, emulator.base_url)
    assert after["running"] is False and after["problems"] == [] and after["pending"] == 0
    # The only start sent was the refused one; the discard sent nothing.
    assert len(time_entry_writes(emulator)) == 1
    assert "Report" not in [x["description"] for x in emulator.toggl.entries]


def test_a_refusal_found_later_is_shown_by_status_and_retry_says_it_again(home, emulator, web):
    cli(home, emulator.base_url, "status")
    out = cli(home, closed_port(), "start", "Later", "--project", "Website")
    assert out.returncode == 75, out.stderr  # offline: saved, queued
    delete_project(web, "Website")

    shown = status(home, emulator.base_url)  # sends the start: refused now
    assert shown["running"] is True and shown["pending"] == 0
    assert [p["message"] for p in shown["problems"]] == ["Invalid project_id"]
    assert {"title", "message"} <= set(shown["problems"][0])

    out = cli(home, emulator.base_url, "retry")
    assert out.returncode == 1 and "Invalid project_id" in out.stderr
    assert "Later" not in [x["description"] for x in emulator.toggl.entries]
    assert len(status(home, emulator.base_url)["problems"]) == 1  # still there to fix


def test_retry_sends_again_or_queues_offline(home, emulator):
    """Any 400 (here one the gateway made up): the command says so; `retry` offline keeps it
    queued (75), online sends it (0)."""
    emulator.add_fault("html5xx", status=400, method="POST", path="time_entries", times=1)
    out = cli(home, emulator.base_url, "start", "Flaky")
    assert out.returncode == 1 and "trayapp: Request refused" in out.stderr
    assert len(status(home, emulator.base_url)["problems"]) == 1

    out = cli(home, closed_port(), "retry")
    assert out.returncode == 75 and "saved" in out.stderr

    out = cli(home, emulator.base_url, "retry")
    assert out.returncode == 0, out.stderr
    assert toggl_running(emulator) == ["Flaky"]
    shown = status(home, emulator.base_url)
    assert shown["problems"] == [] and shown["pending"] == 0


def test_a_description_clockify_refuses_is_fixed_by_an_edit_then_retry(home, emulator):
    base = emulator.base_url
    status(home, base, "--service", "clockify")  # the store and the settings exist
    # A start the command line would not take (over 3000 characters), queued here all the
    # same (by an older trayapp): Clockify refuses it when it goes out.
    account = Account(TEST_KEY, base, home / "data" / "trayapp" / "trayapp.sqlite3")
    try:
        account.session(Service.CLOCKIFY).start(EntryDraft("x" * 3001))
    finally:
        account.close()

    shown = status(home, base, "--service", "clockify")
    assert [p["message"] for p in shown["problems"]] == [TOO_LONG]
    out = cli(home, base, "--service", "clockify", "retry")
    assert out.returncode == 1 and TOO_LONG in out.stderr

    account = Account(TEST_KEY, base, home / "data" / "trayapp" / "trayapp.sqlite3")
    try:  # the tray's "Edit and try again…", without sending
        session = account.session(Service.CLOCKIFY)
        problem = session.snapshot().problems[0]
        refused.fix(session, problem.seq, {"description": "Shortened"})
    finally:
        account.close()
    out = cli(home, base, "--service", "clockify", "retry")
    assert out.returncode == 0, out.stderr
    mine = [x for x in emulator.clockify.entries if x["description"] == "Shortened"]
    assert len(mine) == 1 and mine[0]["end"] is None
    assert not [x for x in emulator.clockify.entries if len(x["description"] or "") > 3000]


def test_discard_asks_on_a_terminal(home, emulator):
    out = cli(home, emulator.base_url, "start", "Prompted")
    assert out.returncode == 0, out.stderr

    code, seen = on_terminal(home, emulator.base_url, "n", "discard")
    assert "Discard the running entry “Prompted” (0:00:" in seen and "? [y/N]" in seen
    assert code == 1 and "Not discarded" in seen
    assert toggl_running(emulator) == ["Prompted"]

    code, seen = on_terminal(home, emulator.base_url, "y", "discard")
    assert code == 0 and "Not tracking" in seen, seen
    assert toggl_running(emulator) == []
    assert "Prompted" not in [x["description"] for x in emulator.toggl.entries
                              if not x.get("server_deleted_at")]

    code, seen = on_terminal(home, emulator.base_url, "y", "discard")
    assert code == 1 and "No timer is running" in seen and "[y/N]" not in seen


def test_discard_deletes_only_the_entry_confirmed(home, emulator):
    """A timer started elsewhere between the question and the answer is not discarded."""
    assert cli(home, emulator.base_url, "start", "Newer").returncode == 0
    confirmed = actions.Request("discard", {"confirmed": "2001-01-01T00:00:00Z"})
    account = Account(TEST_KEY, emulator.base_url, home / "data" / "trayapp" / "trayapp.sqlite3")
    try:
        reply = oneshot.execute(actions.plan(confirmed, Config()), account)
    finally:
        account.close()
    assert reply["exit"] == 1 and "changed after you confirmed" in reply["error"]
    assert toggl_running(emulator) == ["Newer"]


@pytest.mark.timeout(120)
def test_through_the_running_app_the_command_line_asks(home, emulator, web):
    """The question is asked by the command line, before the request; the app deletes."""
    with Gateway(TEST_KEY, emulator.base_url) as gateway:  # one service: no choosing
        for connection in Connections(gateway).list(Service.CLOCKIFY):
            Connections(gateway).delete(connection.id)
    app = running_app(home, emulator)
    try:
        out = cli(home, emulator.base_url, "start", "In the app")
        assert out.returncode == 0, out.stderr
        assert no_terminal(home, emulator.base_url, "discard").returncode == 2
        code, seen = on_terminal(home, emulator.base_url, "y", "discard")
        assert "Discard the running entry “In the app”" in seen
        assert code == 0 and "Not tracking" in seen, seen
        assert toggl_running(emulator) == []

        delete_project(web, "Reports")  # the app knows it still
        out = cli(home, emulator.base_url, "start", "Refused in the app", "--project",
                  "Reports")
        assert out.returncode == 1 and "Invalid project_id" in out.stderr
        out = cli(home, emulator.base_url, "retry")
        assert out.returncode == 1 and "Invalid project_id" in out.stderr
        emulator.clear_requests()
        out = no_terminal(home, emulator.base_url, "discard", "--yes")
        assert out.returncode == 0 and out.stdout.startswith("Not tracking"), out.stderr
        shown = status(home, emulator.base_url)
        assert shown["problems"] == [] and shown["running"] is False
        assert time_entry_writes(emulator) == []
        assert app.proc.poll() is None
    finally:
        app.close()
