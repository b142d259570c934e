"""Settings' accounts section with the whole app in-process against the emulator: each
connected service says which account it reaches and its workspace, and a service with two
Maton connections offers the choice; choosing one records it (sent as Maton-Connection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trayapp.core.models import Service

from ..support.whole_app import whole_app

SHOTS = Path("/tmp/trayapp-manage-screenshots")
WAIT = 10_000


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch) as tray_app:
        yield tray_app


def test_each_service_says_the_account_and_workspace_it_reaches(app, qtbot):
    app.show_settings()
    section = app.settings_window.accounts
    for service in Service:
        row = section.rows[service]
        qtbot.waitUntil(lambda r=row: r.who.isVisible() and "Account:" in r.who.text(),
                        timeout=WAIT)
        assert "Demo User" in row.who.text() and "Workspace:" in row.who.text()
        assert not row.choice.isVisible()  # one connection: nothing to choose
    SHOTS.mkdir(exist_ok=True)
    section.grab().save(str(SHOTS / "accounts.png"))


def test_two_connections_offer_a_choice_and_the_choice_is_used(app, qtbot, emulator):
    second = emulator.connection_store.make(Service.TOGGL.value, "ACTIVE")
    app.show_settings()
    section = app.settings_window.accounts
    row = section.rows[Service.TOGGL]
    qtbot.waitUntil(lambda: row.choice.isVisible() and row.choice.count() == 2,
                    timeout=WAIT)
    assert row.choice.currentData() != second
    row.choice.setCurrentIndex(row.choice.findData(second))
    row.choice.activated.emit(row.choice.currentIndex())
    qtbot.waitUntil(lambda: app.config.connections.get(Service.TOGGL.value) == second,
                    timeout=WAIT)
    qtbot.waitUntil(lambda: row.choice.currentData() == second and row.who.isVisible(),
                    timeout=WAIT)
    # The worker switches the account's connection after the choice: wait for it to do so.
    qtbot.waitUntil(lambda: app.backend.account.connection_ids[Service.TOGGL.value] == second,
                    timeout=WAIT)
