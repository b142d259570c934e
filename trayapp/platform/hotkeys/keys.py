"""Parse Qt's portable key-sequence text ("Ctrl+Alt+Shift+T") into one chord, and name its key
the way X11 and the XDG shortcuts format do. Windows and macOS keep their own key tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QKeySequence

_PORTABLE = QKeySequence.SequenceFormat.PortableText
_K = Qt.Key

# Keys that may be global hotkeys without a modifier: nobody types them in a text field.
_SOLO_OK = {_K.Key_Pause, _K.Key_Print, _K.Key_ScrollLock} | {
    _K(_K.Key_F1.value + i) for i in range(35)
} | {
    _K.Key_MediaPlay, _K.Key_MediaStop, _K.Key_MediaPause, _K.Key_MediaTogglePlayPause,
    _K.Key_MediaNext, _K.Key_MediaPrevious, _K.Key_LaunchMedia, _K.Key_Launch0, _K.Key_Launch1,
}

# Qt key -> X keysym name (also the key syntax of the XDG shortcuts spec the portal uses).
_NAMED: dict[Qt.Key, str] = {
    _K.Key_Space: "space", _K.Key_Escape: "Escape", _K.Key_Tab: "Tab",
    _K.Key_Backspace: "BackSpace", _K.Key_Return: "Return", _K.Key_Enter: "KP_Enter",
    _K.Key_Insert: "Insert",
    _K.Key_Delete: "Delete", _K.Key_Pause: "Pause", _K.Key_Print: "Print",
    _K.Key_ScrollLock: "Scroll_Lock", _K.Key_Home: "Home", _K.Key_End: "End", _K.Key_Left: "Left",
    _K.Key_Up: "Up", _K.Key_Right: "Right", _K.Key_Down: "Down", _K.Key_PageUp: "Prior",
    _K.Key_PageDown: "Next", _K.Key_Menu: "Menu",
    _K.Key_Exclam: "exclam", _K.Key_QuoteDbl: "quotedbl", _K.Key_NumberSign: "numbersign",
    _K.Key_Dollar: "dollar", _K.Key_Percent: "percent", _K.Key_Ampersand: "ampersand",
    _K.Key_Apostrophe: "apostrophe", _K.Key_ParenLeft: "parenleft",
    _K.Key_ParenRight: "parenright", _K.Key_Asterisk: "asterisk", _K.Key_Plus: "plus",
    _K.Key_Comma: "comma", _K.Key_Minus: "minus", _K.Key_Period: "period", _K.Key_Slash: "slash",
    _K.Key_Colon: "colon", _K.Key_Semicolon: "semicolon", _K.Key_Less: "less",
    _K.Key_Equal: "equal", _K.Key_Greater: "greater", _K.Key_Question: "question", _K.Key_At: "at",
    _K.Key_BracketLeft: "bracketleft", _K.Key_Backslash: "backslash",
    _K.Key_BracketRight: "bracketright", _K.Key_AsciiCircum: "asciicircum",
    _K.Key_Underscore: "underscore", _K.Key_QuoteLeft: "grave", _K.Key_BraceLeft: "braceleft",
    _K.Key_Bar: "bar", _K.Key_BraceRight: "braceright", _K.Key_AsciiTilde: "asciitilde",
    _K.Key_MediaPlay: "XF86AudioPlay", _K.Key_MediaStop: "XF86AudioStop",
    _K.Key_MediaPause: "XF86AudioPause", _K.Key_MediaTogglePlayPause: "XF86AudioPlay",
    _K.Key_MediaNext: "XF86AudioNext", _K.Key_MediaPrevious: "XF86AudioPrev",
    _K.Key_LaunchMedia: "XF86AudioMedia", _K.Key_Launch0: "XF86Launch0",
    _K.Key_Launch1: "XF86Launch1",
}


class HotkeyError(ValueError):
    """A binding that cannot work; str() is the message shown next to it."""


@dataclass(frozen=True)
class Chord:
    """One key plus modifiers. `ctrl` and `meta` are Qt's: on macOS Qt's Ctrl is Command."""

    key: Qt.Key
    ctrl: bool = False
    alt: bool = False
    shift: bool = False
    meta: bool = False
    text: str = field(default="", compare=False)  # for messages; equality ignores it

    @property
    def has_modifier(self) -> bool:
        return self.ctrl or self.alt or self.shift or self.meta


def parse_chord(text: str) -> Chord:
    """Qt portable text -> Chord, or HotkeyError with a message a user can act on."""
    seq = QKeySequence.fromString(text.strip(), _PORTABLE)
    if seq.count() == 0:
        raise HotkeyError(f"{text!r} is not a key combination")
    if seq.count() > 1:
        raise HotkeyError(f"{text}: use a single key combination, not a sequence")
    # The PySide6 stubs lack QKeySequence.__getitem__ (Qt's operator[], its only accessor).
    combo: QKeyCombination = seq[0]  # type: ignore[index]
    key = combo.key()
    if key in (_K.Key_unknown, 0) or not seq.toString(_PORTABLE):
        raise HotkeyError(f"{text!r} is not a key combination")
    if key in (_K.Key_Control, _K.Key_Alt, _K.Key_Shift, _K.Key_Meta, _K.Key_AltGr):
        raise HotkeyError(f"{text}: a hotkey needs a key besides the modifiers")
    mods = combo.keyboardModifiers()
    mod = Qt.KeyboardModifier
    chord = Chord(
        key=key,
        ctrl=bool(mods & mod.ControlModifier),
        alt=bool(mods & mod.AltModifier),
        shift=bool(mods & mod.ShiftModifier),
        meta=bool(mods & mod.MetaModifier),
        text=seq.toString(_PORTABLE),
    )
    if not chord.has_modifier and key not in _SOLO_OK:
        # A bare letter grabbed globally would stop that letter working in every other program.
        raise HotkeyError(f"{chord.text}: add a modifier (Ctrl, Alt, Shift…) to use it globally")
    return chord


def keysym_name(key: Qt.Key) -> str | None:
    """The X keysym name for a Qt key (lower-case letters, "F5", "Return", ...), or None."""
    value = key.value if isinstance(key, Qt.Key) else int(key)
    if ord("A") <= value <= ord("Z"):
        return chr(value).lower()
    if ord("0") <= value <= ord("9"):
        return chr(value)
    if _K.Key_F1.value <= value <= _K.Key_F35.value:
        return f"F{value - _K.Key_F1.value + 1}"
    try:
        return _NAMED.get(_K(value))
    except ValueError:
        return None


def xdg_trigger(chord: Chord) -> str:
    """The XDG shortcuts-spec form the portal takes as preferred_trigger, e.g. "CTRL+ALT+t"."""
    name = keysym_name(chord.key)
    if name is None:
        raise HotkeyError(f"{chord.text}: this key cannot be used as a global hotkey here")
    mods = [m for m, on in (("CTRL", chord.ctrl), ("ALT", chord.alt), ("SHIFT", chord.shift),
                             ("LOGO", chord.meta)) if on]
    return "+".join([*mods, name])
