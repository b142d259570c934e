"""A damaged store is made again, and nothing unsent vanishes silently: real files, real
damage (pages overwritten on disk), real permissions. What stays a refusal (a newer file, a
busy one, a full disk) leaves the file as it is."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest

from trayapp.core import errors as e
from trayapp.core.models import Project, TimeEntry
from trayapp.store.db import Store
from trayapp.store.rebuild import Rebuilt, open_or_rebuild
from trayapp.store.schema import SCHEMA_VERSION

from ..support.damage import checkpoint, child_pages, corrupt_page, fill, root_page, small_disk

NOW = datetime(2024, 5, 1, 9, tzinfo=UTC)
SVC = "toggl-track"


def make_store(path, outbox: int = 3) -> None:
    """A store as trayapp leaves it: two weeks of entries and a catalog (several pages each),
    an entry started offline, and changes queued for it and for an entry already sent."""
    store = Store(path)
    store.put_entries(SVC, [TimeEntry(f"e{i}", "w1", NOW - timedelta(hours=i + 1),
                                      NOW - timedelta(hours=i), description=f"Work {i} " * 20)
                            for i in range(150)])
    store.put_catalog(SVC, "project", [Project(id=f"p{i}", workspace_id="w1",
                                               name=f"Project {i} " * 10) for i in range(150)])
    with store.transaction() as db:
        store.put_entries(SVC, [TimeEntry("local-1", "w1", NOW, description="Offline")], db)
        store.map_id(SVC, "local-0", "e5", db)
        for n in range(outbox):
            action, entry_id = [("start", "local-1"), ("stop", "local-1"),
                                ("update", "local-0")][n % 3]
            store.add_outbox(SVC, action, entry_id, {"description": f"change {n} " + "x" * 200,
                                                     "at": NOW.isoformat()}, NOW, db)
    store.close()
    checkpoint(path)


def outbox_of(store: Store) -> list[tuple[int, str, str]]:
    return [(i.seq, i.action, i.entry_id) for i in store.outbox()]


def kept_files(path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if ".broken-" in p.name)


@pytest.mark.parametrize("content", [os.urandom(16384), b"Hello, this is a text file.\n" * 300],
                         ids=["random bytes", "text"])
def test_a_file_that_is_no_database_is_kept_aside_and_made_again(tmp_path, content):
    path = tmp_path / "trayapp.sqlite3"
    path.write_bytes(content)
    path.chmod(0o644)
    store, rebuilt = open_or_rebuild(path)
    try:
        assert isinstance(rebuilt, Rebuilt)
        assert store.meta("schema") == str(SCHEMA_VERSION) and store.outbox() == []
        store.set_meta("works", "yes")  # a store to use, not a refusal
    finally:
        store.close()
    kept = tmp_path / os.path.basename(rebuilt.kept)
    assert re.fullmatch(r"trayapp\.sqlite3\.broken-\d{8}T\d{6}Z", kept.name)
    assert kept.read_bytes() == content  # kept whole, never deleted
    assert kept.stat().st_mode & 0o777 == 0o600 and path.stat().st_mode & 0o777 == 0o600
    assert (rebuilt.carried, rebuilt.complete) == (0, False)
    assert str(kept) in rebuilt.message and "may still be in the kept file" in rebuilt.message
    assert "\n" not in rebuilt.message
    store, again = open_or_rebuild(path)  # made once: the next opening is a plain one
    store.close()
    assert again is None and len(kept_files(path)) == len(kept_files(kept))


@pytest.mark.parametrize("table", ["catalog", "entries"])
def test_a_damaged_page_keeps_every_unsent_change(tmp_path, table):
    path = tmp_path / "trayapp.sqlite3"
    make_store(path)
    corrupt_page(path, root_page(path, table))
    damaged = path.read_bytes()
    store, rebuilt = open_or_rebuild(path)
    try:
        assert rebuilt is not None and "damaged page" in rebuilt.reason
        assert (rebuilt.carried, rebuilt.complete) == (3, True)
        assert "Changes not yet sent, carried over: 3." in rebuilt.message
        assert outbox_of(store) == [(1, "start", "local-1"), (2, "stop", "local-1"),
                                    (3, "update", "local-0")]
        first = store.outbox()[0]
        assert first.payload["description"].startswith("change 0") and first.created == NOW
        assert store.server_id(SVC, "local-0") == "e5"  # the update still finds its entry
        carried = {x.id for x in store.entries(SVC)}
        if table == "catalog":  # the entries the changes act on come along
            assert carried == {"local-1", "e5"}
        assert store.catalog(SVC, "project") == []  # the cache comes back from the server
    finally:
        store.close()
    kept = path.parent / os.path.basename(rebuilt.kept)
    assert kept.read_bytes() == damaged
    for name in kept_files(path):
        assert (path.parent / name).stat().st_mode & 0o777 == 0o600, name


def test_a_damaged_outbox_page_loses_only_that_page_and_says_so(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_store(path, outbox=60)  # spread over several pages
    leaves = child_pages(path, root_page(path, "outbox"))
    corrupt_page(path, leaves[1])
    store, rebuilt = open_or_rebuild(path)
    try:
        seqs = [seq for seq, _action, _id in outbox_of(store)]
    finally:
        store.close()
    assert rebuilt is not None and not rebuilt.complete
    assert 0 < rebuilt.carried == len(seqs) < 60
    assert seqs == sorted(seqs) and seqs[0] == 1 and seqs[-1] == 60  # both sides of the hole
    assert "may still be in the kept file" in rebuilt.message


def test_an_unreadable_outbox_says_its_changes_may_be_in_the_kept_file(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_store(path)
    corrupt_page(path, root_page(path, "outbox"))
    store, rebuilt = open_or_rebuild(path)
    store.close()
    assert rebuilt is not None and (rebuilt.carried, rebuilt.complete) == (0, False)
    assert rebuilt.kept in rebuilt.message and "may still be in the kept file" in rebuilt.message


def test_a_file_from_a_newer_trayapp_is_refused_not_rebuilt(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_store(path)
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    db.commit()
    db.close()
    checkpoint(path)
    before = path.read_bytes()
    with pytest.raises(e.LocalDataError) as caught:
        open_or_rebuild(path)
    assert "newer trayapp" in caught.value.message
    assert path.read_bytes() == before and kept_files(path) == []


def test_a_busy_file_is_refused_not_rebuilt(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_store(path)
    other = sqlite3.connect(path, timeout=0)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")  # in WAL mode, readers are kept out too
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(e.LocalDataError) as caught:
            open_or_rebuild(path, wait=0.2)
        assert "busy" in caught.value.message and caught.value.transient
    finally:
        other.rollback()
        other.close()
    assert kept_files(path) == []
    store, rebuilt = open_or_rebuild(path)
    assert rebuilt is None and len(store.outbox()) == 3
    store.close()


def test_damage_found_while_in_use_is_typed_and_made_good_at_the_next_opening(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_store(path)
    store = Store(path)
    corrupt_page(path, root_page(path, "entries"))
    other = sqlite3.connect(path)  # another change: the store reads its pages afresh
    other.execute("INSERT INTO meta VALUES ('other', 'change')")
    other.commit()
    other.close()
    with pytest.raises(e.LocalDataError) as caught:
        store.entries(SVC)
    store.close()
    assert "damaged" in caught.value.message and "keeps the file aside" in caught.value.text
    store, rebuilt = open_or_rebuild(path)
    store.close()
    assert rebuilt is not None and rebuilt.carried == 3


def test_two_processes_finding_the_damage_make_the_store_once(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_store(path)
    corrupt_page(path, root_page(path, "entries"))
    barrier, results = threading.Barrier(2), []

    def open_it() -> None:
        barrier.wait(5)
        store, rebuilt = open_or_rebuild(path)
        results.append((rebuilt, len(store.outbox())))
        store.close()

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(r is None for r, _ in results) == [False, True]
    assert [n for _, n in results] == [3, 3]  # nobody kept the new store aside again
    assert len([n for n in kept_files(path) if n.endswith("Z")]) == 1


def test_a_full_disk_leaves_the_damaged_file_for_the_next_run(tmp_path):
    with small_disk(tmp_path / "disk", "4m") as disk:
        path = disk / "trayapp.sqlite3"
        make_store(path)
        corrupt_page(path, root_page(path, "catalog"))
        damaged = path.read_bytes()
        filler = fill(disk)
        with pytest.raises(e.LocalDataError) as caught:
            open_or_rebuild(path)
        assert "cannot be used" in caught.value.message
        assert path.read_bytes() == damaged  # nothing moved, nothing half made
        assert not [p.name for p in disk.iterdir()
                    if ".broken-" in p.name or ".rebuilding" in p.name]
        filler.unlink()  # space again: the next run makes it good
        store, rebuilt = open_or_rebuild(path)
        store.close()
        assert rebuilt is not None and rebuilt.carried == 3
