"""Logging to the user data dir, with secrets redacted from every record."""

from __future__ import annotations

import logging
import re

from .paths import log_path

_BEARER = re.compile(r"(Bearer\s+)[^\s'\"]+", re.I)


class Redact(logging.Filter):
    """Replaces known secrets and any bearer token in a record with ***."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = _BEARER.sub(r"\1***", text)
        for secret in self.secrets:
            if secret:
                clean = clean.replace(secret, "***")
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

    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2,
                                                       encoding="utf-8")
        path.chmod(0o600)  # what was tracked, and when: this user's only
    except OSError:
        return  # no writable data dir: stderr only
    _add(logging.getLogger(), handler)


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(REDACT)
    root.addHandler(handler)
