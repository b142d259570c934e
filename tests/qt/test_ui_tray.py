"""The tray (offscreen): menu contents from a snapshot, tooltip, icon states, clicks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from trayapp.core import errors as e
from trayapp.core.durations import utcnow
from trayapp.core.models import EntryDraft, Project, Service, TimeEntry
from trayapp.sync.account import Account
from trayapp.ui.icons import Badge
from trayapp.ui.tray import Tray

from ..conftest import TEST_KEY


@pytest.fixture
def snapshot(emulator, tmp_path):
    account = Account(TEST_KEY, emulator.base_url, tmp_path / "s.sqlite3")
    try:
        yield account.session(Service.TOGGL).sync()
    finally:
        account.close()


@pytest.fixture
def tray(qtbot):
    t = Tray()
    yield t
    t.icon.hide()


def texts(menu):
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def submenu(menu, title):
    return next(a.menu() for a in menu.actions() if a.menu() and a.menu().title().startswith(title))


def test_menu_when_idle(tray, snapshot):
    tray.set_snapshot(snapshot, [Service.TOGGL, Service.CLOCKIFY])
    tray.rebuild_menu()
    items = texts(tray.menu)
    assert items[0] == "Not tracking"
    assert any(t.startswith("Continue “") for t in items)
    assert "New timer…" in items and "Settings…" in items and items[-1] == "Quit"
    assert "Stop" not in items
    assert any(t.startswith("Today ") and "This week" in t for t in items)
    assert any(t.startswith("Synced ") for t in items)
    assert "Open Toggl Track in the browser" in items
    recent = submenu(tray.menu, "Recent")
    assert len(recent.actions()) == 10
    track = submenu(tray.menu, "Track on")
    assert [a.isChecked() for a in track.actions()] == [True, False]


def test_recent_click_starts_that_entry(tray, snapshot, qtbot):
    tray.set_snapshot(snapshot, [Service.TOGGL])
    tray.rebuild_menu()
    first = submenu(tray.menu, "Recent").actions()[0]
    with qtbot.waitSignal(tray.requested, timeout=1000) as got:
        first.trigger()
    request = got.args[0]
    assert request.command == "start"
    draft = request.draft
    assert isinstance(draft, EntryDraft)
    assert draft.key == snapshot.recent()[0].key


def test_projects_grouped_by_client_or_searchable(tray, snapshot, qtbot):
    tray.set_snapshot(snapshot)
    tray.rebuild_menu()
    projects = submenu(tray.menu, "Projects")
    sections = [a.text() for a in projects.actions() if a.isSeparator() and a.text()]
    assert "Acme" in sections and "No client" in sections
    many = tuple(Project(str(i), "w", f"Project {i:03d}") for i in range(300))
    tray.set_snapshot(replace(snapshot, projects=many))
    tray.rebuild_menu()
    projects = submenu(tray.menu, "Projects")
    assert projects.actions()[0].text() == "Search projects…"
    assert len(projects.actions()) < 30
    with qtbot.waitSignal(tray.requested, timeout=1000,
                          check_params_cb=lambda r: r.command == "project_search"):
        projects.actions()[0].trigger()


def test_running_entry_menu_and_tooltip(tray, snapshot, qtbot):
    website = next(p for p in snapshot.projects if p.name == "Website")
    now = utcnow()
    running = TimeEntry("1", snapshot.workspace_id, now - timedelta(seconds=5025),
                        description="Writing report", project_id=website.id)
    snap = replace(snapshot, running=running, entries=(running, *snapshot.entries))
    tray.set_snapshot(snap)
    tip = tray.tooltip(now)
    assert tip.startswith("Writing report · Acme / Website · 1:23:45 · Today ")
    tray.rebuild_menu()
    items = texts(tray.menu)
    assert items[0].startswith("● Writing report — Acme / Website  1:23:4")
    assert items[1:3] == ["Stop", "Edit…"]
    with qtbot.waitSignal(tray.requested, timeout=1000,
                          check_params_cb=lambda r: r.command == "stop"):
        tray.menu.actions()[1].trigger()


def test_a_timer_of_another_workspace_is_shown_with_its_name_and_stoppable(tray, snapshot,
                                                                          qtbot):
    now = utcnow()
    running = TimeEntry("2", "999", now - timedelta(seconds=65), description="On the side")
    tray.set_snapshot(replace(snapshot, running=running, running_workspace="Side project"))
    assert tray.tooltip(now).startswith("On the side · 0:01:05 · in workspace Side project · ")
    tray.rebuild_menu()
    assert texts(tray.menu)[1] == "Stop"
    with qtbot.waitSignal(tray.requested, timeout=1000,
                          check_params_cb=lambda r: r.command == "stop"):
        tray.menu.actions()[1].trigger()


def test_status_lines_for_pending_offline_and_problems(tray, snapshot):
    from trayapp.sync.snapshot import Problem

    snap = replace(snapshot, pending=2, error=e.NetworkError(),
                   problems=(Problem(7, "start", "Bad", "Not found", "gone"),))
    tray.set_snapshot(snap)
    assert tray.badge() is Badge.OFFLINE
    assert "2 not yet sent" in tray.tooltip() and "Offline" in tray.tooltip()
    tray.rebuild_menu()
    items = texts(tray.menu)
    assert "2 change(s) not yet sent" in items
    status = next(a for a in tray.menu.actions() if a.text() == "Offline")
    assert status.toolTip().startswith("The gateway cannot be reached.")
    problems = submenu(tray.menu, "1 refused")
    assert problems is not None


def command(name):
    return lambda request: request.command == name


def test_left_click_toggles_by_default(tray, snapshot, qtbot):
    tray.set_snapshot(snapshot)
    Reason = QSystemTrayIcon.ActivationReason
    with qtbot.waitSignal(tray.requested, timeout=3000, check_params_cb=command("quick_start")):
        tray.icon.activated.emit(Reason.Trigger)
    running = TimeEntry("1", "w", utcnow())
    tray.set_snapshot(replace(snapshot, running=running))
    with qtbot.waitSignal(tray.requested, timeout=3000, check_params_cb=command("stop")):
        tray.icon.activated.emit(Reason.Trigger)
    tray.left_click = "menu"
    with qtbot.waitSignal(tray.requested, timeout=1000, check_params_cb=command("new_timer")):
        tray.quick_action("new_timer")


def test_a_timer_running_on_the_other_service_is_shown_and_can_be_stopped(tray, snapshot,
                                                                          qtbot):
    """Defect: after Track on ▸ Clockify the tray said "Not tracking" while the Toggl timer
    ran on."""
    clockify = replace(snapshot, service=Service.CLOCKIFY, running=None, entries=())
    toggl_timer = TimeEntry("9", "w", utcnow() - timedelta(minutes=12), description="Review")
    tray.set_snapshot(clockify, [Service.TOGGL, Service.CLOCKIFY],
                      [(Service.TOGGL, toggl_timer)])
    tip = tray.tooltip()
    assert tip.startswith("Review · 0:12:") and "on Toggl Track" in tip
    tray.rebuild_menu()
    items = texts(tray.menu)
    assert items[0].startswith("● Review — Toggl Track  0:12:")
    stop = next(a for a in tray.menu.actions() if a.text() == "Stop on Toggl Track")
    with qtbot.waitSignal(tray.requested, timeout=1000) as got:
        stop.trigger()
    assert got.args[0].command == "stop" and got.args[0].args == {"service": "toggl-track"}


def test_icons_differ_by_state_and_scheme():
    from trayapp.ui.icons import tray_icon

    def pixels(icon):
        image = icon.pixmap(32, 32).toImage()
        return [image.pixelColor(x, y).name() for x in range(0, 32, 4) for y in range(0, 32, 4)]

    stopped_light = pixels(tray_icon(False, dark=False))
    stopped_dark = pixels(tray_icon(False, dark=True))
    running = pixels(tray_icon(True, 0.5, dark=False))
    offline = pixels(tray_icon(True, 0.5, Badge.OFFLINE, dark=False))
    assert len({tuple(stopped_light), tuple(stopped_dark), tuple(running), tuple(offline)}) == 4
    icon = tray_icon(True, 0.25)
    assert {s.width() for s in icon.availableSizes()} >= {16, 22, 32, 64}


def test_timers_running_on_both_services_are_both_shown(tray, snapshot, qtbot):
    """Two timers, one per service: both are in the menu, each with its Stop."""
    website = next(p for p in snapshot.projects if p.name == "Website")
    here = TimeEntry("1", "w", utcnow() - timedelta(minutes=3), description="Here",
                     project_id=website.id)
    there = TimeEntry("9", "w", utcnow() - timedelta(minutes=12), description="There")
    tray.set_snapshot(replace(snapshot, running=here, entries=(here, *snapshot.entries)),
                      [Service.TOGGL, Service.CLOCKIFY], [(Service.CLOCKIFY, there)])
    assert tray.tooltip().startswith("Here · Acme / Website · 0:03:")
    assert "also on Clockify: There" in tray.tooltip()
    tray.rebuild_menu()
    items = texts(tray.menu)
    assert items[:3] == [items[0], "Stop", "Edit…"] and items[0].startswith("● Here")
    assert items[3].startswith("● There — Clockify  0:12:") and items[4] == "Stop on Clockify"
    with qtbot.waitSignal(tray.requested, timeout=1000) as got:
        tray.menu.actions()[4].trigger()
    assert got.args[0].args == {"service": "clockify"}


def test_a_click_stops_the_timer_the_icon_shows(tray, snapshot, qtbot):
    there = TimeEntry("9", "w", utcnow(), description="There")
    tray.set_snapshot(replace(snapshot, running=None), [Service.TOGGL, Service.CLOCKIFY],
                      [(Service.CLOCKIFY, there)])
    for click in ("toggle", "toggle_timer"):
        with qtbot.waitSignal(tray.requested, timeout=1000) as got:
            tray.quick_action(click)
        assert (got.args[0].command, got.args[0].args) == ("stop", {"service": "clockify"})
