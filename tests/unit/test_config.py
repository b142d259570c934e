"""Settings file: round trip, per-setting fallback, versions and upgrades, unknown keys kept,
unusable files kept aside with a message, atomic saves."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from trayapp import config as config_module
from trayapp.config import CURRENT_VERSION, LEFT_CLICK_ACTIONS, Config
from trayapp.core.models import Service


@pytest.fixture
def path(tmp_path, monkeypatch):
    target = tmp_path / "conf" / "settings.json"
    monkeypatch.setattr(Config, "path", classmethod(lambda cls: target))
    return target


def write(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(json.dumps(data), encoding="utf-8")


def stored(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


FULL = {
    "service": "clockify",
    "connections": {"toggl-track": "c-1", "clockify": "c-2"},
    "workspaces": {"clockify": "w-9"},
    "left_click": "menu",
    "hotkeys": {"toggle": "Ctrl+Alt+T"},
    "welcomed": True,
    "account": "0123456789abcdef",
    "idle_minutes": 10,
    "pomodoro": True,
    "pomodoro_focus": 50,
    "pomodoro_break": 10,
    "pomodoro_break_entries": True,
    "favorites": [{"name": "Review", "description": "Code review", "project_id": "42",
                   "task_id": None, "tags": ["dev"], "billable": True, "service": "clockify",
                   "shortcut": "Ctrl+Alt+Shift+1"}],
    "remind_minutes": 20,
    "remind_days": [0, 2, 6],
    "remind_from": "08:30",
    "remind_until": "18:00",
    "remind_hours": 3,
    "notify_timer_started": False,
    "on_sleep": "stop", "on_shutdown": "nothing", "on_lock": "nothing",
}

DEFAULTS = {"service": None, "connections": {}, "workspaces": {}, "left_click": "toggle",
            "hotkeys": {}, "welcomed": False, "account": None, "idle_minutes": 5,
            "pomodoro": False, "pomodoro_focus": 25, "pomodoro_break": 5,
            "pomodoro_break_entries": False, "favorites": [],
            "remind_minutes": 0, "remind_days": [0, 1, 2, 3, 4], "remind_from": "09:00",
            "remind_until": "17:00", "remind_hours": 0, "notify_timer_started": True,
            "on_sleep": "ask", "on_shutdown": "stop", "on_lock": "ask"}


def test_defaults_when_missing(path):
    config = Config.load()
    assert config == Config() and config.problem is None
    assert config.service is None and config.connections == {} and config.workspaces == {}
    assert config.left_click == "toggle" and config.hotkeys == {} and config.welcomed is False
    assert not path.exists()  # loading writes nothing


def test_round_trip(path):
    config = Config(**FULL)
    config.save()
    assert stored(path) == {**FULL, "version": CURRENT_VERSION}
    again = Config.load()
    assert again == config and again.problem is None
    assert again.connected() == [Service.TOGGL, Service.CLOCKIFY]


def test_defaults_are_not_shared():
    a, b = Config(), Config()
    a.connections["toggl-track"] = "x"
    a.hotkeys["stop"] = "Ctrl+S"
    assert b.connections == {} and b.hotkeys == {}


def test_assigned_values_are_saved(path):
    config = Config.load()
    config.service = Service.TOGGL.value
    config.connections[Service.TOGGL.value] = "c-1"
    config.welcomed = True
    config.save()
    loaded = Config.load()
    assert loaded.service == "toggl-track" and loaded.connections == {"toggl-track": "c-1"}
    assert loaded.welcomed is True


@pytest.mark.parametrize(("name", "bad"), [
    ("service", "nope"),
    ("service", 3),
    ("connections", 5),
    ("connections", {"nope": "c-1"}),
    ("connections", {"toggl-track": 7}),
    ("connections", {"toggl-track": "c-1\nX-Injected: 1"}),
    ("connections", {"toggl-track": "../../toggl-track/api/v9/me"}),
    ("workspaces", {"clockify": "w?x=1"}),
    ("workspaces", {"clockify": ""}),
    ("workspaces", ["w"]),
    ("workspaces", {"harvest": "w"}),
    ("left_click", "explode"),
    ("left_click", None),
    ("hotkeys", ["a"]),
    ("hotkeys", {"toggle": None}),
    ("welcomed", "yes"),
    ("welcomed", 1),
    ("account", 5),
    ("idle_minutes", -1),
    ("idle_minutes", 481),
    ("idle_minutes", 2.5),
    ("idle_minutes", True),
    ("idle_minutes", "5"),
    ("remind_minutes", -5),
    ("remind_minutes", 481),
    ("remind_days", [7]),
    ("remind_days", [1, 1]),
    ("remind_days", "mon"),
    ("remind_from", "9:00"),
    ("remind_until", "24:00"),
    ("remind_until", "12:60"),
    ("remind_hours", 25),
    ("notify_timer_started", "yes"),
    ("on_shutdown", "ask"),
    ("on_lock", True),
])
def test_an_invalid_setting_falls_back_alone(path, caplog, name, bad):
    write(path, {**FULL, name: bad, "version": CURRENT_VERSION})
    with caplog.at_level(logging.INFO, logger="trayapp.config"):
        config = Config.load()
    assert getattr(config, name) == getattr(Config(), name)
    for other, value in FULL.items():
        if other != name:
            assert getattr(config, other) == value, other
    # The user is told in one sentence naming it; the log has the value and what was expected.
    assert config.problem is not None and f"({name})" in config.problem
    assert config.problem.endswith(".") and "\n" not in config.problem
    assert any(name in r.getMessage() for r in caplog.records)
    config.save()  # the fallback replaces the bad value; everything else is unchanged
    assert stored(path) == {**FULL, name: getattr(Config(), name), "version": CURRENT_VERSION}


def test_left_click_actions_are_all_valid(path):
    for action in LEFT_CLICK_ACTIONS:
        write(path, {"left_click": action})
        assert Config.load().left_click == action


@pytest.mark.parametrize(("content", "what"), [
    (b"[]", "a list"),
    (b'"x"', "a string"),
    (b"3", "a number"),
    (b"null", "null"),
    (b"true", "a boolean"),
    (b'{"service": "clockify",', "not valid JSON"),
    (b"", "not valid JSON"),
    (bytes(range(256)) * 4, "not UTF-8"),
    (b'{"service": "clockify", "x": "caf\xe9"}', "not UTF-8"),
    (b"[" * 100_000, "not valid JSON"),
])
def test_unusable_file_gives_defaults_a_message_and_a_copy(path, content, what):
    write(path, content)
    config = Config.load()
    assert config == Config()
    assert config.problem is not None and what in config.problem
    broken = path.with_name("settings.json.broken")
    assert str(path) in config.problem and str(broken) in config.problem
    assert config.problem.count(". ") == 0 and config.problem.endswith(".")  # one sentence
    assert broken.read_bytes() == content  # kept before anything overwrites the file
    assert path.read_bytes() == content  # loading alone does not replace it
    config.welcomed = True
    config.save()
    assert stored(path) == {**DEFAULTS, "welcomed": True, "version": CURRENT_VERSION}
    assert broken.read_bytes() == content
    assert Config.load().problem is None


def test_utf8_bom_is_accepted(path):
    write(path, b"\xef\xbb\xbf" + json.dumps({"left_click": "menu"}).encode())
    config = Config.load()
    assert config.problem is None and config.left_click == "menu"


def test_unreadable_file_is_moved_aside(path):
    path.mkdir(parents=True)  # a directory where the file should be: reading fails
    config = Config.load()
    assert config == Config() and config.problem is not None
    assert "could not be read" in config.problem
    broken = path.with_name("settings.json.broken")
    assert broken.is_dir() and not path.exists() and str(broken) in config.problem
    config.save()
    assert stored(path)["version"] == CURRENT_VERSION


def test_file_that_cannot_be_copied_aside_is_not_overwritten(path, monkeypatch):
    write(path, b"not json")

    def refuse(path, raw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(config_module, "_keep_aside", refuse)
    config = Config.load()
    assert config.problem is not None and "will not be overwritten" in config.problem
    with pytest.raises(OSError):
        config.save()
    assert path.read_bytes() == b"not json"
    monkeypatch.undo()
    monkeypatch.setattr(Config, "path", classmethod(lambda cls: path))
    config.save()  # the copy can be made now: it is, then the file is replaced
    assert path.with_name("settings.json.broken").read_bytes() == b"not json"
    assert stored(path)["version"] == CURRENT_VERSION


def test_unknown_keys_survive_a_save(path):
    extra = {"theme": "dark", "future": {"nested": [1, 2, {"x": None}]}}
    write(path, {**FULL, **extra, "version": CURRENT_VERSION})
    config = Config.load()
    assert config == Config(**FULL)
    config.left_click = "quick_start"
    config.save()
    assert stored(path) == {**FULL, **extra, "left_click": "quick_start",
                            "version": CURRENT_VERSION}


def test_v1_file_upgrades_to_current(path):
    assert CURRENT_VERSION == 2
    write(path, {**FULL, "legacy": 1})  # the unversioned format: version 1
    config = Config.load()
    assert config == Config(**FULL) and config.problem is None
    config.save()
    assert stored(path) == {**FULL, "legacy": 1, "version": 2}


def test_upgrade_steps_run_in_order(path, monkeypatch):
    calls = []

    def step(n):
        def upgrade(data):
            calls.append(n)
            return {**data, "steps": [*data.get("steps", []), n]}
        return upgrade

    monkeypatch.setattr(config_module, "_UPGRADES", (step(1), step(2), step(3)))
    monkeypatch.setattr(config_module, "CURRENT_VERSION", 4)
    write(path, {"version": 2})
    config = Config.load()
    assert calls == [2, 3]
    config.save()
    assert stored(path)["steps"] == [2, 3] and stored(path)["version"] == 4


def test_failing_upgrade_is_an_unusable_file(path, monkeypatch):
    def broken_step(data):
        raise KeyError("oops")

    monkeypatch.setattr(config_module, "_UPGRADES", (broken_step,))
    write(path, {"service": "clockify"})
    config = Config.load()
    assert config == Config() and config.problem is not None
    assert "could not be upgraded from version 1" in config.problem
    assert path.with_name("settings.json.broken").exists()


def test_newer_version_is_kept_with_its_unknown_keys(path, caplog):
    newer = {**FULL, "version": 99, "theme": "dark",
             "connections": {"toggl-track": "c-1", "harvest": "h-1"}, "hotkeys": "moved"}
    write(path, newer)
    with caplog.at_level(logging.WARNING, logger="trayapp.config"):
        config = Config.load()
    assert any("99" in r.getMessage() for r in caplog.records)
    assert config.problem is None
    assert config.service == "clockify" and config.left_click == "menu"
    assert config.connections == {} and config.hotkeys == {}  # not understood: defaults
    config.save()
    assert stored(path) == newer  # nothing downgraded or dropped
    config.welcomed = False
    config.hotkeys["stop"] = "Ctrl+S"  # a setting changed here is written as set here
    config.save()
    assert stored(path) == {**newer, "welcomed": False, "hotkeys": {"stop": "Ctrl+S"}}


@pytest.mark.parametrize("version", ["2", 0, -1, True, 1.5, None])
def test_invalid_version_reads_as_current(path, version):
    write(path, {**FULL, "version": version})
    config = Config.load()
    assert config == Config(**FULL) and config.problem is None
    config.save()
    assert stored(path)["version"] == CURRENT_VERSION


def test_atomic_save_leaves_no_temp_files(path):
    config = Config(**FULL)
    for _ in range(3):
        config.save()
    assert sorted(os.listdir(path.parent)) == ["settings.json"]


def test_failed_save_raises_oserror_and_leaves_no_temp_files(path, monkeypatch):
    Config(**FULL).save()

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(config_module.os, "replace", fail)
    with pytest.raises(OSError):
        Config().save()
    assert sorted(os.listdir(path.parent)) == ["settings.json"]
    assert stored(path) == {**FULL, "version": CURRENT_VERSION}


def test_save_into_an_unwritable_place_raises_oserror(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setattr(Config, "path", classmethod(lambda cls: blocker / "settings.json"))
    with pytest.raises(OSError):
        Config().save()


def test_default_path_is_in_the_user_config_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert Config.path() == tmp_path / "xdg" / "trayapp" / "settings.json"
    Config(welcomed=True).save()
    assert Config.load().welcomed is True


def test_config_imports_neither_qt_nor_the_http_stack():
    code = ("import sys, trayapp.config; "
            "bad = [m for m in ('PySide6', 'httpx', 'trayapp.api.gateway') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("favorites", [
    [{"project_id": "../../me"}],  # goes into request paths
    [{"description": 3}],
    [{"tags": "dev"}],
    [{"billable": "yes"}],
    [{"service": "harvest"}],
    [{"colour": "red"}],  # unknown field
    [{}] * 31,  # too many
    {"name": "x"},
])
def test_favorites_that_fail_their_checks_fall_back_alone(path, favorites):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": CURRENT_VERSION, "favorites": favorites,
                                "pomodoro_focus": 0, "idle_minutes": 7}))
    config = Config.load()
    assert config.favorites == [] and config.pomodoro_focus == 25 and config.idle_minutes == 7
    assert config.problem is not None and "favorites" in config.problem
