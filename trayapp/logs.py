"""Logging to the user data dir, with secrets redacted from every record, and text from
outside (descriptions, the services' messages) written only as printable characters: an
escape sequence must not act on the terminal that shows `-v` output or `tail -f`, nor a line
break forge a log line."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from .core.text import printable
from .paths import log_path

_BEARER = re.compile(r"(Bearer\s+)[^\s'\"]+", re.I)


class Redact(logging.Filter):
    """Replaces known secrets and any bearer token in a record with ***, and makes control
    characters visible."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = _BEARER.sub(r"\1***", text)
        for secret in self.secrets:
            if secret:
                clean = clean.replace(secret, "***")
        clean = printable(clean)
        if clean != text:
            record.msg, record.args = clean, None
        return True


REDACT = Redact()


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup(verbose: bool = False) -> None:
    """Log to stderr now; the file handler is added by `to_file()` once the app has shown
    its icon (logging.handlers is not worth delaying the icon for)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    _add(root, logging.StreamHandler())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO line per request is noise
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def to_file() -> None:
    import logging.handlers

    class FileLog(logging.handlers.RotatingFileHandler):
        def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's)
            """A full or read-only disk: the line is still on stderr; no traceback per line."""

    try:
        path = log_path()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _private(path)  # what was tracked, and when: this user's only
        path.chmod(0o600)  # a log an older trayapp left readable by all
        handler = FileLog(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        return  # no writable data dir: stderr only
    handler.rotator = _rotate
    _add(logging.getLogger(), handler)


def _private(path: Path) -> None:
    """Create the file readable by this user only (the handler then appends to it)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600))


def _rotate(source: str, dest: str) -> None:
    """As the handler rotates, and the next file private from its first line (the handler
    would make it with the umask's permissions)."""
    if os.path.exists(source):
        os.replace(source, dest)
    _private(Path(source))


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(REDACT)
    root.addHandler(handler)
