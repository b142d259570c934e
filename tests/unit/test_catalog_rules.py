"""The catalog's rules without a service: the delete confirmation's words (what each
service demands first), names found exactly but case-insensitively with suggestions, and the
order the outbox is sent in (catalog creations before entries)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trayapp.control.actions import UsageError
from trayapp.control.catalog import delete_question, find, match_row
from trayapp.core import errors as e
from trayapp.core.models import Client, Project, Service
from trayapp.store.db import OutboxItem
from trayapp.sync.catalog import catalog_first
from trayapp.sync.snapshot import Snapshot


def test_delete_question_says_what_the_service_demands():
    active = Project("1", "w", "Website")
    said = delete_question("project", active, Service.CLOCKIFY)
    assert "archived first" in said and "stay, without a project" in said
    assert "archived first" not in delete_question("project", active, Service.TOGGL)
    row = {"name": "Copy", "archived": False, "done": False}
    assert "marked done first" in delete_question("task", row, "clockify")
    assert "marked done first" not in delete_question("task", {**row, "archived": True},
                                                      "clockify")
    assert "without a client" in delete_question("client", Client("2", "w", "Acme"), "toggl-track")


def snapshot(*projects):
    return Snapshot(Service.TOGGL, projects=tuple(projects))


def test_names_exact_case_insensitive_with_client_and_suggestions():
    a = Project("1", "w", "Web", client_id="c1", client_name="Acme")
    b = Project("2", "w", "Web", client_id="c2", client_name="Beta")
    old = Project("3", "w", "Website", active=False)
    snap = snapshot(a, b, old)
    assert find(snap, "project", "beta / WEB") is b
    assert find(snap, "project", "website") is old  # archived ones are found
    with pytest.raises(UsageError, match="“Acme / Web”, “Beta / Web”"):
        find(snap, "project", "web")
    with pytest.raises(e.NotFound, match="Did you mean “Website”"):
        find(snap, "project", "Websit")
    assert match_row([{"name": "Web", "client": "Acme"}, {"name": "Web", "client": "Beta"}],
                     "acme / web") == {"name": "Web", "client": "Acme"}


def test_catalog_creations_are_sent_before_entries():
    def item(seq, action):
        return OutboxItem(seq, "toggl-track", action, f"local-{seq}", {},
                          datetime(2026, 1, 1, tzinfo=UTC))

    items = [item(1, "start"), item(2, "add client"), item(3, "update"),
             item(4, "add project"), item(5, "add tag")]
    assert [i.seq for i in catalog_first(items)] == [2, 4, 5, 1, 3]
