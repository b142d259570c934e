"""The emulator against api-facts.md for what the catalog commands use that other tests do
not check: Toggl's DELETE project with teDeletionMode (unassign keeps the entries without a
project; delete deletes them), DELETE client and tag answers, and Clockify's preconditions
(a project archived before delete, a task DONE before delete) with their status codes."""

from __future__ import annotations

import httpx

from trayapp.emulator import Emulator

T = "/toggl-track/api/v9"
C = "/clockify/api/v1"


def toggl_entry(client: httpx.Client, emu: Emulator, project_id: int) -> int:
    ws = f"{T}/workspaces/{emu.toggl.workspace_id}"
    body = {"created_with": "tests", "workspace_id": emu.toggl.workspace_id,
            "start": "2026-01-05T09:00:00Z", "duration": 600, "project_id": project_id}
    r = client.post(f"{ws}/time_entries", json=body)
    assert r.status_code == 200
    return int(r.json()["id"])


def test_toggl_delete_project_modes(client: httpx.Client, emu: Emulator) -> None:
    ws = f"{T}/workspaces/{emu.toggl.workspace_id}"
    for mode, kept in (("unassign", True), ("delete", False)):
        project = client.post(f"{ws}/projects", json={"name": f"P {mode}", "active": True}).json()
        entry = toggl_entry(client, emu, project["id"])
        r = client.delete(f"{ws}/projects/{project['id']}", params={"teDeletionMode": mode})
        assert r.status_code == 200 and r.json() == project["id"]  # a bare integer
        got = client.get(f"{T}/me/time_entries/{entry}")
        if kept:
            assert got.status_code == 200 and got.json()["project_id"] is None
        else:
            assert got.status_code == 404 or got.json().get("server_deleted_at")


def test_toggl_client_and_tag_delete(client: httpx.Client, emu: Emulator) -> None:
    ws = f"{T}/workspaces/{emu.toggl.workspace_id}"
    made = client.post(f"{ws}/clients", json={"name": "Gone Co"}).json()
    r = client.delete(f"{ws}/clients/{made['id']}")
    assert r.status_code == 200 and r.json() == made["id"]
    tag = client.post(f"{ws}/tags", json={"name": "gone"}).json()
    assert client.post(f"{ws}/tags", json={"name": "GONE"}).status_code == 400  # duplicate
    assert client.delete(f"{ws}/tags/{tag['id']}").status_code == 200


def test_clockify_preconditions(client: httpx.Client, emu: Emulator) -> None:
    ws = f"{C}/workspaces/{emu.clockify.workspaces[0]['id']}"
    project = client.post(f"{ws}/projects", json={"name": "Doomed"})
    assert project.status_code == 201
    pid = project.json()["id"]
    r = client.delete(f"{ws}/projects/{pid}")
    assert r.status_code == 400 and set(r.json()) >= {"message", "code"}  # archive first
    task = client.post(f"{ws}/projects/{pid}/tasks", json={"name": "T"})
    assert task.status_code == 201
    tid = task.json()["id"]
    assert client.delete(f"{ws}/projects/{pid}/tasks/{tid}").status_code == 400  # DONE first
    r = client.put(f"{ws}/projects/{pid}/tasks/{tid}", json={"status": "DONE"})
    assert r.status_code == 400  # PUT requires the name
    r = client.put(f"{ws}/projects/{pid}/tasks/{tid}", json={"name": "T", "status": "DONE"})
    assert r.status_code == 200 and r.json()["status"] == "DONE"
    assert client.delete(f"{ws}/projects/{pid}/tasks/{tid}").status_code == 200
    assert client.put(f"{ws}/projects/{pid}", json={"archived": True}).status_code == 200
    r = client.delete(f"{ws}/projects/{pid}")
    assert r.status_code == 200 and r.json()["id"] == pid  # the project's body
