"""The two text rules (core/text.py), fuzzed: whatever a service or a user writes, what is
printed holds no control character and no lone surrogate, what is sent holds no control
character, and both are stable when applied again. The error mapper and the sign-in address
check use them."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trayapp.api.errors import MAX_MESSAGE, error_for
from trayapp.api.urls import check_sign_in_url
from trayapp.control.accounts import page_to_open
from trayapp.control.actions import (
    MAX_DESCRIPTION,
    UsageError,
    checked_description,
    cleaned,
    cleaned_changes,
)
from trayapp.core import errors as e
from trayapp.core.models import EntryDraft
from trayapp.core.text import fit_to_send, one_line, printable

BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
# Any text, with the troublesome characters (two lone surrogates among them) often.
TROUBLE = st.sampled_from(["\x1b", "\x07", "\x9b", "\x00", "\x7f", "\n", "\r", "\t", "\x85",
                           "\u2028", "\u2029", "\u202e", "\u2066", "\ud800", "\udfff", " ",
                           "\u200d", "&", "<b>"])
TEXT = st.lists(st.one_of(st.characters(), TROUBLE), max_size=60).map("".join)


def category(ch: str) -> str:
    return unicodedata.category(ch)


def unprintable(ch: str) -> bool:
    return category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS


@given(TEXT)
def test_printable_text_holds_no_control_and_keeps_its_length(text):
    shown = printable(text)
    assert shown == "".join("?" if unprintable(ch) else ch for ch in text)  # one for one
    assert "\x1b" not in shown and printable(shown) == shown
    shown.encode("utf-8")  # no lone surrogate: printing it cannot fail


@given(TEXT)
def test_text_fit_to_send_holds_no_control_and_is_stable(text):
    sent = fit_to_send(text)
    assert not any(category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in sent)
    assert sent == sent.strip() and fit_to_send(sent) == sent
    sent.encode("utf-8")


@given(TEXT, st.integers(min_value=2, max_value=80))
def test_one_line_is_printable_short_and_single(text, limit):
    line = one_line(text, limit)
    assert len(line) <= limit and "\n" not in line and printable(line) == line


def test_what_a_paste_leaves_becomes_spaces():
    assert fit_to_send("  Line one\r\nline\ttwo\x1b[31m\x00 ") == "Line one line two[31m"
    assert printable("red\x1b[31m bell\x07\u202eevil") == "red?[31m bell??evil"
    assert one_line("a\n\n b\x1b", 10) == "a b?"


@given(TEXT)
def test_an_argument_is_refused_or_sent_exactly_as_cleaned(text):
    try:
        sent = checked_description(text)
    except UsageError:
        return
    assert sent == fit_to_send(text) == text.strip()


def test_drafts_and_edits_from_windows_are_cleaned_by_the_same_rule():
    draft = cleaned(EntryDraft(description="Pasted\nreport\x1b[2J", tags=("a\tb", "\x07")))
    assert draft.description == "Pasted report[2J" and draft.tags == ("a b",)
    changes = cleaned_changes({"description": " Edited\r\n\x1b]0;x\x07", "tags": ["t\x00"],
                               "billable": True})
    assert changes == {"description": "Edited ]0;x", "tags": ("t",), "billable": True}
    with pytest.raises(UsageError):
        cleaned(EntryDraft(description="a" * (MAX_DESCRIPTION + 1)))


@given(TEXT)
def test_a_server_message_is_one_printable_bounded_line(text):
    body = json.dumps({"error": {"code": "X", "message": "Denied " + text}}).encode()
    for status in (400, 403, 404, 409, 402, 418):
        error = error_for(status, {"Content-Type": "application/json"}, body)
        assert isinstance(error, e.TrackerError)
        message = error.message
        assert printable(message) == message and "\n" not in message
        assert len(message) <= MAX_MESSAGE


def test_a_server_message_with_escapes_is_shown_not_obeyed():
    body = json.dumps("Time entry \x1b]0;pwned\x07\x1b[2J is gone").encode()
    error = error_for(404, {}, body)
    assert error.message == "Time entry ?]0;pwned??[2J is gone"


@pytest.mark.parametrize("url", [
    "https://connect.maton.ai/session/abc?x=1",
    "HTTPS://connect.maton.ai/",
    "http://127.0.0.1:8765/_emulator/connect/tok",
    "http://localhost:1/x",
    "http://[::1]:8080/x",
])
def test_web_pages_are_opened(url):
    assert check_sign_in_url(url) == url == page_to_open(url)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "smb://server/share", "javascript:alert(1)", "ftp://example.com/",
    "http://connect.maton.ai/", "http://10.0.0.1/", "https://", "https:///path",
    "https://maton.ai@evil.example/", "https://connect.maton.ai/<b>x</b> y",
    "https://connect.maton.ai/\x1b[2J", "https://bücher.de/", "https://a:99999/",
    "mailto:a@b.c", "//connect.maton.ai/x", "",
])
def test_anything_else_is_refused_saying_why(url):
    if url:
        with pytest.raises(ValueError):
            check_sign_in_url(url)
    with pytest.raises(e.MalformedResponse) as refused:
        page_to_open(url)
    assert printable(refused.value.message) == refused.value.message


@given(TEXT)
def test_the_sign_in_check_never_fails_otherwise(text):
    for url in (text, "https://" + text, "http://127.0.0.1/" + text):
        try:
            assert check_sign_in_url(url).lower().startswith(("https://", "http://"))
        except ValueError:
            pass
