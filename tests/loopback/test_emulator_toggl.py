"""The emulator's Toggl Track v9: the quirks of api-facts.md section 1 and checklist items 1-11, 15.

Every test talks HTTP over a real loopback socket, as the app does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from trayapp.emulator import Emulator
from trayapp.emulator.testing import FakeClock

KEY = "test-key"
T = "/toggl-track/api/v9"








@pytest.fixture
def ws(emu: Emulator) -> str:
    return f"{T}/workspaces/{emu.toggl.workspace_id}"


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def iso(epoch: float) -> str:
    return utc(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_timer(client: httpx.Client, emu: Emulator, ws: str, start: float, **extra: object):
    body = {"created_with": "tests", "workspace_id": emu.toggl.workspace_id,
            "start": iso(start), "duration": -1, **extra}
    return client.post(f"{ws}/time_entries", json=body)


# ---- 1. error bodies --------------------------------------------------------------------------


def test_errors_are_bare_json_strings(client: httpx.Client) -> None:
    r = client.get(f"{T}/me/time_entries", params={"since": 1, "before": "2024-12-01"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert r.json() == "'since' and 'before' can not be present simultaneously"
    r = client.get(f"{T}/no/such/route")
    assert r.status_code == 404 and isinstance(r.json(), str)


def test_bad_json_body_is_400_string(client: httpx.Client, ws: str) -> None:
    r = client.post(f"{ws}/time_entries", content=b"{nope",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and isinstance(r.json(), str)


def test_request_id_header(client: httpx.Client) -> None:
    assert len(client.get(f"{T}/me").headers["X-Toggl-Request-Id"]) == 36


# ---- 2, 3. current entry and running durations ------------------------------------------------


def test_current_is_200_null_when_nothing_runs(client: httpx.Client) -> None:
    r = client.get(f"{T}/me/time_entries/current")
    assert r.status_code == 200
    assert r.content == b"null" and r.json() is None


def test_running_duration_is_minus_one_on_create_then_negative_epoch(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    start = int(clock.now) - 120
    r = start_timer(client, emu, ws, start, description="Running")
    assert r.status_code == 200
    created = r.json()
    assert created["duration"] == -1 and created["stop"] is None
    assert created["start"].endswith("Z")
    assert created["tags"] is None and created["tag_ids"] is None
    assert created["id"] > 2**31
    current = client.get(f"{T}/me/time_entries/current").json()
    assert current["id"] == created["id"]
    assert current["duration"] == -start and current["stop"] is None
    by_id = client.get(f"{T}/me/time_entries/{created['id']}").json()
    assert by_id["duration"] == -start
    listed = client.get(f"{T}/me/time_entries").json()
    assert listed[0]["id"] == created["id"] and listed[0]["duration"] == -start


# ---- 4. create without duration or stop -------------------------------------------------------


def test_create_without_duration_or_stop_is_zero_length_not_running(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    body = {"created_with": "tests", "workspace_id": emu.toggl.workspace_id,
            "start": iso(clock.now - 60), "description": "Instant"}
    created = client.post(f"{ws}/time_entries", json=body).json()
    assert created["duration"] == 0 and created["stop"] is None
    assert client.get(f"{T}/me/time_entries/current").json() is None
    read = client.get(f"{T}/me/time_entries/{created['id']}").json()
    assert read["stop"] == read["start"] and read["duration"] == 0


def test_create_with_start_and_duration_computes_stop(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    body = {"created_with": "tests", "workspace_id": emu.toggl.workspace_id,
            "start": "2024-12-16T10:00:00+01:00", "duration": 1800}
    created = client.post(f"{ws}/time_entries", json=body).json()
    assert created["start"] == "2024-12-16T09:00:00Z"  # normalised to UTC
    assert created["stop"] == "2024-12-16T09:30:00Z"
    assert created["description"] is None


def test_create_validation(client: httpx.Client, emu: Emulator, ws: str) -> None:
    base = {"workspace_id": emu.toggl.workspace_id, "start": "2024-12-16T09:00:00Z"}
    r = client.post(f"{ws}/time_entries", json=base)
    assert r.status_code == 400
    assert r.json() == "created_with needs to be provided an a valid string"
    r = client.post(f"{ws}/time_entries",
                    json={**base, "created_with": "t", "workspace_id": 1234567})
    assert r.status_code == 400
    r = client.post(f"{T}/workspaces/1234567/time_entries", json={**base, "created_with": "t"})
    assert r.status_code == 403


# ---- 5. auto-stop -----------------------------------------------------------------------------


def test_new_timer_auto_stops_the_running_one_at_server_now(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    first = start_timer(client, emu, ws, clock.now - 3600).json()
    clock.advance(600)
    server_now = int(clock.now)
    second = start_timer(client, emu, ws, clock.now - 1200).json()  # starts before server now
    old = client.get(f"{T}/me/time_entries/{first['id']}").json()
    assert old["stop"] == utc(server_now).strftime(
        "%Y-%m-%dT%H:%M:%S+00:00")
    assert old["duration"] == 3600 + 600
    assert client.get(f"{T}/me/time_entries/current").json()["id"] == second["id"]


def test_a_second_workspace_shares_the_lists_and_the_one_running_timer(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    side = emu.toggl.add_workspace("Side project")
    assert [w["name"] for w in client.get(f"{T}/me/workspaces").json()] == [
        "Demo Workspace", "Side project"]
    body = {"created_with": "tests", "workspace_id": side, "start": iso(clock.now - 60),
            "duration": -1, "description": "Elsewhere"}
    there = client.post(f"{T}/workspaces/{side}/time_entries", json=body).json()
    assert there["workspace_id"] == side
    # /me/... spans workspaces: the running entry and the since-list show it.
    assert client.get(f"{T}/me/time_entries/current").json()["id"] == there["id"]
    listed = client.get(f"{T}/me/time_entries", params={"since": int(clock.now) - 5}).json()
    assert [x["id"] for x in listed] == [there["id"]]
    # An entry's path names its own workspace.
    assert client.patch(f"{ws}/time_entries/{there['id']}/stop").status_code == 404
    # One running entry per user: a start in the default workspace stops the other one.
    clock.advance(30)
    start_timer(client, emu, ws, clock.now)
    stopped = client.get(f"{T}/me/time_entries/{there['id']}").json()
    assert stopped["stop"] is not None and stopped["duration"] == 90
    assert client.patch(f"{T}/workspaces/{side}/time_entries/{there['id']}/stop"
                        ).status_code == 409
    foreign = {**body, "workspace_id": 999}
    assert client.post(f"{T}/workspaces/999/time_entries", json=foreign).status_code == 403


# ---- 6. since/before and deleted entries ------------------------------------------------------


def test_since_returns_deleted_entries(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    victim = client.get(f"{T}/me/time_entries").json()[0]
    clock.advance(30)
    checkpoint = int(clock.now)
    clock.advance(30)
    r = client.delete(f"{ws}/time_entries/{victim['id']}")
    assert r.status_code == 200
    since = client.get(f"{T}/me/time_entries", params={"since": checkpoint}).json()
    assert [e["id"] for e in since] == [victim["id"]]
    assert since[0]["server_deleted_at"] is not None
    assert since[0]["at"].endswith("Z") and "." in since[0]["at"]
    plain = client.get(f"{T}/me/time_entries").json()
    assert victim["id"] not in [e["id"] for e in plain]
    assert client.get(f"{T}/me/time_entries/{victim['id']}").status_code == 404


def test_list_filters_and_order(client: httpx.Client, clock: FakeClock) -> None:
    everything = client.get(f"{T}/me/time_entries").json()
    starts = [e["start"] for e in everything]
    assert starts == sorted(starts, reverse=True) and len(everything) >= 20
    assert all(e["start"].endswith("+00:00") and e["duronly"] for e in everything)
    r = client.get(f"{T}/me/time_entries", params={"start_date": "2024-12-10"})
    assert r.status_code == 400
    day = client.get(f"{T}/me/time_entries",
                     params={"start_date": "2024-12-10", "end_date": "2024-12-11"}).json()
    assert day and all(e["start"].startswith("2024-12-10") for e in day)
    before = client.get(f"{T}/me/time_entries", params={"before": "2024-12-10"}).json()
    assert before and all(e["start"] < "2024-12-10" for e in before)
    meta = client.get(f"{T}/me/time_entries", params={"meta": "true"}).json()
    assert "project_name" in meta[0] and "client_name" in meta[0]


def test_unparameterised_list_covers_nine_days(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    body = {"created_with": "tests", "workspace_id": emu.toggl.workspace_id,
            "start": iso(clock.now - 12 * 86400), "duration": 60, "description": "Old"}
    old = client.post(f"{ws}/time_entries", json=body).json()
    assert old["id"] not in [e["id"] for e in client.get(f"{T}/me/time_entries").json()]


# ---- 7. delete shapes -------------------------------------------------------------------------


def test_delete_entry_is_200_with_empty_json_body(client: httpx.Client, ws: str) -> None:
    victim = client.get(f"{T}/me/time_entries").json()[0]
    r = client.delete(f"{ws}/time_entries/{victim['id']}")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["content-length"] == "0"
    assert client.delete(f"{ws}/time_entries/{victim['id']}").status_code == 404


def test_delete_project_returns_bare_integer(client: httpx.Client, ws: str) -> None:
    project = client.post(f"{ws}/projects", json={"name": "Doomed", "active": True}).json()
    r = client.delete(f"{ws}/projects/{project['id']}")
    assert r.status_code == 200 and r.json() == project["id"] and r.text == str(project["id"])


# ---- 8. stop ----------------------------------------------------------------------------------


def test_stop_twice_is_409_and_unknown_is_404(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    entry = start_timer(client, emu, ws, clock.now - 90).json()
    clock.advance(10)
    r = client.patch(f"{ws}/time_entries/{entry['id']}/stop")
    assert r.status_code == 200
    stopped = r.json()
    assert stopped["duration"] == 100 and stopped["stop"].endswith("Z")
    assert stopped["tags"] == [] and stopped["tag_ids"] == []
    r = client.patch(f"{ws}/time_entries/{entry['id']}/stop")
    assert r.status_code == 409 and r.json() == "Time entry already stopped"
    r = client.patch(f"{ws}/time_entries/4999999999/stop")
    assert r.status_code == 404 and r.json() == "Time entry not found"


# ---- 9. projects ------------------------------------------------------------------------------


def test_new_project_defaults_on_free_plan(client: httpx.Client, ws: str) -> None:
    r = client.post(f"{ws}/projects", json={"name": "Fresh"})
    assert r.status_code == 200
    p = r.json()
    assert p["active"] is False and p["is_private"] is True
    assert p["color"] == "#0b83d9" and p["billable"] is None
    assert p["start_date"] == "2024-12-16" and 10**8 <= p["id"] < 10**9
    assert p["wid"] == p["workspace_id"]


def test_custom_colour_needs_premium(client: httpx.Client, emu: Emulator, ws: str) -> None:
    pid = client.post(f"{ws}/projects", json={"name": "Colourful"}).json()["id"]
    r = client.put(f"{ws}/projects/{pid}", json={"color": "#123456"})
    assert r.status_code == 402
    assert r.json() == "Custom project colors available only for premium plans"
    assert client.put(f"{ws}/projects/{pid}", json={"color": "#d94182"}).status_code == 200
    r = client.put(f"{ws}/projects/{pid}", json={"color": "red"})
    assert r.status_code == 400 and "hex" in r.json()
    assert client.post(f"{ws}/projects", json={"name": "X", "color": "#abcdef"}).status_code == 402
    emu.toggl.premium = True
    assert client.put(f"{ws}/projects/{pid}", json={"color": "#123456"}).status_code == 200
    assert client.get(f"{T}/workspaces/{emu.toggl.workspace_id}").json()["premium"] is True


def test_project_update_is_partial_and_names_unique(client: httpx.Client, ws: str) -> None:
    p = client.post(f"{ws}/projects", json={"name": "Partial", "active": True}).json()
    updated = client.put(f"{ws}/projects/{p['id']}", json={"name": "Renamed"}).json()
    assert updated["name"] == "Renamed" and updated["active"] is True
    assert client.post(f"{ws}/projects", json={"name": "Website"}).status_code == 400


# ---- 10. timestamp forms ----------------------------------------------------------------------


def test_read_vs_write_timestamp_forms(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    entry = start_timer(client, emu, ws, clock.now).json()
    assert entry["start"].endswith("Z") and not entry["start"].endswith("+00:00")
    assert client.get(f"{T}/me/time_entries/current").json()["start"].endswith("+00:00")
    put = client.put(f"{ws}/time_entries/{entry['id']}", json={"description": "edited"}).json()
    assert put["start"].endswith("Z") and put["description"] == "edited"
    me = client.get(f"{T}/me").json()
    assert me["created_at"].endswith("Z") and "." in me["created_at"]


# ---- 11. project list headers -----------------------------------------------------------------


def test_project_list_headers_sorting_and_paging(client: httpx.Client, ws: str) -> None:
    r = client.get(f"{ws}/projects")
    assert r.headers["X-Page"] == "1" and r.headers["X-Page-Size"] == "151"
    assert r.headers["X-Sort-Field"] == "project_name" and r.headers["X-Sort-Order"] == "asc"
    names = [p["name"] for p in r.json()]
    assert names == sorted(names, key=str.lower) and "Legacy CRM" not in names  # active only
    both = client.get(f"{ws}/projects", params={"active": "both"}).json()
    assert "Legacy CRM" in [p["name"] for p in both]
    r = client.get(f"{ws}/projects", params={"per_page": 1000, "active": "both"})
    assert r.headers["X-Page-Size"] == "200"
    page2 = client.get(f"{ws}/projects", params={"per_page": 3, "page": 2}).json()
    assert [p["name"] for p in page2] == names[3:6]
    found = client.get(f"{ws}/projects", params={"name": "web"}).json()
    assert [p["name"] for p in found] == ["Website"]


# ---- 15. the two kinds of 402 -----------------------------------------------------------------


def test_quota_402_and_premium_402_differ(
    client: httpx.Client, emu: Emulator, ws: str
) -> None:
    emu.add_fault("quota402", app="toggl-track")
    quota = client.get(f"{T}/me")
    premium = client.post(f"{ws}/projects", json={"name": "Y", "color": "#010203"})
    assert quota.status_code == premium.status_code == 402
    assert "hourly limit" in quota.json() and "premium" in premium.json()


# ---- the rest of the surface ------------------------------------------------------------------


def test_me_and_related_data(client: httpx.Client, emu: Emulator) -> None:
    me = client.get(f"{T}/me").json()
    assert me["fullname"] == "Demo User" and me["default_workspace_id"] == emu.toggl.workspace_id
    assert "time_entries" not in me
    rich = client.get(f"{T}/me", params={"with_related_data": "true"}).json()
    assert {"tags", "clients", "projects", "workspaces", "time_entries"} <= rich.keys()
    assert len(rich["clients"]) == 3 and len(rich["tags"]) == 5
    workspaces = client.get(f"{T}/me/workspaces").json()
    assert workspaces[0]["id"] == emu.toggl.workspace_id and workspaces[0]["premium"] is False
    users = client.get(f"{T}/workspaces/{emu.toggl.workspace_id}/users").json()
    assert users[0]["fullname"] == "Demo User"


def test_put_partial_tags_and_stop(
    client: httpx.Client, emu: Emulator, ws: str, clock: FakeClock
) -> None:
    entry = start_timer(client, emu, ws, clock.now - 300, description="Tagged",
                        tags=["meeting", "brand-new"]).json()
    assert entry["tags"] == ["meeting", "brand-new"] and len(entry["tag_ids"]) == 2
    assert any(t["name"] == "brand-new" for t in client.get(f"{ws}/tags").json())
    url = f"{ws}/time_entries/{entry['id']}"
    r = client.put(url, json={"tags": ["urgent"], "tag_action": "add"}).json()
    assert r["tags"] == ["meeting", "brand-new", "urgent"] and r["description"] == "Tagged"
    r = client.put(url, json={"tags": ["meeting"], "tag_action": "delete"}).json()
    assert r["tags"] == ["brand-new", "urgent"]
    r = client.put(url, json={"stop": iso(clock.now)}).json()
    assert r["duration"] == 300 and r["stop"] == iso(clock.now)


def test_bulk_patch(client: httpx.Client, ws: str) -> None:
    ids = [e["id"] for e in client.get(f"{T}/me/time_entries").json()[:2]]
    ops = [{"op": "replace", "path": "/description", "value": "Bulk"}]
    r = client.patch(f"{ws}/time_entries/{ids[0]},{ids[1]},4999999999", json=ops).json()
    assert r["success"] == ids
    assert r["failure"] == [{"id": 4999999999, "message": "Time entry not found"}]
    assert client.get(f"{T}/me/time_entries/{ids[0]}").json()["description"] == "Bulk"


def test_clients(client: httpx.Client, emu: Emulator, ws: str) -> None:
    assert [c["name"] for c in client.get(f"{ws}/clients").json()] == ["Acme", "Globex", "Initech"]
    new = client.post(f"{ws}/clients", json={"name": "Umbrella"}).json()
    assert 10**7 <= new["id"] < 10**8 and new["archived"] is False
    assert client.post(f"{ws}/clients", json={"name": ""}).json() == "Client name cannot be empty"
    r = client.get(f"{ws}/clients/12345678")
    assert r.status_code == 404 and r.json() == "No client with ID 12345678 was found"
    r = client.post(f"{ws}/clients/{new['id']}/archive")
    assert r.status_code == 402 and r.json() == "Only for premium workspaces"
    emu.toggl.premium = True
    acme = emu.toggl.clients[0]["id"]
    archived_ids = client.post(f"{ws}/clients/{acme}/archive").json()
    assert len(archived_ids) == 2  # Website and Mobile app (Legacy CRM already archived)
    assert [c["name"] for c in client.get(f"{ws}/clients", params={"status": "archived"}).json()]\
        == ["Acme"]
    restored = client.post(f"{ws}/clients/{acme}/restore", json={"restore_all_projects": True})
    assert restored.json()["archived"] is False
    r = client.delete(f"{ws}/clients/{new['id']}")
    assert r.status_code == 200 and r.json() == new["id"]


def test_tags(client: httpx.Client, ws: str) -> None:
    tag = client.post(f"{ws}/tags", json={"name": "focus"})
    assert tag.status_code == 200 and tag.json()["name"] == "focus"  # one object, not a list
    dup = client.post(f"{ws}/tags", json={"name": "focus"})
    assert dup.status_code == 400 and dup.json() == "a tag with the name 'focus' already exists"
    renamed = client.put(f"{ws}/tags/{tag.json()['id']}", json={"name": "flow"}).json()
    assert renamed["name"] == "flow"
    r = client.delete(f"{ws}/tags/{tag.json()['id']}")
    assert r.status_code == 200 and r.content == b""


def test_ids_and_seed_shape(emu: Emulator) -> None:
    toggl = emu.toggl
    assert 10**6 <= toggl.workspace_id < 10**7
    assert all(e["id"] > 2**31 for e in toggl.entries)
    assert all(10**7 <= t["id"] < 10**8 for t in toggl.tags)
    assert len(toggl.projects) == 11 and sum(p["active"] for p in toggl.projects) == 10
    assert {t["name"] for t in toggl.tags} == {"meeting", "deep-work", "email", "review", "urgent"}
    assert all(e["stop"] is not None for e in toggl.entries)  # nothing running for the demo user
    now = utc(emu.clock())
    days = {utc(e["start"]).date() for e in toggl.entries}
    past = days - {now.date()}  # today has only the entries that already ended
    assert len(past) == 5 and all(d.weekday() < 5 for d in days)
    assert all(utc(e["stop"]) <= now for e in toggl.entries)
    for day in days:
        todays = [e for e in toggl.entries if utc(e["start"]).date() == day]
        assert 1 <= len(todays) <= 6 if day == now.date() else 4 <= len(todays) <= 6
        assert all(9 <= utc(e["start"]).hour < 17 for e in todays)
