"""The app's end of the command socket refuses a folder that is not ours alone: it logs why
and claims nothing (no tray on it), without a traceback."""

from __future__ import annotations

import logging

from trayapp.platform.single_instance import InstanceServer


def test_a_socket_folder_that_is_a_link_is_not_claimed(qapp, tmp_path, monkeypatch, caplog):
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (runtime / "trayapp").symlink_to(tmp_path / "elsewhere")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    server = InstanceServer()
    try:
        with caplog.at_level(logging.ERROR):
            assert server.claim() is False
        assert not server.listening
        assert not list((tmp_path / "elsewhere").iterdir())  # no socket, no lock through it
        assert any("not a plain folder" in r.getMessage() for r in caplog.records)
    finally:
        server.close()
