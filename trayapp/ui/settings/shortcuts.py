"""Keyboard shortcuts: one field per action, the backend's errors beside them. While a field
records, the global shortcuts are paused, so pressing one that is in use shows it as taken
instead of running its action."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QVBoxLayout

from ...platform.hotkeys import DEFAULT_BINDINGS
from ..hotkey_editor import HotkeyEditor


class ShortcutsSection(QGroupBox):
    edited = Signal(dict)  # action -> key sequence, after a real change
    recording = Signal(bool)  # a field is recording: pause the global shortcuts

    def __init__(self, bindings: dict[str, str], available: bool, reason: str,
                 errors: dict[str, str]) -> None:
        super().__init__("Keyboard shortcuts")
        self._bindings = {**DEFAULT_BINDINGS, **bindings}
        self.editor = HotkeyEditor(self._bindings)
        self.editor.set_backend_status(available, reason)
        self.editor.set_errors(errors)
        self.editor.changed.connect(self._changed)
        self.editor.recording.connect(self.recording)
        QVBoxLayout(self).addWidget(self.editor)

    def set_errors(self, errors: dict[str, str]) -> None:
        self.editor.set_errors(errors)

    def _changed(self, bindings: dict[str, str]) -> None:
        if bindings == self._bindings:
            return  # each portal registration may ask the user again: only on change
        self._bindings = dict(bindings)
        self.edited.emit(dict(bindings))
