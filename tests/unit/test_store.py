"""The store's file across versions: a new file, an upgrade from version 1 (with its backup),
a file from a newer trayapp and one that is no database at all, both left untouched."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest

from trayapp.core import errors as e
from trayapp.core.models import Task, TimeEntry
from trayapp.store import schema
from trayapp.store.db import Store
from trayapp.store.schema import SCHEMA_VERSION

# Version 1 exactly as it shipped (trayapp/store/db.py before the schema was versioned): a
# frozen copy, so this test keeps describing real old files when SCHEMA moves on.
V1_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    service TEXT NOT NULL, id TEXT NOT NULL, workspace_id TEXT NOT NULL,
    start TEXT NOT NULL, stop TEXT, description TEXT NOT NULL DEFAULT '',
    project_id TEXT, task_id TEXT, tag_ids TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]', billable INTEGER NOT NULL DEFAULT 0,
    user_id TEXT, PRIMARY KEY (service, id));
CREATE INDEX IF NOT EXISTS entries_start ON entries (service, start);
CREATE TABLE IF NOT EXISTS catalog (
    service TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (service, kind, id));
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, service TEXT NOT NULL, action TEXT NOT NULL,
    entry_id TEXT NOT NULL, payload TEXT NOT NULL, created TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, tried_at TEXT, error TEXT, error_title TEXT);
CREATE TABLE IF NOT EXISTS id_map (
    service TEXT NOT NULL, local_id TEXT NOT NULL, server_id TEXT NOT NULL,
    PRIMARY KEY (service, local_id));
"""

TASK = {"id": "t1", "project_id": "p1", "name": "Homepage", "active": True, "billable": False}
PROJECT = {"id": "p1", "workspace_id": "w1", "name": "Website", "color": "#0b83d9",
           "client_id": None, "client_name": None, "active": True, "billable": False}


def make_v1(path, keep_open: bool = False) -> sqlite3.Connection | None:
    """A version 1 file as trayapp 1 left it: WAL mode, a task, a project, an unsent start."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(V1_SCHEMA)
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    db.execute("INSERT INTO catalog VALUES ('clockify', 'task', 't1', ?)", (json.dumps(TASK),))
    db.execute("INSERT INTO catalog VALUES ('clockify', 'project', 'p1', ?)",
               (json.dumps(PROJECT),))
    db.execute("INSERT INTO entries (service, id, workspace_id, start, description) "
               "VALUES ('clockify', 'local-1', 'w1', '2024-05-01T09:00:00+00:00', 'Writing')")
    db.execute("INSERT INTO outbox (service, action, entry_id, payload, created) "
               "VALUES ('clockify', 'start', 'local-1', '{}', '2024-05-01T09:00:00+00:00')")
    if keep_open:
        return db
    db.close()
    return None


def columns(path, table: str) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    finally:
        db.close()


def version_of(path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0]
    finally:
        db.close()


def test_a_new_file_and_memory_get_the_current_version(tmp_path):
    assert SCHEMA_VERSION == 3
    path = tmp_path / "new" / "trayapp.sqlite3"
    Store(path).close()
    assert version_of(path) == str(SCHEMA_VERSION)
    assert "parent_id" in columns(path, "catalog")
    assert list(tmp_path.glob("new/*.bak")) == []  # nothing to back up
    memory = Store(":memory:")
    assert memory.meta("schema") == str(SCHEMA_VERSION)
    memory.close()


def test_a_v1_file_is_upgraded_keeping_its_rows_and_a_v1_backup(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    writer = make_v1(path, keep_open=True)  # its last writes are still in the WAL only
    store = Store(path)
    assert store.meta("schema") == str(SCHEMA_VERSION) == "3"
    assert "held" in columns(path, "outbox")
    assert store.catalog("clockify", "task") == [Task(**TASK)]
    assert [p.name for p in store.catalog("clockify", "project")] == ["Website"]
    assert [x.description for x in store.entries("clockify")] == ["Writing"]
    assert [(i.action, i.entry_id) for i in store.outbox()] == [("start", "local-1")]
    raw = sqlite3.connect(path)
    assert dict(raw.execute("SELECT kind, parent_id FROM catalog").fetchall()) == {
        "task": "p1", "project": None}
    # The backup beside it is the file as it was: version 1, every row, no new column.
    backup = tmp_path / "trayapp.sqlite3.v1.bak"
    assert version_of(backup) == "1"
    assert "parent_id" not in columns(backup, "catalog")
    old = sqlite3.connect(backup)
    assert old.execute("SELECT count(*) FROM catalog").fetchone()[0] == 2
    assert old.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1
    assert not list(tmp_path.glob("*.partial"))
    for db in (raw, old, writer):
        assert db is not None
        db.close()
    store.close()
    Store(path).close()  # opening it again changes nothing
    assert version_of(path) == str(SCHEMA_VERSION) and version_of(backup) == "1"


def test_tasks_are_replaced_per_project_through_the_new_column(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    make_v1(path)
    store = Store(path)  # t1 of p1 comes from version 1, its parent_id from the upgrade
    other = Task("t9", "p2", "Other project's task")
    with store.transaction() as db:
        store.put_catalog("clockify", "task", [other], db=db)
        store.replace_tasks("clockify", "p1", [Task("t2", "p1", "Blog")], db)
    assert {t.id for t in store.catalog("clockify", "task")} == {"t2", "t9"}
    store.close()


def test_a_failed_upgrade_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE catalog ADD COLUMN parent_id TEXT")  # half-way, then:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(schema, "UPGRADES", [broken])
    path = tmp_path / "trayapp.sqlite3"
    make_v1(path)
    with pytest.raises(RuntimeError):
        Store(path)
    assert version_of(path) == "1"
    assert "parent_id" not in columns(path, "catalog")


def test_a_file_from_a_newer_trayapp_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE catalog (whatever TEXT)")
    db.execute("INSERT INTO meta VALUES ('schema', '99')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(e.LocalDataError) as caught:
        Store(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.glob("trayapp.sqlite3*")] == ["trayapp.sqlite3"]  # no WAL
    error = caught.value
    assert error.title == "Local data unusable"
    assert "newer trayapp" in error.message and "99" in error.message
    assert error.hint and isinstance(error, e.TrackerError)


def test_a_file_that_is_no_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "trayapp.sqlite3"
    path.write_bytes(b"these are not the pages you are looking for" * 100)
    before = path.read_bytes()
    with pytest.raises(e.LocalDataError) as caught:
        Store(path)
    assert path.read_bytes() == before
    assert "not a trayapp database" in caught.value.message
    assert "keeps the file aside" in caught.value.text  # see test_rebuild.py


def test_forgetting_a_service_keeps_what_only_this_file_has():
    store = Store(":memory:")
    start = datetime(2024, 5, 1, 9, tzinfo=UTC)
    with store.transaction() as db:
        store.put_entries("clockify", [TimeEntry("local-1", "w1", start),
                                       TimeEntry("server-1", "w1", start)], db)
        store.put_entries("toggl-track", [TimeEntry("server-2", "w1", start)], db)
        store.put_catalog("clockify", "task", [Task(**TASK)], db=db)
        store.add_outbox("clockify", "start", "local-1", {}, start, db)
        store.set_meta("clockify:last_sync", "2024-05-01T09:00:00Z", db)
        store.set_meta("clockify:user", "u1", db)
    with store.transaction() as db:
        store.forget_service("clockify", "w2", db)
    assert [x.id for x in store.entries("clockify")] == ["local-1"]  # not yet sent: kept
    assert [x.id for x in store.entries("toggl-track")] == ["server-2"]  # another service
    assert store.catalog("clockify", "task") == []
    assert len(store.outbox("clockify")) == 1
    assert store.meta("clockify:last_sync") is None and store.meta("clockify:user") is None
    assert store.meta("clockify:workspace") == "w2"
    store.close()


def test_folding_into_an_unsent_start_is_store_methods():
    store = Store(":memory:")
    start = datetime(2024, 5, 1, 9, tzinfo=UTC)
    with store.transaction() as db:
        seq = store.add_outbox("clockify", "start", "local-1", {}, start, db)
    store.mark_outbox(seq, error="Bad project", title="Request refused", attempt=False)
    with store.transaction() as db:
        store.set_outbox_action(seq, "create", db)
        store.clear_outbox_error(seq, db)
    item = store.outbox_item(seq)
    assert item is not None
    assert (item.action, item.error, item.error_title, item.attempts) == ("create", None,
                                                                         None, 0)
    store.close()


def test_a_place_that_cannot_hold_the_store_is_a_clear_error(tmp_path):
    with pytest.raises(e.LocalDataError) as info:
        Store(tmp_path)  # a folder where the file should be
    assert str(tmp_path) in info.value.message and "writable" in info.value.text
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(e.LocalDataError):
        Store(blocker / "trayapp.sqlite3")


def test_the_store_is_private_to_its_user(tmp_path):
    path = tmp_path / "data" / "trayapp.sqlite3"
    Store(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_held_changes_stay_held_until_released(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    with store.transaction() as db:
        first = store.add_outbox("toggl-track", "start", "local-1", {}, datetime.now(UTC), db)
    mark = store.last_outbox_seq()
    with store.transaction() as db:
        later = store.add_outbox("toggl-track", "stop", "local-1", {}, datetime.now(UTC), db)
    assert store.hold_outbox("Held", "why", mark) == 1
    held, free = store.outbox()
    assert (held.seq, held.held, held.error_title) == (first, True, "Held")
    assert (free.seq, free.held, free.error_title) == (later, False, None)
    store.clear_outbox_error(first)  # fixing a refused change does not release a held one
    assert store.outbox()[0].held and store.outbox()[0].error_title == "Held"
    store.release_outbox(first)
    assert not store.outbox()[0].held and store.outbox()[0].error_title is None
    store.close()


def test_a_damaged_record_is_a_local_data_error(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    store.put_entries("toggl-track", [TimeEntry("1", "w", datetime.now(UTC))])
    store.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE entries SET start='not a time'")
    db.commit()
    db.close()
    store = Store(path)
    with pytest.raises(e.LocalDataError) as info:
        store.entries("toggl-track")
    assert "damaged" in info.value.message and info.value.needs_user
    store.close()


def test_a_file_locked_by_another_program_is_a_passing_problem(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = Store(path, wait=0.1)
    other = sqlite3.connect(path, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(e.LocalDataError) as info:
            store.set_meta("k", "v")
        assert info.value.transient and not info.value.needs_user
    finally:
        other.rollback()
        other.close()
        store.close()


def test_an_old_store_readable_by_all_is_made_private(tmp_path):
    path = tmp_path / "data" / "trayapp.sqlite3"
    Store(path).close()
    path.chmod(0o644)
    path.parent.chmod(0o755)
    Store(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_unnumbered_ids_are_the_entries_made_here_of_one_service():
    store = Store(":memory:")
    start = datetime(2024, 5, 1, 9, tzinfo=UTC)
    with store.transaction() as db:
        store.put_entries("clockify", [TimeEntry("local-1", "w1", start),
                                       TimeEntry("server-1", "w1", start),
                                       TimeEntry("xlocal-2", "w1", start)], db)
        store.put_entries("toggl-track", [TimeEntry("local-3", "w1", start)], db)
    assert store.unnumbered_ids("clockify") == {"local-1"}
    store.close()
