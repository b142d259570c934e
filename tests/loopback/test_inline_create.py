"""Create where you type (control/inline.py): a timer started, an entry added or an entry
edited onto a project named in a window but not existing yet. One plan makes the project,
then the entry; offline both wait, and when the service is back the project is made
exactly once, before the entry, which ends up on the project's server id."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trayapp.control import inline
from trayapp.control.actions import EXIT_OK, EXIT_QUEUED
from trayapp.control.oneshot import execute
from trayapp.core.models import EntryDraft, Service

from .test_catalog_offline import kind_of, made_before, server_projects
from .test_faults import PREFIX, new_account, server_entries, settle

SERVICES = pytest.mark.parametrize("service", [Service.TOGGL, Service.CLOCKIFY],
                                   ids=["toggl", "clockify"])


def placeholder(name: str) -> str:
    return inline.new_project(name).id


@SERVICES
def test_start_on_a_new_project_online(emulator, clock, tmp_path, service):
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    draft = EntryDraft(PREFIX + "typed", project_id=placeholder("Webiste2"), tags=("fresh",))
    reply = execute(inline.start_plan(service, draft), account)
    assert reply["ok"] and reply["exit"] == EXIT_OK, reply
    [server] = server_projects(emulator, service, "Webiste2")
    [entry] = [x for x in server_entries(session) if x.description == PREFIX + "typed"]
    assert entry.project_id == str(server["id"]) and entry.tags == ("fresh",)
    account.close()


@SERVICES
def test_offline_start_on_a_new_project_sends_the_project_once_and_first(
        emulator, clock, tmp_path, service):
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    emulator.add_fault(kind="refuse", times=100)  # the gateway is down
    draft = EntryDraft(PREFIX + "offline", project_id=placeholder("Made offline"))
    reply = execute(inline.start_plan(service, draft), account)
    assert reply["exit"] == EXIT_QUEUED, reply
    local = session.snapshot()
    assert local.running is not None
    assert local.project_by_id[local.running.project_id].name == "Made offline"
    assert server_projects(emulator, service, "Made offline") == []

    emulator.clear_requests()
    settle(session, emulator, clock)
    made = [kind_of(p) for p in made_before(emulator, service)]
    assert made[0] == "projects" and made[1] in ("time_entries", "time-entries"), made
    [server] = server_projects(emulator, service, "Made offline")
    [entry] = [x for x in server_entries(session) if x.description == PREFIX + "offline"]
    assert entry.project_id == str(server["id"])
    session.sync()
    assert len(server_projects(emulator, service, "Made offline")) == 1  # never doubled
    account.close()


@SERVICES
def test_an_existing_name_is_used_not_doubled(emulator, clock, tmp_path, service):
    """Made meanwhile (another window, a sync): the plan takes that project."""
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    existing = session.create_project("Twice named")
    draft = EntryDraft(PREFIX + "again", project_id=placeholder("twice NAMED"))
    execute(inline.start_plan(service, draft), account)
    assert session.snapshot().running.project_id in (
        existing.id, session.store.server_id(session.svc, existing.id))
    assert len(server_projects(emulator, service, "Twice named")) == 1
    account.close()


@SERVICES
def test_add_and_edit_onto_new_projects_offline(emulator, clock, tmp_path, service):
    account = new_account(emulator, tmp_path / "s.sqlite3", clock)
    session = account.session(service)
    session.sync()
    emulator.add_fault(kind="refuse", times=100)
    stop = clock.utcnow().replace(microsecond=0) - timedelta(hours=2)
    draft = EntryDraft(PREFIX + "past", project_id=placeholder("Added onto"))
    reply = execute(inline.add_plan(service, draft, stop - timedelta(hours=1), stop), account)
    assert reply["exit"] == EXIT_QUEUED, reply
    added = next(x for x in session.snapshot().entries if x.description == PREFIX + "past")
    reply = execute(inline.update_plan(service, added.id,
                                       {"project_id": placeholder("Edited onto"),
                                        "description": PREFIX + "past, moved"}), account)
    assert reply["exit"] == EXIT_QUEUED, reply

    emulator.clear_requests()
    settle(session, emulator, clock)
    made = [kind_of(p) for p in made_before(emulator, service)]
    assert made[:2] == ["projects", "projects"], made
    [edited] = server_projects(emulator, service, "Edited onto")
    assert len(server_projects(emulator, service, "Added onto")) == 1
    [entry] = [x for x in server_entries(session) if x.description == PREFIX + "past, moved"]
    assert entry.project_id == str(edited["id"])
    account.close()


def test_placeholders():
    project = inline.new_project("  Web  site ")
    assert project.name == "Web site" and inline.is_new(project.id)
    assert inline.new_name(project.id) == "Web site"
    assert not inline.is_new("123") and not inline.is_new(None) and not inline.is_new(inline.NEW)
    assert inline.needs_creating(EntryDraft(project_id=project.id))
    assert inline.needs_creating({"project_id": project.id})
    assert not inline.needs_creating({"description": "x"})
