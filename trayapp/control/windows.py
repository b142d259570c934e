"""Which commands are windows: only the running app can show them, so the command line starts
it for them. Apart from the rest of control/, so that deciding it imports nothing (the command
line asks before the app's first icon shows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WINDOWS = frozenset({"activate", "menu", "settings", "quick_start", "new_timer", "edit",
                     "project_search", "timesheet", "manage"})


def is_window(command: str, args: Mapping[str, Any]) -> bool:
    """A window to show. `edit` with an entry's id is the command line's edit of that
    entry; without, the running entry's Edit window."""
    return command in WINDOWS and not (command == "edit" and args.get("id"))
