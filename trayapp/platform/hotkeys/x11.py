"""X11 global hotkeys: a passive XGrabKey on the root window over our own python-xlib connection,
read by a QSocketNotifier in the GUI thread (no extra thread, no touching Qt's xcb connection)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from .base import HotkeyBackend, clash_message
from .keys import Chord, keysym_name

log = logging.getLogger(__name__)

try:  # python-xlib is a Linux-only dependency
    from Xlib import XK, X
    from Xlib import display as xdisplay
    from Xlib import error as xerror

    XK.load_keysym_group("xf86")  # media keys (XF86AudioPlay, ...)
except ImportError:  # pragma: no cover - only off Linux
    X = None

# NumLock (Mod2) and CapsLock (Lock) change the event's state: grab every combination of them,
# or the hotkey silently dies when NumLock is on.
_IGNORED = (0, 2, 16, 2 | 16) if X is None else (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask)


def x_modifiers(chord: Chord) -> int:
    """Qt's modifiers -> X masks (Qt's Meta is the Super/Windows key, Mod4 on every X layout)."""
    return (
        (X.ControlMask if chord.ctrl else 0)
        | (X.Mod1Mask if chord.alt else 0)
        | (X.ShiftMask if chord.shift else 0)
        | (X.Mod4Mask if chord.meta else 0)
    )


class X11Backend(HotkeyBackend):
    name = "x11"

    def __init__(self, parent: QObject | None = None, display_name: str | None = None) -> None:
        super().__init__(parent)
        self._display = None
        self._notifier: QSocketNotifier | None = None
        self._chords: dict[str, Chord] = {}  # what the caller asked for (re-grabbed on remap)
        self._grabs: dict[tuple[int, int], str] = {}  # (keycode, modifiers) -> action
        self._last_release: tuple[int, int] | None = None  # (keycode, time): autorepeat detector
        if X is None:
            self.unavailable_reason = "python-xlib is not installed."
            return
        try:
            self._display = xdisplay.Display(display_name)
        except Exception as exc:  # DisplayError, ConnectionClosedError, OSError...
            self.unavailable_reason = f"Cannot connect to the X display: {exc}"
            return
        self._root = self._display.screen().root
        self._notifier = QSocketNotifier(self._display.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self.available = True

    # -- registration ------------------------------------------------------------------------

    def _register_chords(self, chords: dict[str, Chord]) -> dict[str, str]:
        self._chords = dict(chords)
        errors: dict[str, str] = {}
        for action, chord in chords.items():
            error = self._grab(action, chord)
            if error:
                errors[action] = error
        # sync() may have read events into python-xlib's queue without the socket staying
        # readable: look at them now rather than on the next unrelated wake-up.
        QTimer.singleShot(0, self._drain)
        return errors

    def _grab(self, action: str, chord: Chord) -> str | None:
        assert self._display is not None  # grabs are made only while available (connected)
        name = keysym_name(chord.key)
        keysym = XK.string_to_keysym(name) if name else 0
        if not keysym:
            return f"{chord.text}: this key cannot be used as a global hotkey"
        keycode = self._display.keysym_to_keycode(keysym)
        if not keycode:
            return f"{chord.text}: the key is not on the current keyboard layout"
        mods = x_modifiers(chord)
        catch = xerror.CatchError(xerror.BadAccess)
        for extra in _IGNORED:
            self._root.grab_key(
                keycode, mods | extra, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catch
            )
        # Errors arrive asynchronously: the round trip makes BadAccess (a clash) show up now.
        self._display.sync()
        if catch.get_error() is not None:
            self._ungrab(keycode, mods)  # never keep a half-working set of variants
            return clash_message(chord)
        self._grabs[(keycode, mods)] = action
        return None

    def _ungrab(self, keycode: int, mods: int) -> None:
        ignore = xerror.CatchError()  # ungrabbing a variant we never held is not an error
        for extra in _IGNORED:
            self._root.ungrab_key(keycode, mods | extra, onerror=ignore)

    def unregister_all(self) -> None:
        if self._display is None:
            return
        for keycode, mods in self._grabs:
            self._ungrab(keycode, mods)
        self._grabs.clear()
        self._display.sync()

    # -- events ------------------------------------------------------------------------------

    def _drain(self) -> None:
        if self._display is None:
            return
        try:
            while self._display.pending_events():
                self._handle(self._display.next_event())
        except Exception:  # the X server went away: stop listening instead of spinning
            log.exception("X11 hotkey connection failed")
            if self._notifier is not None:
                self._notifier.setEnabled(False)
            self.available = False
            self.unavailable_reason = "The connection to the X display was lost."

    def _handle(self, event) -> None:
        if event.type == X.KeyRelease:
            self._last_release = (event.detail, event.time)
        elif event.type == X.KeyPress:
            # Autorepeat sends Release+Press with one timestamp: holding the key must not toggle
            # the timer again and again.
            if self._last_release == (event.detail, event.time):
                return
            mods = event.state & (X.ShiftMask | X.ControlMask | X.Mod1Mask | X.Mod4Mask)
            action = self._grabs.get((event.detail, mods))
            if action:
                self.activated.emit(action)
        elif event.type == X.MappingNotify and event.request == X.MappingKeyboard:
            # The layout changed: keycodes moved, so grab the same keys again.
            assert self._display is not None  # events come only from our open connection
            self._display.refresh_keyboard_mapping(event)
            if self.paused:
                return  # nothing is grabbed now; the pause's end grabs with the new map
            chords = dict(self._chords)
            self.unregister_all()
            self.errors_changed.emit(self._register_chords(chords))

    def close(self) -> None:
        """Release the grabs and the X connection (also done when the object is collected)."""
        if self._display is None:
            return
        self.unregister_all()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        self._display.close()
        self._display = None
        self.available = False
