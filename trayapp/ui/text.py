"""Text from the services and the user, as widgets show it. Qt reads more into text than a
terminal does: a label or a tooltip renders it as HTML when it looks like HTML, and one '&' in
a menu item or a button makes the next letter a keyboard shortcut. The rules themselves (what
is printable, what may be sent) are core/text.py's."""

from __future__ import annotations

import html
import sys

from PySide6.QtGui import Qt

from ..core.text import printable

MAX_LABEL = 48


def shown(text: str) -> str:
    """One printable line: line breaks and tabs made spaces, other controls made visible."""
    return printable(" ".join(text.split()))


def elided(text: str, limit: int = MAX_LABEL) -> str:
    flat = shown(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def menu_text(text: str, limit: int = MAX_LABEL) -> str:
    """For a menu item or a button: one line, cut at `limit`, every '&' shown as itself."""
    return elided(text, limit).replace("&", "&&")


def tooltip_text(text: str) -> str:
    """For a tooltip (and any text Qt shows as HTML when it looks like HTML): text that
    looks like HTML is handed over as HTML that shows it literally."""
    clean = printable(text)
    if not Qt.mightBeRichText(clean):
        return clean
    return Qt.convertFromPlainText(clean, Qt.WhiteSpaceMode.WhiteSpaceNormal)


MAX_NOTIFICATION = 300


def notification(title: str, text: str) -> tuple[str, str]:
    """For a desktop notification: short printable text. On Linux the body goes to the
    notification server over D-Bus, and most servers read it as markup: '<' and '&' are
    escaped there, so a description can neither hide text nor add a link."""
    body = printable(text)
    if len(body) > MAX_NOTIFICATION:
        body = body[: MAX_NOTIFICATION - 1] + "…"
    if sys.platform.startswith("linux"):
        body = html.escape(body, quote=False)
    return elided(title, 80), body
