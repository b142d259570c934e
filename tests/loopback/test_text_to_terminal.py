"""What the services and the user wrote reaches the terminal only as printable text: escape
sequences in a description, in a service's error message or in a mistyped argument never
clear the screen or retitle the window; `--json` keeps the text exact, escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from ..conftest import TEST_KEY
from ..support.e2e import cli
from ..support.hostile import Answer, HostileGateway

HOSTILE = "\x1b]0;pwned\x07\x1b[2J"  # retitle the terminal, then clear the screen
REVERSED = "\u202egnorw\u2028"  # the rest of the line read backwards; a line break
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]


def no_controls(text: str) -> bool:
    """Line breaks apart (they end the lines printed), no C0 or C1 control character."""
    return not any(ch in text for ch in CONTROLS if ch != "\n")


def start_on_the_web(emulator, description: str) -> None:
    """A timer started elsewhere (the web): straight at the emulator's Toggl API."""
    toggl = emulator.toggl
    start = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with httpx.Client(base_url=emulator.base_url, timeout=5,
                      headers={"Authorization": f"Bearer {TEST_KEY}"}) as client:
        answer = client.post(
            f"/toggl-track/api/v9/workspaces/{toggl.workspace_id}/time_entries",
            json={"created_with": "tests", "workspace_id": toggl.workspace_id,
                  "start": start, "duration": -1, "description": description})
    assert answer.status_code == 200, answer.text


def test_status_prints_a_description_with_escapes_made_safe(home, emulator):
    start_on_the_web(emulator, f"Report {HOSTILE}done {REVERSED}")

    out = cli(home, emulator.base_url, "status")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Report ?]0;pwned??[2Jdone ?gnorw? · ")
    assert no_controls(out.stdout) and no_controls(out.stderr)
    assert "\u202e" not in out.stdout and "\u2028" not in out.stdout

    out = cli(home, emulator.base_url, "status", "--json")
    assert out.returncode == 0, out.stderr
    assert no_controls(out.stdout)  # JSON escapes them: the text itself stays exact
    assert json.loads(out.stdout)["entry"]["description"] == f"Report {HOSTILE}done {REVERSED}"


def test_a_service_error_with_escapes_is_one_printable_line(home):
    """Maton lists a connection; the service then refuses with a message of its choosing."""
    message = f"No access {HOSTILE}\n\r" + "x" * 5000
    refusal = json.dumps({"error": {"code": "FORBIDDEN", "message": message}}).encode()
    connections = json.dumps({"connections": [
        {"connection_id": "c1", "app": "toggl-track", "status": "ACTIVE"}]}).encode()

    def answer(path: str) -> Answer:
        if path.startswith("/connections"):
            return Answer(body=connections)
        return Answer(status=403, body=refusal)

    gateway = HostileGateway(answer)
    try:
        out = cli(home, gateway.base_url, "status")
    finally:
        gateway.close()
    assert out.returncode == 1, out.stderr
    assert no_controls(out.stderr) and out.stderr.count("\n") == 1, out.stderr
    assert "No access ?]0;pwned??[2J" in out.stderr and len(out.stderr) < 600, out.stderr


def test_an_argument_repeated_in_a_usage_error_is_printable(home):
    out = cli(home, None, "status", HOSTILE)
    assert out.returncode == 2
    assert no_controls(out.stderr) and "?]0;pwned??[2J" in out.stderr
