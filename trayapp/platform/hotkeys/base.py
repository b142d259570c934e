"""The hotkey interface every backend implements, the actions, and their default bindings."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from .keys import Chord, HotkeyError, parse_chord

ACTIONS: dict[str, str] = {
    "toggle": "Start/stop timer (stop, or continue the last entry)",
    "stop": "Stop timer",
    "quick_start": "Quick start",
    "new_timer": "New timer…",
    "menu": "Show the tray menu",
    "timesheet": "Open the timesheet",
}

# Actions a feature numbers itself: `favorite:<n>` starts the n-th favorite (ui/favorites.py).
NUMBERED: dict[str, str] = {"favorite:": "Start favorite"}


def known(action: str) -> bool:
    """An action a shortcut may be bound to: one of ACTIONS, or a numbered one."""
    return action in ACTIONS or any(
        action.startswith(p) and action[len(p):].isdigit() for p in NUMBERED)


def describe(action: str) -> str:
    for prefix, text in NUMBERED.items():
        if action.startswith(prefix):
            return f"{text} {action[len(prefix):]}"
    return ACTIONS.get(action, action)


# Three modifiers plus a letter: desktops and common apps almost never use these.
DEFAULT_BINDINGS: dict[str, str] = {
    "toggle": "Ctrl+Alt+Shift+T",
    "stop": "Ctrl+Alt+Shift+S",
    "quick_start": "Ctrl+Alt+Shift+Q",
    "new_timer": "Ctrl+Alt+Shift+N",
    "menu": "Ctrl+Alt+Shift+M",
    "timesheet": "Ctrl+Alt+Shift+E",
}

# What to bind in the desktop's own keyboard settings when we cannot grab keys ourselves.
COMMANDS: dict[str, str] = {
    "toggle": "trayapp toggle",
    "stop": "trayapp stop",
    "menu": "trayapp menu",
    "timesheet": "trayapp timesheet",
}


def clash_message(chord: Chord) -> str:
    return f"{chord.text} is already used by another application"


class HotkeyBackend(QObject):
    """Global hotkeys for one platform mechanism.

    `register()` answers synchronously with what it already knows; a backend whose answer comes
    later (the portal: the desktop may ask the user first) reports through `errors_changed`.
    """

    activated = Signal(str)  # action name, on the GUI thread
    errors_changed = Signal(dict)  # action -> message: the full current set, after an async answer

    name = "base"
    #: Whether a bound key is taken from the focused window (a grab). Then the shortcut editor
    #: pauses the backend while it records, or a key in use would run its action instead.
    grabs_keys = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = False
        # Why hotkeys do not work (or, when available, a caveat such as the XWayland limits).
        self.unavailable_reason = ""
        self.paused = False
        self._bindings: dict[str, str] = {}

    def pause(self, paused: bool) -> None:
        """Release every grab (True) while keys are being recorded; take them back (False)."""
        if not self.grabs_keys or paused == self.paused:
            return
        self.paused = paused
        if paused:
            self.unregister_all()
        else:
            self.errors_changed.emit(self.register(self._bindings))

    def register(self, bindings: dict[str, str]) -> dict[str, str]:
        """Replace the active hotkeys with `bindings` (action -> portable text; "" = none).
        While paused they are checked and kept, and activated when the pause ends.

        Returns action -> human error for each binding that is not active; the rest are."""
        self._bindings = dict(bindings)
        self.unregister_all()
        errors: dict[str, str] = {}
        chords: dict[str, Chord] = {}
        owner: dict[Chord, str] = {}
        for action, text in bindings.items():
            if not text:
                continue
            if not known(action):
                errors[action] = f"Unknown action {action!r}"
                continue
            try:
                chord = parse_chord(text)
            except HotkeyError as exc:
                errors[action] = str(exc)
                continue
            if chord in owner:
                errors[action] = f"{chord.text} is already set for “{describe(owner[chord])}”"
                continue
            owner[chord] = action
            chords[action] = chord
        if not self.available:
            errors.update({a: "Not active: global hotkeys are not available here" for a in chords})
            return errors
        if not self.paused:
            errors.update(self._register_chords(chords))
        return errors

    def _register_chords(self, chords: dict[str, Chord]) -> dict[str, str]:
        """Activate each chord; return action -> error for the ones that failed."""
        raise NotImplementedError

    def unregister_all(self) -> None:
        """Deactivate every hotkey this backend holds. Safe to call repeatedly."""

    def close(self) -> None:
        """Release everything at quit (backends with a connection close it too)."""
        self.unregister_all()


class NullBackend(HotkeyBackend):
    """Used when no mechanism works: nothing fires, and the reason says what to do instead."""

    name = "none"

    def __init__(self, reason: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.unavailable_reason = reason or (
            "Global hotkeys are not available here. Bind `trayapp toggle` in your desktop's "
            "keyboard settings."
        )

    def _register_chords(self, chords: dict[str, Chord]) -> dict[str, str]:
        return {}
