"""Logging to the user data dir, with secrets redacted from every record."""

from __future__ import annotations

import logging
import logging.handlers
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


def setup(verbose: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000,
                                                             backupCount=2, encoding="utf-8"))
    except OSError:
        pass
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(REDACT)
        root.addHandler(handler)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO line per request is noise
    logging.getLogger("httpcore").setLevel(logging.WARNING)
