"""Favorites in the app, offscreen, against the emulator: pinned from the Recent submenu,
at the top of the menu and of Quick start, started with their project and tags, reordered,
renamed and removed in Settings, a shortcut each, and one whose project is gone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from trayapp.config import Config
from trayapp.control import favorites as rules
from trayapp.control.actions import Request
from trayapp.control.notices import Notice
from trayapp.core.durations import format_timestamp, utcnow
from trayapp.core.models import EntryDraft
from trayapp.ui.favorites import MARK, PIN, FavoritesSection
from trayapp.ui.quick_start import QuickStart

from ..support.whole_app import whole_app

WAIT = 10_000


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch, TRAYAPP_IDLE="none") as tray_app:
        told: list[Notice] = []
        tray_app.notify = told.append  # type: ignore[method-assign]
        tray_app.told = told  # type: ignore[attr-defined]
        yield tray_app


def open_menu(app):
    app.tray.menu.aboutToShow.emit()
    return app.tray.menu.actions()


def a_project(app):
    return next(p for p in app.snapshot.projects if p.active)


def tracked(app, emulator, qtbot, description: str, **args) -> None:
    """An entry done earlier, so it is among the recent ones."""
    begin = utcnow() - timedelta(hours=2)
    app.dispatch(Request("add", {"description": description, "start": format_timestamp(begin),
                                 "stop": format_timestamp(begin + timedelta(minutes=20)),
                                 **args}))
    qtbot.waitUntil(lambda: any(d.description == description for d in app.snapshot.recent())
                    and app.snapshot.pending == 0, timeout=WAIT)


def test_pin_from_recent_then_start_it_from_the_top_of_the_menu(app, emulator, qtbot):
    project = a_project(app)
    tracked(app, emulator, qtbot, "Weekly review", project=project.name, tags="ops")
    actions = open_menu(app)
    recent = next(a.menu() for a in actions if a.menu() is not None
                  and a.menu().title() == "Recent")
    pins = next(a.menu() for a in recent.actions() if a.menu() is not None
                and a.menu().title() == PIN)
    pin = next(a for a in pins.actions() if a.text().startswith("Weekly review"))
    pin.trigger()
    assert [f.description for f in rules.load(Config.load())] == ["Weekly review"]
    pin.trigger()  # pinned once only
    assert len(Config.load().favorites) == 1
    texts = [a.text() for a in open_menu(app)]
    line = next(t for t in texts if t.startswith(MARK))
    assert line.startswith(f"{MARK}Weekly review · ") and "#ops" in line
    assert texts.index(line) < texts.index("Recent")  # at the top, above Recent
    app.favorites.menu_actions[0].trigger()
    qtbot.waitUntil(lambda: app.snapshot.running is not None and app.snapshot.pending == 0,
                    timeout=WAIT)
    running = app.snapshot.running
    assert (running.description, running.project_id, running.tags) == \
        ("Weekly review", project.id, ("ops",))
    started = [x for x in emulator.toggl.entries if x["description"] == "Weekly review"
               and x["stop"] is None]
    assert len(started) == 1 and str(started[0].get("project_id")) == project.id


def test_favorites_head_quick_start(app, qtbot):
    project = a_project(app)
    rules.pin(app.config, EntryDraft("Standup", project.id), app.service)
    dialog = app.windows.quick_start(app.snapshot)  # as the tray and the shortcut open it
    assert isinstance(dialog, QuickStart)
    first = dialog.list.item(0)
    assert first.text() == f"{MARK}Standup · {project.label}"
    got: list[EntryDraft] = []
    dialog.start_requested.connect(got.append)
    dialog._activate(first)
    assert got == [EntryDraft("Standup", project.id)]


def test_a_favorite_whose_project_is_gone_is_said_so_and_not_started(app, qtbot):
    app.config.favorites = [{"description": "Old client work", "project_id": "999999",
                             "service": app.service.value}]
    texts = [a.text() for a in open_menu(app)]
    assert f"{MARK}Old client work · (project gone)" in texts
    action = app.favorites.menu_actions[0]
    assert not action.isEnabled() and "no longer exists" in action.toolTip()
    app.favorites.start(rules.load(app.config)[0])  # e.g. from its shortcut
    assert app.told[-1].title == "Favorite not started" and app.snapshot.running is None
    dialog = QuickStart(app.snapshot)
    qtbot.addWidget(dialog)
    assert all(not dialog.list.item(i).text().startswith(MARK)
               for i in range(dialog.list.count()))
    section = FavoritesSection(app.config, lambda: app.snapshot)
    qtbot.addWidget(section)
    assert "its project no longer exists" in section.list.item(0).text()


def test_settings_reorder_rename_remove_and_a_shortcut(app, qtbot):
    for name in ("One", "Two", "Three"):
        rules.pin(app.config, EntryDraft(name), app.service)
    app.show_settings()
    section = app.favorites.section
    assert section is not None and section.isVisibleTo(app.settings_window)
    section.list.setCurrentRow(2)
    section.up.click()
    assert [f.description for f in rules.load(Config.load())] == ["One", "Three", "Two"]
    assert section.list.currentRow() == 1
    section.rename(1, "  Third   thing ")
    assert rules.load(Config.load())[1].name == "Third thing"
    assert [a.text() for a in open_menu(app) if a.text().startswith(MARK)] == \
        [f"{MARK}One", f"{MARK}Third thing", f"{MARK}Two"]
    section.list.setCurrentRow(0)
    section.shortcut.setKeySequence("Ctrl+Alt+Shift+1")
    section.shortcut.editingFinished.emit()
    assert rules.load(Config.load())[0].shortcut == "Ctrl+Alt+Shift+1"
    assert app.hotkeys.extra == {"favorite:1": "Ctrl+Alt+Shift+1"}
    section.remove_button.click()
    assert [f.description for f in rules.load(Config.load())] == ["Three", "Two"]
    app.hotkeys.activated.emit("favorite:2")  # the shortcut starts the favorite
    qtbot.waitUntil(lambda: app.snapshot.running is not None, timeout=WAIT)
    assert app.snapshot.running.description == "Two"
    assert not any(n.title == "Not understood" for n in app.told)  # not a tray command


def test_pinning_after_the_settings_window_was_made_again_is_fine(app, emulator, qtbot):
    """`trayapp connect` (or any settings change from the command line) restarts the backend,
    which deletes the hidden settings window: its Favorites section went with it, and
    pinning once raised "Internal C++ object already deleted" from a menu click."""
    app.show_settings()
    app.settings_window.close()
    app.reload_settings()  # what the command line's change asks of the running app
    qtbot.waitUntil(lambda: app.snapshot is not None and app.snapshot.last_sync is not None,
                    timeout=WAIT)
    qtbot.wait(50)  # the old window's deleteLater runs
    project = a_project(app)
    app.favorites.pin(EntryDraft("After a restart", project.id))
    assert [f["description"] for f in app.config.favorites] == ["After a restart"]
    app.show_settings()  # a new window, its section listing the favorite
    assert app.favorites.section is not None
    assert app.favorites.section.list.count() == 1
