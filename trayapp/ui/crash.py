"""An exception nobody caught on the GUI thread (a bug): logged with its traceback and shown
once per run, in a dialog that names the log file (later ones are only logged, so a bug
that repeats cannot bury the desktop in dialogs). The app keeps running."""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ..paths import log_path

log = logging.getLogger(__name__)

_dialogs: list[QMessageBox] = []  # the one shown, kept alive while open
_told = False


def install_excepthook() -> None:
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        global _told
        log.critical("uncaught exception", exc_info=(kind, error, tb))
        if not _told and QApplication.instance() is not None:
            _told = True
            # Not from inside the code that failed: on the next turn of the event loop.
            QTimer.singleShot(0, lambda: show(kind, error))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        # exc_value is Optional in the signature, but threading passes the exception it caught.
        error = args.exc_value
        exc_info = (args.exc_type, error, args.exc_traceback) if error is not None else None
        log.critical("uncaught exception in thread %s",
                     args.thread.name if args.thread else "?", exc_info=exc_info)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def shown() -> QMessageBox | None:
    """The dialog on screen, if any."""
    return next((box for box in _dialogs if box.isVisible()), None)


def show(kind: type[BaseException], error: BaseException) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, "trayapp: unexpected error",
                      f"trayapp hit an unexpected error ({kind.__name__}) and carries on. "
                      "Your timers and changes are safe on disk.")
    box.setInformativeText(f"The details are in the log file:\n{log_path()}\n\nPlease attach "
                           "it when you report the problem.")
    box.setDetailedText(f"{kind.__name__}: {error}"[:2000])
    # Kept (not dropped when it closes: dropping the last reference while Qt tears the window
    # down at quit deletes it twice) and released before the application goes.
    _dialogs.append(box)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(_dialogs.clear)
    box.show()
    return box
