"""Open a web page in the user's browser, also from a PyInstaller bundle.

A bundle sets LD_LIBRARY_PATH to its own libraries; a browser started with that environment
may crash or refuse to start. PyInstaller keeps the original in LD_LIBRARY_PATH_ORIG, so it is
put back for the moment the browser is launched."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


@contextmanager
def host_environment() -> Iterator[None]:
    if not getattr(sys, "frozen", False) or not sys.platform.startswith("linux"):
        yield
        return
    saved = os.environ.get("LD_LIBRARY_PATH")
    original = os.environ.get("LD_LIBRARY_PATH_ORIG")
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = saved


def open_url(url: str) -> bool:
    with host_environment():
        return QDesktopServices.openUrl(QUrl(url))
