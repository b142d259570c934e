"""Emulator faults over a real loopback socket: what the client sees, what was committed."""

from __future__ import annotations

import json
import socket
import struct
import time

import httpx
import pytest

from trayapp.emulator import Emulator, EmulatorServer

KEY = "test-key"
T = "/toggl-track/api/v9"








def create(client: httpx.Client, emu: Emulator, description: str) -> httpx.Response:
    wid = emu.toggl.workspace_id
    body = {"created_with": "tests", "workspace_id": wid, "start": "2024-12-16T11:00:00Z",
            "duration": 60, "description": description}
    return client.post(f"{T}/workspaces/{wid}/time_entries", json=body)


def named(emu: Emulator, description: str) -> list[dict]:
    return [e for e in emu.toggl.entries if e["description"] == description]


def test_refuse_is_a_connection_error_and_commits_nothing(
    client: httpx.Client, emu: Emulator
) -> None:
    emu.add_fault("refuse", method="POST", path="/time_entries")
    with pytest.raises(httpx.TransportError):
        create(client, emu, "Refused")
    assert named(emu, "Refused") == []
    assert emu.requests[-1].status == 0
    assert create(client, emu, "Accepted").status_code == 200  # the fault was used up


def test_drop_loses_the_answer_but_commits(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault("drop", method="POST", app="toggl-track")
    with pytest.raises(httpx.TransportError):
        create(client, emu, "Dropped")
    assert len(named(emu, "Dropped")) == 1
    assert emu.requests[-1].status == 200
    assert client.get(f"{T}/me").status_code == 200  # the next request gets a fresh connection


def test_delay_outlasts_a_short_timeout(server: EmulatorServer, emu: Emulator) -> None:
    emu.add_fault("delay", path="/me$", delay=0.6)
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=0.15) as quick:
        with pytest.raises(httpx.TimeoutException):
            quick.get(f"{T}/me")
        assert quick.get(f"{T}/me/workspaces").status_code == 200


def test_delay_then_normal_answer(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault("delay", delay=0.05)
    assert client.get(f"{T}/me").status_code == 200


def test_html_5xx(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault("html5xx", status=502, method="POST")
    r = create(client, emu, "Bad gateway")
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    assert "<html>" in r.text and named(emu, "Bad gateway") == []


def test_429_with_retry_after(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault("429", retry_after=7, times=2)
    for _ in range(2):
        r = create(client, emu, "Limited")
        assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert named(emu, "Limited") == []
    assert create(client, emu, "Limited").status_code == 200
    emu.add_fault("429", app="clockify")
    r = client.get("/clockify/api/v1/user")
    assert r.status_code == 429 and r.json() == {"message": "Too many requests", "code": 429}


def test_quota402_fault(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault("quota402", method="POST")
    r = create(client, emu, "Over quota")
    assert r.status_code == 402 and r.json().startswith("You have hit your hourly limit")
    assert named(emu, "Over quota") == []


def test_filters_and_forever(client: httpx.Client, emu: Emulator) -> None:
    emu.add_fault("html5xx", app="clockify", times=None)
    assert client.get(f"{T}/me").status_code == 200  # other app untouched
    for _ in range(3):
        assert client.get("/clockify/api/v1/user").status_code == 503
    emu.clear_faults()
    assert client.get("/clockify/api/v1/user").status_code == 200


def test_faults_under_wsgi_transport(emu: Emulator) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    transport = httpx.WSGITransport(app=emu)
    with httpx.Client(transport=transport, base_url="http://emu", headers=headers) as wsgi:
        emu.add_fault("refuse", method="POST")
        with pytest.raises(ConnectionResetError):
            create(wsgi, emu, "Refused")
        emu.add_fault("drop", method="POST")
        with pytest.raises(ConnectionResetError):
            create(wsgi, emu, "Dropped")
        assert named(emu, "Refused") == [] and len(named(emu, "Dropped")) == 1
        assert wsgi.get(f"{T}/me").json()["fullname"] == "Demo User"


def test_bad_fault_kind_is_rejected(emu: Emulator) -> None:
    with pytest.raises(ValueError):
        emu.add_fault("explode")


def test_wait_idle_lets_a_request_its_client_gave_up_on_land(
    server: EmulatorServer, emu: Emulator
) -> None:
    assert emu.wait_idle(0) and not emu.wait_held(1, timeout=0)  # nothing in flight
    emu.add_fault("delay", method="POST", delay=30)
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=0.15) as quick:
        with pytest.raises(httpx.TimeoutException):
            create(quick, emu, "Slow")
    assert emu.wait_held(1, timeout=5) and emu.activity.busy >= 1
    assert named(emu, "Slow") == [] and not emu.wait_idle(0.05)  # still being applied
    started = time.monotonic()
    assert emu.wait_idle(5, hurry=True)  # the hold ends at once: no 30 s wait
    assert time.monotonic() - started < 5
    assert len(named(emu, "Slow")) == 1 and emu.activity.busy == emu.activity.held == 0


def test_a_delayed_request_is_held_once_all_of_it_is_in(
    server: EmulatorServer, emu: Emulator
) -> None:
    """"Held" means sent: a client killed during the delay (connection reset) still has its
    request applied, with the body it sent."""
    emu.add_fault("delay", method="POST", delay=30)
    wid = emu.toggl.workspace_id
    body = json.dumps({"created_with": "tests", "workspace_id": wid, "duration": 60,
                       "start": "2024-12-16T11:00:00Z", "description": "Killed"}).encode()
    head = (f"POST {T}/workspaces/{wid}/time_entries HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(head)
        deadline = time.monotonic() + 5
        while not emu.activity.busy and time.monotonic() < deadline:
            time.sleep(0.005)
        assert emu.activity.busy  # the head is in...
        assert not emu.wait_held(1, timeout=0.1)  # ...but not held before the body is
        sock.sendall(body)
        assert emu.wait_held(1, timeout=5)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    assert emu.wait_idle(5, hurry=True)
    assert len(named(emu, "Killed")) == 1
