"""Switching workspaces keeps each workspace's cache (its projects shown at once when
switching back, before any request) and the changes not yet sent."""

from __future__ import annotations

from datetime import timedelta

from trayapp.core.models import EntryDraft, Service
from trayapp.sync.account import Account

from ..conftest import TEST_KEY


def test_each_workspace_keeps_its_catalog_and_unsent_work(emulator, tmp_path):
    with emulator.lock:
        store = emulator.clockify
        side = store.new_id()
        store.workspaces.append({"id": side, "name": "Side"})
        store.add("project", workspaceId=side, name="Side only")
    account = Account(TEST_KEY, emulator.base_url, tmp_path / "s.sqlite3",
                      sleep=lambda s: None, confirm_after=timedelta(0))
    try:
        session = account.session(Service.CLOCKIFY)
        session.sync()
        home = session.wid
        home_projects = {p.name for p in session.catalog_items("project")}
        assert "Website" in home_projects and "Side only" not in home_projects
        emulator.add_fault(kind="refuse", times=100)  # offline: the start waits
        session.start(EntryDraft("Unsent at home"))

        account.use_workspace(Service.CLOCKIFY, side)
        session = account.session(Service.CLOCKIFY)
        assert session.snapshot().pending == 1  # kept
        assert session.catalog_items("project") == []  # not asked yet: nothing of home's
        emulator.clear_faults()
        session.sync()
        assert {p.name for p in session.catalog_items("project")} == {"Side only"}

        emulator.add_fault(kind="refuse", times=100)
        emulator.clear_requests()
        account.use_workspace(Service.CLOCKIFY, home)
        session = account.session(Service.CLOCKIFY)
        assert {p.name for p in session.catalog_items("project")} == home_projects  # cached
        assert [r for r in emulator.requests if r.status] == []
        emulator.clear_faults()
        session.sync()
        sent = [x for x in emulator.clockify.entries if x["description"] == "Unsent at home"]
        assert len(sent) == 1  # sent once (to the workspace tracked in when it was sent)
    finally:
        account.close()
