"""Settings page for global hotkeys: one key-combination field per action, errors beside them."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayapp.platform.hotkeys.base import ACTIONS, COMMANDS, DEFAULT_BINDINGS
from trayapp.platform.hotkeys.keys import HotkeyError, parse_chord

_PORTABLE = QKeySequence.SequenceFormat.PortableText
_ERROR_STYLE = "color: #c62828;"


def _rich(text: str) -> str:
    """Plain text with `command` spans -> escaped rich text with <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


class ChordEdit(QKeySequenceEdit):
    """Records one key combination. Escape or Backspace clears it; pressing only modifiers and
    leaving keeps the previous one. `committed` fires once per real change by the user."""

    committed = Signal(str)  # portable text, "" when cleared
    focused = Signal(bool)  # the field can record keys (has the keyboard focus)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaximumSequenceLength(1)
        self.setClearButtonEnabled(True)
        self._value = ""  # the last committed (or programmatically set) text
        self._recording = False
        self.editingFinished.connect(self._finish)
        self.keySequenceChanged.connect(self._changed)

    def text(self) -> str:
        return self.keySequence().toString(_PORTABLE)

    def set_text(self, text: str) -> None:
        """Set without emitting anything (programmatic changes are not user edits)."""
        self._recording = False
        self.blockSignals(True)
        try:
            self.setKeySequence(QKeySequence.fromString(text, _PORTABLE))
        finally:
            self.blockSignals(False)
        self._value = self.text()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Backspace) and not mods:
            self._recording = False
            self.clear()  # -> keySequenceChanged("") outside a recording -> committed("")
            return
        self._recording = True
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self._recording:  # left with only modifiers pressed: keep what was there
            self.set_text(self._value)
        self.focused.emit(False)

    def _changed(self, seq: QKeySequence) -> None:
        # A recording clears the field first; only a clear outside one (the clear button,
        # Escape, Backspace) is an edit.
        if not self._recording and seq.isEmpty():
            self._commit()

    def _finish(self) -> None:
        # Qt also "finishes" on every focus-out: only the end of a real recording counts.
        if not self._recording:
            return
        self._recording = False
        if self.keySequence().isEmpty():
            self.set_text(self._value)
        else:
            self._commit()

    def _commit(self) -> None:
        if self.text() != self._value:
            self._value = self.text()
            self.committed.emit(self._value)


class HotkeyEditor(QWidget):
    """One row per action. `changed` carries the full action -> portable-text dict after each
    user edit; the owner registers it and passes the backend's answer to `set_errors`."""

    changed = Signal(dict)
    recording = Signal(bool)  # a field has the focus: global grabs would steal its keys

    def __init__(self, bindings: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edits: dict[str, ChordEdit] = {}
        self._status: dict[str, QLabel] = {}
        self._backend_errors: dict[str, str] = {}

        self._note = QLabel(self)
        self._note.setWordWrap(True)
        self._note.setTextFormat(Qt.TextFormat.RichText)
        self._note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._note.setObjectName("hotkeyNote")
        self._note.hide()

        grid = QGridLayout()
        for row, (action, description) in enumerate(ACTIONS.items()):
            label = QLabel(description, self)
            edit = ChordEdit(self)
            edit.setObjectName(f"hotkey_{action}")
            edit.setAccessibleName(description)
            edit.committed.connect(lambda _text, a=action: self._edited(a))
            edit.focused.connect(self.recording)
            label.setBuddy(edit)
            status = QLabel(self)
            status.setObjectName(f"hotkeyStatus_{action}")
            status.setWordWrap(True)
            status.setStyleSheet(_ERROR_STYLE)
            grid.addWidget(label, row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(status, row, 2)
            self._edits[action] = edit
            self._status[action] = status
        grid.setColumnStretch(2, 1)

        self._reset = QPushButton("Reset to defaults", self)
        self._reset.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addWidget(self._reset)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self._note)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.set_bindings(bindings)

    # -- API -------------------------------------------------------------------------------------

    def bindings(self) -> dict[str, str]:
        return {action: edit.text() for action, edit in self._edits.items()}

    def set_bindings(self, bindings: dict[str, str]) -> None:
        """Show `bindings` without emitting `changed` (missing actions are shown empty)."""
        for action, edit in self._edits.items():
            edit.set_text(bindings.get(action, ""))
        self._refresh()

    def set_errors(self, errors: dict[str, str]) -> None:
        """The backend's answer: action -> message (rows not listed are fine)."""
        self._backend_errors = dict(errors)
        self._refresh()

    def set_backend_status(self, available: bool, reason: str) -> None:
        if available and not reason:
            self._note.hide()
            return
        commands = ", ".join(
            f"<code>{html.escape(cmd)}</code> ({html.escape(ACTIONS[a].split(' (')[0].lower())})"
            for a, cmd in COMMANDS.items()
        )
        if available:  # works, with a caveat (e.g. XWayland)
            text = f"<b>Hotkeys may not work everywhere.</b> {_rich(reason)}"
        else:
            text = (
                f"<b>Global hotkeys are not available.</b> {_rich(reason)}<br>"
                f"Commands to bind in your desktop's keyboard shortcut settings: {commands}."
            )
        self._note.setText(text)
        self._note.show()

    def reset(self) -> None:
        """Back to the default bindings (a user edit: emits `changed`)."""
        self.set_bindings(DEFAULT_BINDINGS)
        self._backend_errors = {}
        self._refresh()
        self.changed.emit(self.bindings())

    def error_text(self, action: str) -> str:
        """What the row shows, for tests and accessibility."""
        return self._status[action].text()

    # -- internals ---------------------------------------------------------------------------

    def _edited(self, action: str) -> None:
        self._backend_errors.pop(action, None)  # about the old value: no longer true
        self._refresh()
        self.changed.emit(self.bindings())

    def _refresh(self) -> None:
        """Errors we can tell at once (bad key, duplicates) first, then the backend's."""
        local: dict[str, str] = {}
        seen: dict[object, str] = {}
        for action, edit in self._edits.items():
            if not edit.text():
                continue
            try:
                chord = parse_chord(edit.text())
            except HotkeyError as exc:
                local[action] = str(exc)
                continue
            if chord in seen:
                local[action] = f"Also set for “{ACTIONS[seen[chord]]}”"
            else:
                seen[chord] = action
        for action, label in self._status.items():
            message = local.get(action) or self._backend_errors.get(action, "")
            label.setText(message)
            label.setToolTip(message)
