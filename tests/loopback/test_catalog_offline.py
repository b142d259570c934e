"""Create where you type, offline: a project, client or tag made by name queues like an
entry. It gets a local id at once, is made on the service exactly once, before any entry that
uses it, and the entries naming its local id end up naming the server's id. The fault matrix
of test_faults.py, for catalog creations: nothing lost, nothing doubled, an entry never sent
before its project."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trayapp.core.models import EntryDraft, Service
from trayapp.store.db import LOCAL_PREFIX

from .test_faults import FAULTS, new_account, server_entries, settle

PREFIX = "T-"


def server_projects(emulator, service, name):
    if service is Service.TOGGL:
        return [p for p in emulator.toggl.projects if p["name"] == name]
    return [p for p in emulator.clockify.projects if p["name"] == name]


def made_before(emulator, service):
    """Paths of the successful POSTs, in order (projects, clients, tags, entries)."""
    return [r.native_path for r in emulator.requests
            if r.app == service.value and r.method == "POST" and 200 <= r.status < 300]


def kind_of(path: str) -> str:
    for kind in ("projects", "clients", "tags", "time_entries", "time-entries"):
        if path.rstrip("/").endswith(kind):
            return kind
    return path


@pytest.mark.parametrize("service", [Service.TOGGL, Service.CLOCKIFY], ids=["toggl", "clockify"])
def test_offline_project_client_tag_then_entries_go_in_order(emulator, clock, tmp_path,
                                                              service):
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    emulator.add_fault(kind="refuse", times=100)  # offline
    client = session.create_client("Offline Co")
    project = session.create_project("Offline work", client_name="offline co")
    tag = session.create_tag("offline-tag")
    assert {client.id, project.id, tag.id} == {x for x in (client.id, project.id, tag.id)
                                              if x.startswith(LOCAL_PREFIX)}
    assert project.client_id == client.id and project.client_name == "Offline Co"
    assert [p.name for p in session.catalog_items("project") if p.id == project.id]
    session.start(EntryDraft(PREFIX + "on it", project_id=project.id, tags=(tag.name,)))
    snap = session.flush()
    assert snap.pending == 4 and snap.error is not None  # all kept, nothing refused
    assert server_projects(emulator, service, "Offline work") == []

    emulator.clear_requests()
    settle(session, emulator, clock)
    made = [kind_of(p) for p in made_before(emulator, service)]
    assert made[:3] == ["clients", "projects", "tags"] and made[3] in ("time_entries",
                                                                        "time-entries")
    [server] = server_projects(emulator, service, "Offline work")
    entry = next(x for x in server_entries(session) if x.description == PREFIX + "on it")
    assert entry.project_id == str(server["id"]) and entry.tags == ("offline-tag",)
    local = session.snapshot()
    assert local.running.project_id == str(server["id"])  # the cache names the server's id
    assert local.project_by_id[str(server["id"])].client_name == "Offline Co"
    assert not [x for x in local.projects + local.clients + local.tags
                if x.id.startswith(LOCAL_PREFIX)]
    assert session.store.server_id(session.svc, project.id) == str(server["id"])  # the alias
    account.close()


@pytest.mark.parametrize("service", [Service.TOGGL, Service.CLOCKIFY], ids=["toggl", "clockify"])
def test_an_entry_edited_onto_a_new_project_before_its_start_was_sent(emulator, clock,
                                                                      tmp_path, service):
    """The edit folds into the unsent start (one request): the start must still wait for
    the project, made after it."""
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    emulator.add_fault(kind="refuse", times=100)
    session.start(EntryDraft(PREFIX + "first"))
    project = session.create_project("Made later")
    running = session.snapshot().running
    session.update(running.id, project_id=project.id)
    settle(session, emulator, clock)
    [server] = server_projects(emulator, service, "Made later")
    entry = next(x for x in server_entries(session) if x.description == PREFIX + "first")
    assert entry.project_id == str(server["id"])
    account.close()


def test_a_refused_project_holds_its_entries_and_can_be_dropped(emulator, clock, tmp_path):
    service = Service.CLOCKIFY
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    project = session.create_project("X")  # Clockify refuses a name under 2 characters: 400
    session.start(EntryDraft(PREFIX + "waits", project_id=project.id))
    snap = session.flush()
    assert [p.description for p in snap.problems] == ["project “X”"]
    assert snap.pending == 1  # the start waits for its project, not sent without it
    assert [x for x in server_entries(session) if x.description == PREFIX + "waits"] == []
    snap = session.drop(snap.problems[0].seq)  # given up: the entry goes, without a project
    snap = session.flush()
    assert snap.pending == 0 and snap.problems == ()
    [entry] = [x for x in server_entries(session) if x.description == PREFIX + "waits"]
    assert entry.project_id is None
    assert session.snapshot().running.project_id is None
    account.close()


MATRIX = [
    pytest.param(service, fault, id=f"{service.name.lower()}-{fault}")
    for service in (Service.TOGGL, Service.CLOCKIFY)
    for fault in FAULTS
    if not (fault == "quota402" and service is Service.CLOCKIFY)
]


@pytest.mark.parametrize("service,fault", MATRIX)
def test_catalog_fault_matrix(emulator, clock, tmp_path, service, fault):
    """The fault hits the project's POST; the entry that uses it is queued behind it."""
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    emulator.add_fault(**FAULTS[fault], method="POST", times=1)
    project = session.create_project("Faulty project")
    tag = session.create_tag("faulty-tag")
    now = session.clock()
    session.add(EntryDraft(PREFIX + "used it", project_id=project.id, tags=(tag.name,)),
                now - timedelta(hours=2), now - timedelta(hours=1))
    session.flush()
    emulator.clear_requests()
    snap = settle(session, emulator, clock)
    assert snap.problems == ()
    [server] = server_projects(emulator, service, "Faulty project")  # exactly once
    tags = (emulator.toggl.tags if service is Service.TOGGL else emulator.clockify.tags)
    assert len([t for t in tags if t["name"] == "faulty-tag"]) == 1
    [entry] = [x for x in server_entries(session) if x.description == PREFIX + "used it"]
    assert entry.project_id == str(server["id"]) and entry.tags == ("faulty-tag",)
    account.close()
