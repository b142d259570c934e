"""Files that say what the user tracked are theirs only, whatever the umask: the store, its
write-ahead log and shared memory, the backup made before an upgrade, the settings, the log
and their folders. A symbolic link in place of the store, its folder or the settings is never
followed: refused in one sentence, the link and its target left as they are."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat

import pytest

from trayapp import logs
from trayapp.config import Config
from trayapp.core import errors as e
from trayapp.store.db import Store
from trayapp.store.rebuild import open_or_rebuild

from .test_store import make_v1

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture
def lax_umask():
    """The most common umask: files 0644 and folders 0755 unless made otherwise."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_the_store_its_log_and_its_backup_are_private(tmp_path, lax_umask):
    folder = tmp_path / "data" / "trayapp"
    path = folder / "trayapp.sqlite3"
    store = Store(path)
    store.set_meta("k", "v")  # open, written: the -wal and -shm files exist now
    with store.sender():
        pass
    try:
        found = {p.name: mode(p) for p in folder.iterdir()}
        assert found == {"trayapp.sqlite3": 0o600, "trayapp.sqlite3-wal": 0o600,
                         "trayapp.sqlite3-shm": 0o600, "trayapp.sqlite3.send-lock": 0o600}
        assert mode(folder) == 0o700
    finally:
        store.close()
    old = tmp_path / "old" / "trayapp.sqlite3"
    old.parent.mkdir()
    make_v1(old)
    Store(old).close()  # upgraded, after a backup
    assert mode(old.parent / "trayapp.sqlite3.v1.bak") == 0o600


def test_settings_and_their_folder_are_private(tmp_path, monkeypatch, lax_umask):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    Config(welcomed=True).save()
    assert mode(Config.path()) == 0o600 and mode(Config.path().parent) == 0o700
    Config.path().parent.chmod(0o755)  # as an older trayapp left it
    Config(welcomed=True).save()
    assert mode(Config.path().parent) == 0o700


def test_the_log_is_private_also_after_it_rotates(tmp_path, monkeypatch, lax_umask):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    root = logging.getLogger()
    before = list(root.handlers)
    logs.to_file()
    added = [h for h in root.handlers if h not in before]
    try:
        assert len(added) == 1
        handler = added[0]
        assert isinstance(handler, logging.FileHandler)
        logging.getLogger("trayapp.test").warning("what was tracked")
        handler.doRollover()  # as when it reaches its size
        logging.getLogger("trayapp.test").warning("and after")
        handler.flush()
        folder = tmp_path / "data" / "trayapp"
        assert {p.name: mode(p) for p in folder.iterdir()} == {"trayapp.log": 0o600,
                                                               "trayapp.log.1": 0o600}
        assert mode(folder) == 0o700
    finally:
        for handler in added:
            root.removeHandler(handler)
            handler.close()


# -- symbolic links -----------------------------------------------------------------------------


@pytest.fixture
def elsewhere(tmp_path):
    """A store somewhere else (what a link would lead to), readable by all as it was made."""
    target = tmp_path / "elsewhere" / "other.sqlite3"
    target.parent.mkdir()
    db = sqlite3.connect(target)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("INSERT INTO notes VALUES ('not trayapp''s')")
    db.commit()
    db.close()
    target.chmod(0o644)
    return target


@pytest.mark.parametrize("link", ["the store", "its folder", "its log", "dangling"])
def test_a_link_in_place_of_the_store_is_refused_and_left_alone(tmp_path, elsewhere, link):
    folder = tmp_path / "data" / "trayapp"
    path = folder / "trayapp.sqlite3"
    if link == "its folder":
        folder.parent.mkdir()
        folder.symlink_to(elsewhere.parent, target_is_directory=True)
        placed, points_to = folder, elsewhere.parent
    else:
        folder.mkdir(parents=True)
        placed = {"the store": path, "its log": folder / "trayapp.sqlite3-wal",
                  "dangling": path}[link]
        points_to = tmp_path / "nowhere" if link == "dangling" else elsewhere
        placed.symlink_to(points_to)
    before = elsewhere.read_bytes(), mode(elsewhere), sorted(os.listdir(elsewhere.parent))
    with pytest.raises(e.LocalDataError) as caught:
        open_or_rebuild(path)
    assert "symbolic link" in caught.value.message and "\n" not in caught.value.text
    assert placed.is_symlink() and os.readlink(placed) == str(points_to)
    assert (elsewhere.read_bytes(), mode(elsewhere),
            sorted(os.listdir(elsewhere.parent))) == before
    assert not (tmp_path / "nowhere").exists()


def test_settings_are_not_written_through_a_link(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    target = tmp_path / "dotfiles" / "settings.json"
    target.parent.mkdir()
    target.write_text('{"left_click": "menu"}', encoding="utf-8")
    Config.path().parent.mkdir(parents=True)
    Config.path().symlink_to(target)
    config = Config.load()  # reading through it is harmless
    assert config.left_click == "menu" and config.problem is None
    config.welcomed = True
    with pytest.raises(OSError) as caught:
        config.save()
    assert "symbolic link" in str(caught.value.strerror)
    assert Config.path().is_symlink() and os.readlink(Config.path()) == str(target)
    assert target.read_text(encoding="utf-8") == '{"left_click": "menu"}'
    assert sorted(os.listdir(Config.path().parent)) == ["settings.json"]  # no temp left


def test_a_link_to_a_folder_in_place_of_the_settings_is_not_moved(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    target = tmp_path / "somewhere"
    target.mkdir()
    Config.path().parent.mkdir(parents=True)
    Config.path().symlink_to(target, target_is_directory=True)
    config = Config.load()
    assert config.problem is not None and "will not be overwritten" in config.problem
    with pytest.raises(OSError):
        config.save()
    assert Config.path().is_symlink() and target.is_dir() and os.listdir(target) == []


def test_the_backup_before_an_upgrade_is_not_written_through_a_link(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_v1(path)
    (tmp_path / "trayapp.sqlite3.v1.bak.partial").symlink_to(tmp_path / "elsewhere")
    Store(path).close()
    assert not (tmp_path / "elsewhere").exists()
    assert mode(tmp_path / "trayapp.sqlite3.v1.bak") == 0o600
