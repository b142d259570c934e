"""The log file on a full disk: what cannot be written is skipped, without a traceback on
stderr for every line (the line itself still reaches stderr)."""

from __future__ import annotations

import logging

from trayapp import logs

from ..support.damage import fill, small_disk


def test_a_full_disk_skips_log_lines_without_tracebacks(tmp_path, monkeypatch, capfd):
    with small_disk(tmp_path / "data", "256k") as disk:
        monkeypatch.setenv("XDG_DATA_HOME", str(disk))
        root = logging.getLogger()
        before = list(root.handlers)
        logs.to_file()
        added = [h for h in root.handlers if h not in before]
        try:
            assert len(added) == 1
            filler = fill(disk)
            for n in range(5):
                logging.getLogger("trayapp.test").warning("line %d %s", n, "x" * 5000)
            assert "Traceback" not in capfd.readouterr().err
            filler.unlink()
            logging.getLogger("trayapp.test").warning("space again")
            added[0].flush()
            assert "space again" in (disk / "trayapp" / "trayapp.log").read_text()
        finally:
            for handler in added:
                root.removeHandler(handler)
                handler.close()


def test_log_lines_hold_no_secret_and_no_control_character():
    """Descriptions and the services' messages reach the log: with `-v` it is the terminal."""
    logs.REDACT.secrets.add("sk-secret-123")
    record = logging.LogRecord("trayapp.test", logging.INFO, __file__, 1,
                               "refused %s: %s", ("sk-secret-123", "\x1b]0;pwned\x07\nFAKE"),
                               None)
    assert logs.REDACT.filter(record)
    line = record.getMessage()
    assert line == "refused ***: ?]0;pwned??FAKE"
