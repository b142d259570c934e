"""HotkeyEditor, offscreen: rows, edits, errors, reset, the unavailable note."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPushButton

from trayapp.platform.hotkeys.base import ACTIONS, DEFAULT_BINDINGS
from trayapp.ui.hotkey_editor import ChordEdit, HotkeyEditor

pytestmark = pytest.mark.timeout(30)

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@pytest.fixture
def editor(qtbot):
    w = HotkeyEditor(dict(DEFAULT_BINDINGS, menu=""))
    qtbot.addWidget(w)
    w.show()
    return w


def edit_of(editor, action) -> ChordEdit:
    return editor.findChild(ChordEdit, f"hotkey_{action}")


def test_rows_show_bindings(editor):
    texts = [lbl.text() for lbl in editor.findChildren(QLabel)]
    for description in ACTIONS.values():
        assert description in texts
    assert edit_of(editor, "toggle").text() == "Ctrl+Alt+Shift+T"
    assert editor.bindings() == dict(DEFAULT_BINDINGS, menu="")
    assert all(editor.error_text(a) == "" for a in ACTIONS)


def test_recording_a_chord_emits_the_full_dict_once(editor, qtbot):
    seen = []
    editor.changed.connect(seen.append)
    edit = edit_of(editor, "menu")
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_K, CTRL_ALT)
    assert seen == [dict(DEFAULT_BINDINGS, menu="Ctrl+Alt+K")]


def test_modifier_only_keeps_binding(editor):
    seen = []
    editor.changed.connect(seen.append)
    edit = edit_of(editor, "toggle")
    QTest.keyPress(edit, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    QTest.keyRelease(edit, Qt.Key.Key_Control)
    edit.focusOutEvent(QFocusEvent(QEvent.Type.FocusOut))
    assert edit.text() == "Ctrl+Alt+Shift+T"
    assert seen == []


def test_moving_focus_is_not_an_edit(editor):
    seen = []
    editor.changed.connect(seen.append)
    for action in ACTIONS:
        edit_of(editor, action).setFocus()
        edit_of(editor, action).focusOutEvent(QFocusEvent(QEvent.Type.FocusOut))
    assert seen == []


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Backspace])
def test_escape_and_backspace_clear(editor, key):
    seen = []
    editor.changed.connect(seen.append)
    edit = edit_of(editor, "stop")
    QTest.keyClick(edit, key)
    assert edit.text() == ""
    assert seen == [dict(DEFAULT_BINDINGS, stop="", menu="")]


def test_clear_button_emits(editor):
    seen = []
    editor.changed.connect(seen.append)
    edit_of(editor, "stop").clear()  # what the line edit's clear button does
    assert seen[-1]["stop"] == ""


def test_backend_errors_shown_in_red_and_dropped_on_edit(editor):
    message = "Ctrl+Alt+Shift+Q is already used by another application"
    editor.set_errors({"quick_start": message})
    assert editor.error_text("quick_start") == message
    status = editor.findChild(QLabel, "hotkeyStatus_quick_start")
    assert "color" in status.styleSheet() and "#c62828" in status.styleSheet()
    QTest.keyClick(edit_of(editor, "quick_start"), Qt.Key.Key_J, CTRL_ALT)
    assert editor.error_text("quick_start") == ""


def test_local_errors_duplicates_and_bare_keys(editor):
    QTest.keyClick(edit_of(editor, "menu"), Qt.Key.Key_T,
                   CTRL_ALT | Qt.KeyboardModifier.ShiftModifier)
    assert "Also set for" in editor.error_text("menu")
    QTest.keyClick(edit_of(editor, "menu"), Qt.Key.Key_X)
    assert "modifier" in editor.error_text("menu")


def test_reset_restores_defaults(editor):
    seen = []
    editor.changed.connect(seen.append)
    editor.set_errors({"toggle": "boom"})
    QTest.keyClick(edit_of(editor, "toggle"), Qt.Key.Key_Z, CTRL_ALT)
    editor.findChild(QPushButton).click()
    assert editor.bindings() == DEFAULT_BINDINGS
    assert seen[-1] == DEFAULT_BINDINGS
    assert editor.error_text("toggle") == ""


def test_set_bindings_does_not_emit(editor):
    seen = []
    editor.changed.connect(seen.append)
    editor.set_bindings({"toggle": "Ctrl+Alt+F5"})
    assert seen == []
    assert editor.bindings()["toggle"] == "Ctrl+Alt+F5"
    assert editor.bindings()["stop"] == ""


def test_unavailable_note(editor):
    note = editor.findChild(QLabel, "hotkeyNote")
    assert not note.isVisible()
    editor.set_backend_status(False, "This Wayland desktop has no GlobalShortcuts portal.")
    assert note.isVisible()
    assert "no GlobalShortcuts portal" in note.text()
    assert "<code>trayapp toggle</code>" in note.text()
    editor.set_backend_status(True, "")
    assert not note.isVisible()
    editor.set_backend_status(True, "Only while an X11 window has focus. Bind `trayapp toggle`.")
    assert note.isVisible() and "<code>trayapp toggle</code>" in note.text()
