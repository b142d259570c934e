"""Both trackers against the emulator over a real loopback socket: every endpoint, every quirk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trayapp.api.trackers import make_tracker
from trayapp.core import errors as e
from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Service

SERVICES = [Service.TOGGL, Service.CLOCKIFY]


@pytest.fixture(params=SERVICES, ids=["toggl", "clockify"])
def service(request):
    return request.param


@pytest.fixture
def tracker(service, gateway):
    return make_tracker(service, gateway)


@pytest.fixture
def wid(tracker):
    return tracker.me().default_workspace_id or tracker.workspaces()[0].id


def project_named(tracker, wid, name):
    return next(p for p in tracker.projects(wid) if p.name == name)


# -- account -----------------------------------------------------------------------------


def test_me_workspaces_and_users(tracker, wid):
    me = tracker.me()
    assert me.name == "Demo User" and me.email
    spaces = tracker.workspaces()
    assert [w.id for w in spaces] == [wid]
    assert tracker.workspace(wid).name == spaces[0].name
    users = tracker.users(wid)
    assert me.id in {u.id for u in users}


# -- time entries ------------------------------------------------------------------------


def test_start_current_stop(tracker, wid):
    assert tracker.current(wid) is None
    website = project_named(tracker, wid, "Website")
    started = tracker.start(
        wid, EntryDraft("Writing report", project_id=website.id, tags=("meeting",))
    )
    assert started.running and started.description == "Writing report"
    assert started.project_id == website.id
    current = tracker.current(wid)
    assert current is not None and current.id == started.id and current.running
    assert current.tags == ("meeting",)
    assert abs((current.start - started.start).total_seconds()) <= 1
    stopped = tracker.stop(wid, started.id)
    assert not stopped.running and stopped.id == started.id
    assert tracker.current(wid) is None
    with pytest.raises(e.Conflict):
        tracker.stop(wid, started.id)


def test_start_while_running_leaves_one_timer(tracker, wid):
    first = tracker.start(wid, EntryDraft("First"))
    second = tracker.start(wid, EntryDraft("Second"))
    assert tracker.current(wid).id == second.id
    assert not tracker.entry(wid, first.id).running


def test_update_changes_only_what_is_named(tracker, wid):
    website = project_named(tracker, wid, "Website")
    entry = tracker.start(
        wid, EntryDraft("Draft", project_id=website.id, tags=("review",), billable=True)
    )
    updated = tracker.update(entry, description="Final")
    assert updated.description == "Final"
    again = tracker.entry(wid, entry.id)
    assert again.description == "Final" and again.project_id == website.id
    assert again.tags == ("review",) and again.running
    cleared = tracker.update(again, project_id=None, tags=())
    assert cleared.project_id is None and cleared.tags == ()


def test_update_stop_time_and_create_finished_entry(tracker, wid):
    start = utcnow().replace(microsecond=0) - timedelta(hours=3)
    made = tracker.create(wid, EntryDraft("Past work", start=start,
                                          stop=start + timedelta(minutes=45)))
    assert not made.running and made.seconds() == 45 * 60
    moved = tracker.update(made, stop=start + timedelta(minutes=30))
    assert moved.seconds() == 30 * 60
    running = tracker.start(wid, EntryDraft("Now"))
    stopped = tracker.stop(wid, running.id, at=running.start + timedelta(seconds=5))
    assert stopped.seconds() == 5


def test_new_tag_names_are_created(tracker, wid):
    entry = tracker.start(wid, EntryDraft("Tagged", tags=("brand-new",)))
    assert entry.tags == ("brand-new",) or "brand-new" in {t.name for t in tracker.tags(wid)}
    assert "brand-new" in {t.name for t in tracker.tags(wid)}


def test_delete_entry(tracker, wid):
    entry = tracker.start(wid, EntryDraft("Oops"))
    tracker.delete(wid, entry.id)
    assert tracker.current(wid) is None
    with pytest.raises(e.NotFound):
        tracker.entry(wid, entry.id)


def test_entries_in_a_range_are_newest_first(tracker, wid):
    end = utcnow()
    found = tracker.entries(wid, end - timedelta(days=8), end)
    assert len(found) >= 15
    assert [x.start for x in found] == sorted((x.start for x in found), reverse=True)
    assert all(end - timedelta(days=8) <= x.start < end for x in found)
    assert all(x.user_id in (None, tracker.me().id) for x in found)


def test_toggl_changed_since_includes_deletions(gateway):
    tracker = make_tracker(Service.TOGGL, gateway)
    wid = tracker.me().default_workspace_id
    before = utcnow() - timedelta(seconds=2)
    entry = tracker.start(wid, EntryDraft("Short-lived"))
    tracker.delete(wid, entry.id)
    changed = {x.id: x for x in tracker.changed_since(wid, before)}
    assert changed[entry.id].deleted


def test_clockify_current_ignores_teammates_timer(gateway):
    tracker = make_tracker(Service.CLOCKIFY, gateway)
    wid = tracker.me().default_workspace_id
    everyone = tracker.in_progress(wid)
    assert any(x.user_id != tracker.user_id for x in everyone)  # the teammate's timer
    assert tracker.current(wid) is None


# -- projects, clients, tags, tasks ------------------------------------------------------


def test_projects_crud(tracker, wid):
    projects = tracker.projects(wid)
    assert len(projects) >= 10 and all(p.active for p in projects)
    assert all(p.color.startswith("#") for p in projects)
    assert any(p.client_name for p in projects) or any(p.client_id for p in projects)
    acme = next(c for c in tracker.clients(wid) if c.name == "Acme")
    made = tracker.create_project(wid, "Launch", client_id=acme.id)
    assert made.active and made.client_id == acme.id
    assert tracker.project(wid, made.id).name == "Launch"
    renamed = tracker.update_project(wid, made.id, name="Launch 2")
    assert renamed.name == "Launch 2"
    archived = tracker.archive_project(wid, made.id)
    assert not archived.active
    assert made.id not in {p.id for p in tracker.projects(wid)}
    assert made.id in {p.id for p in tracker.projects(wid, include_archived=True)}
    assert tracker.archive_project(wid, made.id, archived=False).active
    tracker.delete_project(wid, made.id)  # Clockify: archived first by the tracker
    assert made.id not in {p.id for p in tracker.projects(wid, include_archived=True)}


def test_projects_paginate(tracker, wid):
    before = len(tracker.projects(wid))
    for i in range(205 - before):
        tracker.create_project(wid, f"Bulk {i:03d}")
    projects = tracker.projects(wid)
    assert len(projects) == 205 and len({p.id for p in projects}) == 205


def test_clients_crud(tracker, wid, service):
    made = tracker.create_client(wid, "Umbrella")
    assert tracker.client(wid, made.id).name == "Umbrella"
    assert tracker.update_client(wid, made.id, name="Umbrella Corp").name == "Umbrella Corp"
    if service is Service.TOGGL:
        with pytest.raises(e.PremiumRequired):  # archiving clients is premium-only on Toggl
            tracker.archive_client(wid, made.id)
    else:
        assert tracker.archive_client(wid, made.id).archived
        assert tracker.archive_client(wid, made.id, archived=False).archived is False
    tracker.delete_client(wid, made.id)
    with pytest.raises(e.NotFound):
        tracker.client(wid, made.id)


def test_tags_crud(tracker, wid):
    names = {t.name for t in tracker.tags(wid)}
    assert {"meeting", "deep-work", "email"} <= names
    made = tracker.create_tag(wid, "focus")
    assert tracker.update_tag(wid, made.id, name="flow").name == "flow"
    tracker.delete_tag(wid, made.id)
    assert "flow" not in {t.name for t in tracker.tags(wid)}


def test_clockify_tasks_crud(gateway):
    tracker = make_tracker(Service.CLOCKIFY, gateway)
    wid = tracker.me().default_workspace_id
    project = project_named(tracker, wid, "Website")
    task = tracker.create_task(wid, project.id, "Design review")
    assert task.active and tracker.task(wid, project.id, task.id).name == "Design review"
    assert task.id in {t.id for t in tracker.tasks(wid, project.id)}
    done = tracker.update_task(wid, task, active=False)
    assert not done.active
    assert task.id not in {t.id for t in tracker.tasks(wid, project.id)}
    tracker.delete_task(wid, task)  # the tracker marks it DONE first when needed
    assert task.id not in {t.id for t in tracker.tasks(wid, project.id, include_done=True)}
    started = tracker.start(wid, EntryDraft("On a task", project_id=project.id, task_id=None))
    assert started.running


def test_clockify_deleting_an_active_task_marks_it_done_first(gateway):
    tracker = make_tracker(Service.CLOCKIFY, gateway)
    wid = tracker.me().default_workspace_id
    project = project_named(tracker, wid, "Website")
    task = tracker.create_task(wid, project.id, "Short task")
    tracker.delete_task(wid, task)
    assert task.id not in {t.id for t in tracker.tasks(wid, project.id, include_done=True)}


def test_toggl_tasks_say_so_plainly(gateway):
    tracker = make_tracker(Service.TOGGL, gateway)
    assert tracker.tasks("1", "2") == []
    with pytest.raises(e.PremiumRequired):
        tracker.create_task("1", "2", "x")


def test_toggl_custom_colour_on_free_plan_is_premium_error(gateway):
    tracker = make_tracker(Service.TOGGL, gateway)
    wid = tracker.me().default_workspace_id
    assert tracker.create_project(wid, "Palette", color="#d94182").color == "#d94182"
    with pytest.raises(e.PremiumRequired) as info:
        tracker.create_project(wid, "Custom", color="#123456")
    assert "premium" in info.value.message.lower()


def test_clockify_create_workspace_and_entry_for_user(gateway):
    tracker = make_tracker(Service.CLOCKIFY, gateway)
    wid = tracker.me().default_workspace_id
    space = tracker.create_workspace("Side project")
    assert space.id != wid and space.name == "Side project"
    mate = next(u for u in tracker.users(wid) if u.id != tracker.user_id)
    start = utcnow().replace(microsecond=0) - timedelta(hours=1)
    made = tracker.create_for_user(wid, mate.id, EntryDraft("Pairing", start=start,
                                                             stop=start + timedelta(minutes=20)))
    assert made.user_id == mate.id and made.seconds() == 20 * 60
