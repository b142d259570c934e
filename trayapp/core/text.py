"""The two rules for text that crosses a border: what may be printed (a terminal acts on escape
sequences: they clear the screen, retitle the window), and what may be sent to a service as a
new description or name. Descriptions, names and error messages come from the services and
from the user; both rules hold for all of them, wherever they are shown or sent."""

from __future__ import annotations

import re

# C0 and C1 controls (ESC, BEL, CSI...), DEL, lone surrogates (they cannot be encoded, and
# end a print in a traceback), the line and paragraph separators, and the bidirectional
# embeddings, overrides and isolates (they make the rest of a line read backwards).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e"
                          "\u2066-\u2069]")
# What a paste or a typed Tab leaves: one space stands for a run of them.
_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# Controls with no place in a description at all.
_UNSENDABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
SHOWN_FOR_CONTROL = "?"


def printable(text: str) -> str:
    """Text safe to print or show: each control character becomes '?' (visible, and one
    character for one, so lengths and columns stay as they were)."""
    return _UNPRINTABLE.sub(SHOWN_FOR_CONTROL, text)


def fit_to_send(text: str) -> str:
    """Text typed or pasted, as a service may receive it: line breaks and tabs become one
    space, other control characters are dropped, and the ends are trimmed."""
    return _UNSENDABLE.sub("", _BREAKS.sub(" ", text)).strip()


def one_line(text: str, limit: int) -> str:
    """Text from outside for a one-line message: whitespace runs made one space, printable,
    at most `limit` characters (a server decides how long its messages are)."""
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
