"""Broken local files, end to end on the command line (one-shot, no app): a damaged store is
made again from the server and its unsent changes still reach it; a newer or busy store, a
read-only or full disk, a link in place of the store are refused in one line (exit 1), with
nothing saved lost and the next run working; settings that cannot be used are one line."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from ..support.damage import checkpoint, corrupt_page, fill, remount, root_page, small_disk
from ..support.e2e import cli

OFFLINE = "http://127.0.0.1:9"  # nothing listens there: refused at once


def store_of(home):
    return home / "data" / "trayapp" / "trayapp.sqlite3"


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr and stderr.count("\n") == 1, stderr
    assert stderr.startswith("trayapp: "), stderr
    return stderr


def descriptions(emulator, running: bool | None = None) -> list[str]:
    return [x["description"] for x in emulator.toggl.entries
            if not x.get("server_deleted_at")
            and (running is None or (x["stop"] is None) == running)]


def queue_offline(home, *descriptions_: str) -> None:
    for description in descriptions_:
        out = cli(home, OFFLINE, "start", description)
        assert out.returncode == 75, out.stderr


def test_a_damaged_store_is_made_again_and_its_unsent_changes_still_sent(home, emulator):
    assert cli(home, emulator.base_url, "status").returncode == 0  # a cache worth having
    queue_offline(home, "Written offline", "Then this")
    path = store_of(home)
    checkpoint(path)
    corrupt_page(path, root_page(path, "entries"))

    out = cli(home, emulator.base_url, "status", "--json")
    assert out.returncode == 0, out.stderr
    line = one_line(out.stderr)
    assert line.startswith("trayapp: Local data rebuilt: ")
    assert "carried over: 2" in line  # the first start became a create when the next came
    kept = [p for p in path.parent.iterdir() if p.name.startswith("trayapp.sqlite3.broken-")
            and p.name.endswith("Z")]
    assert len(kept) == 1 and str(kept[0]) in line
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    status = json.loads(out.stdout)
    assert status["pending"] == 0 and status["problems"] == []
    assert status["running"] and status["entry"]["description"] == "Then this"
    assert descriptions(emulator, running=True) == ["Then this"]
    assert "Written offline" in descriptions(emulator, running=False)

    out = cli(home, emulator.base_url, "status")  # made once
    assert out.returncode == 0 and out.stderr == ""


@pytest.mark.parametrize("content", [os.urandom(20000), b"just some text\n" * 500],
                         ids=["random bytes", "text"])
def test_a_file_that_is_no_database_is_made_again_from_the_server(home, emulator, content):
    path = store_of(home)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    out = cli(home, emulator.base_url, "status", "--json")
    assert out.returncode == 0, out.stderr
    line = one_line(out.stderr)
    assert "kept as" in line and "may still be in the kept file" in line
    assert json.loads(out.stdout)["today_seconds"] > 0  # the cache came back from the server
    kept = [p for p in path.parent.iterdir() if ".broken-" in p.name and p.name.endswith("Z")]
    assert [p.read_bytes() for p in kept] == [content]


def test_a_store_from_a_newer_trayapp_is_refused_and_left_as_it_is(home, emulator):
    assert cli(home, emulator.base_url, "status").returncode == 0
    path = store_of(home)
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    db.commit()
    db.close()
    checkpoint(path)
    before = path.read_bytes()
    out = cli(home, emulator.base_url, "status")
    assert out.returncode == 1 and "newer trayapp" in one_line(out.stderr)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if ".broken-" in p.name]


def test_a_busy_store_is_refused_in_one_line_and_the_next_run_works(home, emulator):
    assert cli(home, emulator.base_url, "status").returncode == 0
    other = sqlite3.connect(store_of(home), timeout=0)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        out = cli(home, emulator.base_url, "start", "While busy")  # waits 5 s for it
        assert out.returncode == 1 and "busy" in one_line(out.stderr)
    finally:
        other.rollback()
        other.close()
    assert "While busy" not in descriptions(emulator)
    assert cli(home, emulator.base_url, "start", "After").returncode == 0


def test_a_read_only_data_folder_refuses_plainly_and_keeps_what_was_saved(home, emulator):
    with small_disk(home / "data", "4m") as disk:
        queue_offline(home, "Saved before")
        remount(disk, "ro")
        try:
            out = cli(home, emulator.base_url, "start", "Not saved")
            assert out.returncode == 1 and "read-only" in one_line(out.stderr)
            out = cli(home, emulator.base_url, "stop")
            assert out.returncode == 1 and "read-only" in one_line(out.stderr)
        finally:
            remount(disk, "rw")
        out = cli(home, emulator.base_url, "status", "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["pending"] == 0
        assert descriptions(emulator, running=True) == ["Saved before"]
        assert "Not saved" not in descriptions(emulator)


def test_a_full_disk_refuses_plainly_and_the_next_run_works(home, emulator):
    with small_disk(home / "data", "4m") as disk:
        assert cli(home, emulator.base_url, "status").returncode == 0
        queue_offline(home, "Saved before")
        filler = fill(disk)
        out = cli(home, emulator.base_url, "start", "Not saved")
        assert out.returncode == 1 and "disk is full" in one_line(out.stderr)
        out = cli(home, emulator.base_url, "stop")
        assert out.returncode == 1 and "disk is full" in one_line(out.stderr)
        filler.unlink()
        out = cli(home, emulator.base_url, "status", "--json")
        assert out.returncode == 0, out.stderr
        status = json.loads(out.stdout)
        assert status["pending"] == 0 and status["entry"]["description"] == "Saved before"
        assert descriptions(emulator, running=True) == ["Saved before"]
        assert "Not saved" not in descriptions(emulator)


@pytest.mark.parametrize("content", [
    b"[1, 2]",
    json.dumps({"service": 5, "left_click": "boom", "hotkeys": [1]}).encode(),
    '{"left_click": "menü"}'.encode("latin-1"),
], ids=["not an object", "invalid values", "not UTF-8"])
def test_settings_that_cannot_be_used_are_one_line(home, emulator, content):
    settings = home / "config" / "trayapp" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_bytes(content)
    out = cli(home, emulator.base_url, "status")
    assert out.returncode == 0 and out.stdout.startswith("Not tracking")
    assert one_line(out.stderr).startswith(f"trayapp: The settings file {settings} ")
    out = cli(home, emulator.base_url, "status")  # saved since: the defaults, said once
    assert out.returncode == 0 and out.stderr == ""


def test_a_link_in_place_of_the_store_is_refused_and_left_alone(home, emulator, tmp_path):
    target = tmp_path / "elsewhere.sqlite3"
    db = sqlite3.connect(target)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.commit()
    db.close()
    target.chmod(0o644)
    before = target.read_bytes()
    path = store_of(home)
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    out = cli(home, emulator.base_url, "start", "Through a link")
    assert out.returncode == 1 and "symbolic link" in one_line(out.stderr)
    assert path.is_symlink() and os.readlink(path) == str(target)
    assert target.read_bytes() == before and stat.S_IMODE(target.stat().st_mode) == 0o644
    assert "Through a link" not in descriptions(emulator)


def test_settings_are_not_written_through_a_link(home, emulator, tmp_path):
    target = tmp_path / "dotfiles" / "settings.json"
    target.parent.mkdir()
    target.write_text("{}", encoding="utf-8")
    settings = home / "config" / "trayapp" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.symlink_to(target)
    out = cli(home, emulator.base_url, "status")  # finds the connections, would save them
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "symbolic link" in out.stderr
    assert settings.is_symlink() and os.readlink(settings) == str(target)
    assert target.read_text(encoding="utf-8") == "{}"
