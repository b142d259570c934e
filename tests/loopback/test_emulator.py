"""The emulator's Maton layer, request log, limits, control endpoints and entry points."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from trayapp.emulator import Emulator, EmulatorServer
from trayapp.emulator.testing import FakeClock

KEY = "test-key"
T = "/toggl-track/api/v9"
C = "/clockify/api/v1"
ROOT = Path(__file__).resolve().parents[2]








# ---- Maton auth and connections ---------------------------------------------------------------


@pytest.mark.parametrize("auth", [None, "Bearer wrong-key", "Basic dGVzdC1rZXk="])
def test_bad_or_missing_key_is_401(server: EmulatorServer, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    for path in (f"{T}/me", f"{C}/user", "/connections"):
        r = httpx.get(server.base_url + path, headers=headers)
        assert r.status_code == 401
        assert r.json() == {"error": {"code": "UNAUTHORIZED",
                                      "message": "Invalid or missing Maton API key"}}


def test_no_active_connection_is_400(server: EmulatorServer) -> None:
    emu = server.app
    emu.reset(seed=False)
    assert emu.connections == []
    headers = {"Authorization": f"Bearer {KEY}"}
    r = httpx.get(f"{server.base_url}{T}/me", headers=headers)
    assert r.status_code == 400
    assert r.json() == {"error": {
        "code": "CONNECTION_NOT_FOUND",
        "message": "No active connection found for app 'toggl-track'. Create one first.",
    }}
    emu.make_connection("clockify", status="PENDING")
    assert httpx.get(f"{server.base_url}{C}/user", headers=headers).status_code == 400
    emu.make_connection("clockify")
    assert httpx.get(f"{server.base_url}{C}/user", headers=headers).status_code == 200


def test_empty_accounts_still_have_user_and_workspace(client: httpx.Client, emu: Emulator) -> None:
    emu.reset(seed=False)
    emu.make_connection("toggl-track")
    emu.make_connection("clockify")
    assert client.get(f"{T}/me/workspaces").json()[0]["name"] == "Demo Workspace"
    assert client.get(f"{T}/me/time_entries").json() == []
    wid = emu.clockify.workspace_id
    assert client.get(f"{C}/workspaces/{wid}/projects").json() == []
    assert client.get(f"{C}/workspaces/{wid}/time-entries/status/in-progress").json() == []


def test_connection_header_selects_and_is_checked(client: httpx.Client, emu: Emulator) -> None:
    default = emu.connections[0]["connection_id"]
    second = emu.make_connection("toggl-track")
    client.get(f"{T}/me")
    assert emu.requests[-1].connection == default  # the oldest ACTIVE one
    assert client.get(f"{T}/me", headers={"Maton-Connection": second}).status_code == 200
    assert emu.requests[-1].connection == second
    clockify_conn = emu.connections[1]["connection_id"]
    pending = emu.make_connection("toggl-track", status="PENDING")
    for bad in ("nope", clockify_conn, pending):
        r = client.get(f"{T}/me", headers={"Maton-Connection": bad})
        assert r.status_code == 400 and "connection" in r.json()["error"]["message"].lower()


def test_connections_api_and_connect_page(client: httpx.Client, server: EmulatorServer) -> None:
    r = client.post("/connections", json={"app": "toggl-track"})
    assert r.status_code == 200
    conn = r.json()["connection"]
    assert conn["status"] == "PENDING" and conn["app"] == "toggl-track"
    assert conn["method"] == "OAUTH2" and conn["metadata"] == {}
    assert conn["creation_time"].endswith("Z") and "." in conn["creation_time"]
    assert conn["url"].startswith(f"{server.base_url}/_emulator/connect/")
    page = httpx.get(conn["url"])  # the browser: no Maton key
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Connected to Toggl Track. You can close this window." in page.text
    got = client.get(f"/connections/{conn['connection_id']}").json()["connection"]
    assert got["status"] == "ACTIVE"
    listed = client.get("/connections", params={"app": "toggl-track", "status": "ACTIVE"}).json()
    assert len(listed["connections"]) == 2
    assert client.delete(f"/connections/{conn['connection_id']}").json() == {}
    assert client.get(f"/connections/{conn['connection_id']}").status_code == 404
    assert client.post("/connections", json={"app": "jira"}).status_code == 400


def test_connect_page_can_fail(client: httpx.Client, server: EmulatorServer) -> None:
    conn = client.post("/connections", json={"app": "clockify"}).json()["connection"]
    page = httpx.get(conn["url"], params={"fail": "1"})
    assert page.status_code == 200 and "Clockify" in page.text
    assert client.get(f"/connections/{conn['connection_id']}").json()["connection"]["status"] \
        == "FAILED"
    other = client.post("/connections", json={"app": "clockify"}).json()["connection"]
    r = httpx.post(f"{server.base_url}/_emulator/connections/{other['connection_id']}/fail")
    assert r.status_code == 200 and r.json()["connection"]["status"] == "FAILED"


def test_unknown_app_is_404(client: httpx.Client) -> None:
    r = client.get("/jira/rest/api/3/myself")
    assert r.status_code == 404 and r.json()["error"]["message"] == "Unknown app 'jira'"


# ---- request log ------------------------------------------------------------------------------


def test_request_log(client: httpx.Client, emu: Emulator, server: EmulatorServer) -> None:
    client.get(f"{T}/me/time_entries", params={"since": "1"})
    client.get(f"{C}/user")
    client.get("/connections")
    httpx.get(f"{server.base_url}/_emulator/requests")  # control calls are not logged
    first, second, third = emu.requests
    assert (first.app, first.method, first.path, first.native_path) == (
        "toggl-track", "GET", f"{T}/me/time_entries", "/api/v9/me/time_entries")
    assert first.query == {"since": "1"} and first.status == 200
    assert first.connection == emu.connections[0]["connection_id"]
    assert first.time == emu.clock()
    assert (second.app, second.native_path) == ("clockify", "/api/v1/user")
    assert (third.app, third.connection) == ("maton", None)
    over_http = httpx.get(f"{server.base_url}/_emulator/requests").json()
    assert [r["path"] for r in over_http] == [f"{T}/me/time_entries", f"{C}/user", "/connections"]
    emu.clear_requests()
    assert emu.requests == []


# ---- limits -----------------------------------------------------------------------------------


def test_toggl_hourly_quota(client: httpx.Client, emu: Emulator, clock: FakeClock) -> None:
    assert "X-Toggl-Quota-Remaining" not in client.get(f"{T}/me").headers  # off by default
    emu.set_limits(toggl_hourly=3)
    seen = []
    for _ in range(3):
        r = client.get(f"{T}/me/time_entries/current")
        assert r.status_code == 200
        seen.append(int(r.headers["X-Toggl-Quota-Remaining"]))
    assert seen == [2, 1, 0]
    clock.advance(600)
    r = client.get(f"{T}/me/time_entries/current")
    assert r.status_code == 402
    assert r.json() == ("You have hit your hourly limit for API calls. "
                        "Your quota will reset in 3000 seconds.")
    assert r.headers["X-Toggl-Quota-Resets-In"] == "3000"
    assert client.get(f"{T}/me").headers["X-Toggl-Quota-Remaining"] == "2"  # user bucket apart
    clock.advance(3000)
    r = client.get(f"{T}/me/time_entries/current")
    assert r.status_code == 200 and r.headers["X-Toggl-Quota-Remaining"] == "2"
    assert r.headers["X-Toggl-Quota-Resets-In"] == "3600"


def test_clockify_rate_limit(client: httpx.Client, emu: Emulator, clock: FakeClock) -> None:
    emu.set_limits(clockify_rps=2)
    wid = emu.clockify.workspace_id
    url = f"{C}/workspaces/{wid}/tags"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    r = client.get(url)
    assert r.json() == {"message": "Too many requests", "code": 429}
    assert client.get(f"{C}/user").status_code == 200  # another bucket
    clock.advance(1.0)
    assert client.get(url).status_code == 200


def test_maton_rate_limit(client: httpx.Client, emu: Emulator, clock: FakeClock) -> None:
    emu.set_limits(maton_rps=2)
    assert client.get(f"{T}/me").status_code == 200
    assert client.get(f"{C}/user").status_code == 200
    r = client.get("/connections")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert r.json()["error"]["code"] == "RATE_LIMITED"
    clock.advance(1.0)
    assert client.get("/connections").status_code == 200
    emu.set_limits()
    assert all(client.get("/connections").status_code == 200 for _ in range(5))


# ---- control endpoints ------------------------------------------------------------------------


def test_control_endpoints(client: httpx.Client, emu: Emulator, server: EmulatorServer) -> None:
    base = f"{server.base_url}/_emulator"
    state = httpx.get(f"{base}/state/toggl-track").json()
    assert len(state["projects"]) == 11 and len(state["tags"]) == 5 and state["entries"]
    assert len(httpx.get(f"{base}/state/clockify").json()["tasks"]) == 4
    assert httpx.post(f"{base}/faults", json={"kind": "html5xx", "status": 500}).status_code == 200
    assert client.get(f"{T}/me").status_code == 500
    httpx.post(f"{base}/faults", json={"kind": "html5xx", "times": None})
    httpx.delete(f"{base}/faults")
    assert client.get(f"{T}/me").status_code == 200
    assert httpx.post(f"{base}/faults", json={"kind": "nope"}).status_code == 400
    httpx.post(f"{base}/limits", json={"toggl_hourly": 5})
    assert client.get(f"{T}/me").headers["X-Toggl-Quota-Remaining"] == "4"
    httpx.post(f"{base}/reset", json={"seed": False})
    assert emu.connections == [] and emu.toggl.entries == [] and emu.requests == []
    httpx.post(f"{base}/reset", json={"seed": True})
    assert len(emu.connections) == 2
    httpx.delete(f"{base}/requests")
    assert emu.requests == []


def test_wsgi_transport(emu: Emulator) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(transport=httpx.WSGITransport(app=emu), base_url="http://emu",
                      headers=headers) as c:
        assert c.get(f"{T}/me").json()["email"] == "demo@example.com"
        conn = c.post("/connections", json={"app": "clockify"}).json()["connection"]
        assert conn["url"].startswith("http://emu/_emulator/connect/")


def test_seed_is_deterministic(clock: FakeClock) -> None:
    a, b = Emulator(clock=clock), Emulator(clock=clock)
    assert [(e["description"], e["start"]) for e in a.toggl.entries] == \
        [(e["description"], e["start"]) for e in b.toggl.entries]
    assert [e["description"] for e in a.clockify.entries] == \
        [e["description"] for e in b.clockify.entries]
    assert len(a.toggl.entries) + 1 == len(a.clockify.entries)  # + the teammate's timer


# ---- the command line -------------------------------------------------------------------------


def test_module_main_prints_base_url_first(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trayapp.emulator", "--port", "0", "--key", "k-123"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp_path, env=env,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        r = httpx.get(f"{base_url}{T}/me", headers={"Authorization": "Bearer k-123"}, timeout=5)
        assert r.status_code == 200 and r.json()["fullname"] == "Demo User"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0


def test_module_main_no_seed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trayapp.emulator", "--no-seed"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp_path, env=env,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        r = httpx.get(f"{base_url}/connections", headers={"Authorization": "Bearer demo-key"})
        assert r.json() == {"connections": []}
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0


def test_concurrent_clients_are_serialised_safely(server: EmulatorServer, emu: Emulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    wid = emu.toggl.workspace_id
    url = f"{server.base_url}{T}/workspaces/{wid}/time_entries"

    def worker(n: int) -> list[int]:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(headers=headers, timeout=5) as c:
            return [c.post(url, json={"created_with": "t", "workspace_id": wid,
                                      "start": "2024-12-16T11:00:00Z", "duration": 1,
                                      "description": f"w{n}"}).status_code
                    for _ in range(10)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = [code for batch in pool.map(worker, range(8)) for code in batch]
    assert codes == [200] * 80
    ids = [e["id"] for e in emu.toggl.entries]
    assert len(ids) == len(set(ids))
    assert sum(1 for e in emu.toggl.entries if str(e["description"]).startswith("w")) == 80


@pytest.mark.timeout(10)
def test_an_accept_with_nothing_waiting_returns_and_close_ends():
    """The poll may see a connection that is gone when it is accepted: accepting must not
    block, or close() (and every test's teardown) waits for ever."""
    from trayapp.emulator import Emulator, serve

    server = serve(Emulator(api_key="k", seed=False), port=0)
    try:
        server._httpd._handle_request_noblock()  # nothing waits: returns at once
    finally:
        server.close()
    assert not server._thread.is_alive()
