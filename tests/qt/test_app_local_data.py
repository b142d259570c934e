"""The app on a damaged store: it starts on a new one made from the server, and tells the user
where the damaged file was kept."""

from __future__ import annotations

from trayapp.paths import store_path

from ..conftest import TEST_KEY
from .test_app import messages, start_app  # noqa: F401 (a fixture)


def test_a_damaged_store_is_made_again_and_the_user_told_where_it_was_kept(
        qtbot, emulator, monkeypatch, messages):  # noqa: F811
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all\n" * 200)
    app = start_app(monkeypatch, emulator, TEST_KEY)
    try:
        qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync), timeout=10_000)
        told = [text for title, text in messages if title == "Local data rebuilt"]
        assert len(told) == 1 and f"{path}.broken-" in told[0]
        assert app.snapshot.entries  # reloaded from the server
    finally:
        app.shutdown()
    assert [p.read_bytes()[:21] for p in path.parent.glob("*.broken-*Z")] == [
        b"not a database at all"]


def test_a_full_disk_refuses_a_start_plainly_and_the_next_one_works(
        qtbot, emulator, monkeypatch, messages, tmp_path, capfd):  # noqa: F811
    from trayapp.core.models import EntryDraft

    from ..support.damage import fill, small_disk

    with small_disk(tmp_path / "xdg-data", "4m") as disk:
        app = start_app(monkeypatch, emulator, TEST_KEY)
        try:
            qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync),
                            timeout=10_000)
            filler = fill(disk)
            app.tray.start(EntryDraft("Not saved"))
            qtbot.waitUntil(lambda: any("disk is full" in text for _, text in messages),
                            timeout=10_000)
            assert app.snapshot.running is None  # the prediction was taken back
            filler.unlink()
            app.tray.start(EntryDraft("Saved"))
            qtbot.waitUntil(lambda: [x["description"] for x in emulator.toggl.entries
                                     if x["stop"] is None] == ["Saved"], timeout=10_000)
        finally:
            app.shutdown()
    assert "Traceback" not in capfd.readouterr().err
