"""Favorites' rules: pinned once per service, moved, renamed, removed, numbered for their
shortcuts, and labelled when their project is gone."""

from __future__ import annotations

from trayapp.config import FAVORITES_MAX, Config
from trayapp.control import favorites as rules
from trayapp.core.models import EntryDraft, Service


def test_pin_once_per_service_and_not_past_the_limit():
    config = Config()
    assert rules.pin(config, EntryDraft("Review", "42", None, ("dev",), True), Service.TOGGL)
    assert not rules.pin(config, EntryDraft("Review", "42", None, ("dev",)), Service.TOGGL)
    assert rules.pin(config, EntryDraft("Review", "42", None, ("dev",)), Service.CLOCKIFY)
    assert config.favorites[0] == {"name": "", "description": "Review", "project_id": "42",
                                   "task_id": None, "tags": ["dev"], "billable": True,
                                   "service": "toggl-track", "shortcut": ""}
    assert [f.service for _, f in rules.shown(config, Service.CLOCKIFY)] == ["clockify"]
    for n in range(FAVORITES_MAX - 2):
        assert rules.pin(config, EntryDraft(f"n{n}"), None)
    assert not rules.pin(config, EntryDraft("one too many"), None)


def test_move_rename_remove_and_shortcuts():
    config = Config()
    for name in ("a", "b", "c"):
        rules.pin(config, EntryDraft(name), Service.TOGGL)
    assert rules.move(config, 0, -1) == 0 and rules.move(config, 2, 1) == 2
    assert rules.move(config, 2, -1) == 1
    assert [f.description for f in rules.load(config)] == ["a", "c", "b"]
    rules.rename(config, 1, "  See\n  you ")
    rules.change(config, 2, shortcut="Ctrl+Alt+Shift+2")
    assert rules.load(config)[1].name == "See you"
    assert rules.bindings(config) == {"favorite:3": "Ctrl+Alt+Shift+2"}
    assert rules.by_action(config, "favorite:3").description == "b"
    assert rules.by_action(config, "favorite:4") is None
    assert rules.by_action(config, "favorite:x") is None and rules.by_action(config, "stop") is None
    rules.remove(config, 0)
    rules.remove(config, 9)
    assert [f.label() for f in rules.load(config)] == ["See you", "b"]


def test_labels_say_when_the_project_is_gone():
    gone = rules.Favorite("Old work", project_id="77", tags=("x",), billable=True)
    assert gone.label() == "Old work · (project gone)  #x  $"
    assert rules.Favorite(project_id="77").label() == "(project gone)"
    assert rules.Favorite().label() == "(no description)"
