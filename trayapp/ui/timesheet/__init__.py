"""The timesheet window (issue 11): see, fix and add entries without the web app.

window.py draws a day or a week; rows.py is its list, panels.py the running timer, the totals
and the Undo bar, dialogs.py its small questions; host.py wires it to the running app. The
rules (grouping, totals, overlaps, the text summary) are control/sheet.py's."""

from .host import SheetHost

__all__ = ["SheetHost"]
