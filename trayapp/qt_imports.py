"""Imported right after PySide6 on the way to the GUI (gui.py): undo PySide6's import hook.

Importing PySide6.QtCore replaces `builtins.__import__` with a hook for its opt-in
`from __feature__ import snake_case` syntax, which also reads the whole source of every module
imported after it (through linecache, which keeps it) to see whether it names PySide6. For
this app that is about 4 MB of text kept for good and 40 ms at start-up, and trayapp never
selects a feature. The import from before the hook is put back; at its next module PySide6
installs its lazy-loading import instead, which reads no source. The one loss: a
`from __feature__ import ...` would have no effect (trayapp has none).
"""

import builtins
import linecache

import PySide6.QtCore  # noqa: F401 (installs the hook, if this PySide6 has one)

_original = getattr(builtins, "__orig_import__", None)
if _original is not None and builtins.__import__ is not _original:
    builtins.__import__ = _original
    # What it read already (the modules imported before PySide6): not needed either.
    linecache.clearcache()
