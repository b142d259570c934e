"""The emulator's Clockify v1: api-facts.md section 2 and checklist items 1, 5, 12-14."""

from __future__ import annotations

import re

import httpx
import pytest

from trayapp.emulator import Emulator

KEY = "test-key"
C = "/clockify/api/v1"








@pytest.fixture
def ws(emu: Emulator) -> str:
    return f"{C}/workspaces/{emu.clockify.workspace_id}"


@pytest.fixture
def mine(emu: Emulator, ws: str) -> str:
    return f"{ws}/user/{emu.clockify.user_id}/time-entries"


# ---- 1. error shape ---------------------------------------------------------------------------


def test_not_found_is_400_with_app_code_501(client: httpx.Client, ws: str) -> None:
    r = client.get(f"{ws}/clients/{'0' * 24}")
    assert r.status_code == 400
    assert r.json() == {"message": "Client doesn't belong to Workspace", "code": 501}
    r = client.get(f"{ws}/time-entries/{'0' * 24}")
    assert r.status_code == 400 and r.json()["code"] == 501


# ---- 12. entry shapes and status codes --------------------------------------------------------


def test_running_entry_has_null_end_and_duration(
    client: httpx.Client, ws: str, mine: str
) -> None:
    r = client.post(f"{ws}/time-entries", json={"start": "2024-12-16T11:00:00Z",
                                                "description": "Timer"})
    assert r.status_code == 201
    entry = r.json()
    assert entry["timeInterval"] == {"start": "2024-12-16T11:00:00Z", "end": None,
                                     "duration": None}
    assert "hourlyRate" not in entry  # write responses carry no rates
    assert re.fullmatch(r"[0-9a-f]{24}", entry["id"])
    running = client.get(mine, params={"in-progress": "true", "page-size": 1}).json()
    assert running[0]["id"] == entry["id"] and "hourlyRate" in running[0]


def test_stopped_entry_has_iso_duration(client: httpx.Client, ws: str) -> None:
    body = {"start": "2024-12-16T08:00:00Z", "end": "2024-12-16T09:02:03Z"}
    assert client.post(f"{ws}/time-entries", json=body).json()["timeInterval"]["duration"] \
        == "PT1H2M3S"
    body = {"start": "2024-12-16T08:00:00Z", "end": "2024-12-16T08:00:00Z"}
    assert client.post(f"{ws}/time-entries", json=body).json()["timeInterval"]["duration"] \
        == "PT0S"


def test_delete_is_204_empty(client: httpx.Client, ws: str, mine: str) -> None:
    entry = client.get(mine).json()[0]
    r = client.delete(f"{ws}/time-entries/{entry['id']}")
    assert r.status_code == 204 and r.content == b""
    assert client.get(f"{ws}/time-entries/{entry['id']}").status_code == 400


def test_stop_with_nothing_running_is_404_object(
    client: httpx.Client, emu: Emulator, mine: str
) -> None:
    r = client.patch(mine, json={"end": "2024-12-16T12:00:00Z"})
    assert r.status_code == 404
    wid, uid = emu.clockify.workspace_id, emu.clockify.user_id
    assert r.json() == {
        "message": f"Currently running time entry doesn't exist on workspace {wid} for user {uid}.",
        "code": 404,
    }


def test_stop_requires_end_and_stops(client: httpx.Client, ws: str, mine: str) -> None:
    client.post(f"{ws}/time-entries", json={"start": "2024-12-16T11:00:00Z"})
    assert client.patch(mine, json={}).status_code == 400
    r = client.patch(mine, json={"end": "2024-12-16T11:30:00Z"})
    assert r.status_code == 200 and r.json()["timeInterval"]["duration"] == "PT30M"


# ---- 5. no auto-stop on Clockify --------------------------------------------------------------


def test_second_running_entry_does_not_stop_the_first(
    client: httpx.Client, ws: str, mine: str
) -> None:
    client.post(f"{ws}/time-entries", json={"start": "2024-12-16T10:00:00Z"})
    client.post(f"{ws}/time-entries", json={"start": "2024-12-16T11:00:00Z"})
    running = client.get(mine, params={"in-progress": "true"}).json()
    assert len(running) == 2  # documented choice: the app must stop first


# ---- 13. PUT is a full replacement ------------------------------------------------------------


def test_put_replaces_everything_and_needs_start(
    client: httpx.Client, emu: Emulator, ws: str
) -> None:
    project = emu.clockify.projects[0]["id"]
    tag = emu.clockify.tags[0]["id"]
    body = {"start": "2024-12-16T08:00:00Z", "end": "2024-12-16T09:00:00Z",
            "description": "Full", "projectId": project, "tagIds": [tag], "billable": True}
    entry = client.post(f"{ws}/time-entries", json=body).json()
    assert entry["projectId"] == project and entry["tagIds"] == [tag]
    url = f"{ws}/time-entries/{entry['id']}"
    r = client.put(url, json={"description": "Only this"})
    assert r.status_code == 400 and r.json()["code"] == 501
    replaced = client.put(url, json={"start": "2024-12-16T08:00:00Z",
                                     "description": "Only this"}).json()
    assert replaced["description"] == "Only this"
    assert replaced["projectId"] is None and replaced["tagIds"] is None
    assert replaced["billable"] is False
    assert replaced["timeInterval"]["end"] is None  # omitted end: running again


# ---- 14. workspace-wide in-progress and the 405 ------------------------------------------------


def test_in_progress_returns_every_users_timer(
    client: httpx.Client, emu: Emulator, ws: str
) -> None:
    running = client.get(f"{ws}/time-entries/status/in-progress").json()
    assert len(running) == 1 and running[0]["userId"] != emu.clockify.user_id
    assert running[0]["description"] == "Customer call"
    client.post(f"{ws}/time-entries", json={"start": "2024-12-16T11:00:00Z"})
    users = {e["userId"] for e in client.get(f"{ws}/time-entries/status/in-progress").json()}
    assert emu.clockify.user_id in users and len(users) == 2


def test_my_running_timer_is_per_workspace(
    client: httpx.Client, emu: Emulator, ws: str, mine: str
) -> None:
    side = client.post(f"{C}/workspaces", json={"name": "Side project"}).json()["id"]
    side_mine = f"{C}/workspaces/{side}/user/{emu.clockify.user_id}/time-entries"
    client.post(f"{C}/workspaces/{side}/time-entries", json={"start": "2024-12-16T10:00:00Z"})
    assert client.get(mine, params={"in-progress": "true", "page-size": 1}).json() == []
    running = client.get(side_mine, params={"in-progress": "true", "page-size": 1}).json()
    assert len(running) == 1 and running[0]["workspaceId"] == side
    # A stop names its workspace: nothing runs in the default one.
    assert client.patch(mine, json={"end": "2024-12-16T11:00:00Z"}).status_code == 404
    assert client.patch(side_mine, json={"end": "2024-12-16T11:00:00Z"}).status_code == 200


def test_bare_time_entries_get_is_405(client: httpx.Client, ws: str) -> None:
    r = client.get(f"{ws}/time-entries")
    assert r.status_code == 405
    assert r.json() == {"message": "Request method 'GET' is not supported", "code": 405}


# ---- lists, paging, catalogue -----------------------------------------------------------------


def test_user_entries_newest_first_with_paging_headers(client: httpx.Client, mine: str) -> None:
    r = client.get(mine)
    entries = r.json()
    assert r.headers["Last-Page"] == "true" and int(r.headers["total-count"]) == len(entries)
    starts = [e["timeInterval"]["start"] for e in entries]
    assert starts == sorted(starts, reverse=True)
    first = client.get(mine, params={"page-size": 5})
    assert len(first.json()) == 5 and first.headers["Last-Page"] == "false"
    window = client.get(mine, params={"start": "2024-12-10T00:00:00Z",
                                      "end": "2024-12-10T23:59:59Z"}).json()
    assert window and all(e["timeInterval"]["start"].startswith("2024-12-10") for e in window)


def test_user_and_workspaces(client: httpx.Client, emu: Emulator, ws: str) -> None:
    user = client.get(f"{C}/user").json()
    assert user["name"] == "Demo User" and user["settings"]["timeZone"] == "UTC"
    assert user["defaultWorkspace"] == emu.clockify.workspace_id
    assert [w["name"] for w in client.get(f"{C}/workspaces").json()] == ["Demo Workspace"]
    assert client.get(ws).json()["id"] == emu.clockify.workspace_id
    names = {u["name"] for u in client.get(f"{ws}/users").json()}
    assert names == {"Demo User", "Sam Teammate"}
    made = client.post(f"{C}/workspaces", json={"name": "Side"})
    assert made.status_code == 201 and len(client.get(f"{C}/workspaces").json()) == 2


def test_projects_need_archiving_before_delete(client: httpx.Client, ws: str) -> None:
    r = client.post(f"{ws}/projects", json={"name": "Temp", "color": "#123456"})
    assert r.status_code == 201 and r.json()["clientId"] == ""
    url = f"{ws}/projects/{r.json()['id']}"
    blocked = client.delete(url)
    assert blocked.status_code == 400 and set(blocked.json()) == {"message", "code"}
    assert client.put(url, json={"archived": True}).json()["archived"] is True
    gone = client.delete(url)
    assert gone.status_code == 200 and gone.json()["name"] == "Temp"
    listed = client.get(f"{ws}/projects", params={"archived": "true"}).json()
    assert [p["name"] for p in listed] == ["Legacy CRM"]
    assert len(client.get(f"{ws}/projects").json()) == 11  # omitted: archived and active


def test_clients_and_tags(client: httpx.Client, ws: str) -> None:
    made = client.post(f"{ws}/clients", json={"name": "Umbrella"})
    assert made.status_code == 201
    r = client.delete(f"{ws}/clients/{made.json()['id']}")  # allowed without archiving
    assert r.status_code == 200 and r.json()["name"] == "Umbrella"
    tag = client.post(f"{ws}/tags", json={"name": "focus"})
    assert tag.status_code == 201 and tag.json()["archived"] is False
    url = f"{ws}/tags/{tag.json()['id']}"
    assert client.get(url).json()["name"] == "focus"
    assert client.put(url, json={"name": "flow", "archived": True}).json()["archived"] is True
    assert client.delete(url).status_code == 200


def test_tasks(client: httpx.Client, emu: Emulator, ws: str) -> None:
    website = next(p for p in emu.clockify.projects if p["name"] == "Website")["id"]
    url = f"{ws}/projects/{website}/tasks"
    assert {t["name"] for t in client.get(url).json()} == {"Homepage redesign", "Blog section"}
    task = client.post(url, json={"name": "Footer"})
    assert task.status_code == 201 and task.json()["status"] == "ACTIVE"
    one = f"{url}/{task.json()['id']}"
    assert client.put(one, json={"status": "DONE"}).status_code == 400  # name required
    assert client.delete(one).status_code == 400  # still ACTIVE
    assert client.put(one, json={"name": "Footer", "status": "DONE"}).json()["status"] == "DONE"
    assert len(client.get(url, params={"is-active": "true"}).json()) == 2
    assert client.delete(one).status_code == 200


def test_entry_validation(client: httpx.Client, emu: Emulator, ws: str) -> None:
    r = client.post(f"{ws}/time-entries", json={"description": "no start"})
    assert r.status_code == 400
    r = client.post(f"{ws}/time-entries",
                    json={"start": "2024-12-16T10:00:00Z", "projectId": "f" * 24})
    assert r.status_code == 400 and r.json()["message"] == "Project doesn't belong to Workspace"
    uid = emu.clockify.users[1]["id"]
    r = client.post(f"{ws}/user/{uid}/time-entries", json={"start": "2024-12-16T10:00:00Z",
                                                           "end": "2024-12-16T10:05:00Z"})
    assert r.status_code == 201 and r.json()["userId"] == uid
