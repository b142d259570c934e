"""Windows global hotkeys: user32 RegisterHotKey on the GUI thread (hwnd NULL: WM_HOTKEY goes to
the thread's queue, which Qt pumps) and a QAbstractNativeEventFilter that picks WM_HOTKEY out.

The user32 boundary is `Win32Hotkeys`; tests pass a fake `user32` object and run on Linux."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication, QObject, Qt

from .base import HotkeyBackend, clash_message
from .keys import Chord

WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000

_K = Qt.Key
VK: dict[Qt.Key, int] = {
    _K.Key_Backspace: 0x08, _K.Key_Tab: 0x09, _K.Key_Return: 0x0D, _K.Key_Enter: 0x0D,
    _K.Key_Pause: 0x13, _K.Key_Escape: 0x1B, _K.Key_Space: 0x20, _K.Key_PageUp: 0x21,
    _K.Key_PageDown: 0x22, _K.Key_End: 0x23, _K.Key_Home: 0x24, _K.Key_Left: 0x25,
    _K.Key_Up: 0x26, _K.Key_Right: 0x27, _K.Key_Down: 0x28, _K.Key_Print: 0x2C,
    _K.Key_Insert: 0x2D, _K.Key_Delete: 0x2E, _K.Key_ScrollLock: 0x91, _K.Key_Menu: 0x5D,
    _K.Key_MediaNext: 0xB0, _K.Key_MediaPrevious: 0xB1, _K.Key_MediaStop: 0xB2,
    _K.Key_MediaPlay: 0xB3, _K.Key_MediaTogglePlayPause: 0xB3,
    # US-layout punctuation keys (VK_OEM_*): the other layouts move these around.
    _K.Key_Semicolon: 0xBA, _K.Key_Equal: 0xBB, _K.Key_Comma: 0xBC, _K.Key_Minus: 0xBD,
    _K.Key_Period: 0xBE, _K.Key_Slash: 0xBF, _K.Key_QuoteLeft: 0xC0, _K.Key_BracketLeft: 0xDB,
    _K.Key_Backslash: 0xDC, _K.Key_BracketRight: 0xDD, _K.Key_Apostrophe: 0xDE,
}


def virtual_key(key: Qt.Key) -> int | None:
    value = key.value
    if ord("A") <= value <= ord("Z") or ord("0") <= value <= ord("9"):
        return value  # VK codes for letters and digits are their ASCII upper-case codes
    if _K.Key_F1.value <= value <= _K.Key_F24.value:
        return 0x70 + value - _K.Key_F1.value
    return VK.get(key)


def win_modifiers(chord: Chord) -> int:
    # NOREPEAT: holding the keys must not toggle the timer again and again.
    return (
        (MOD_CONTROL if chord.ctrl else 0)
        | (MOD_ALT if chord.alt else 0)
        | (MOD_SHIFT if chord.shift else 0)
        | (MOD_WIN if chord.meta else 0)
        | MOD_NOREPEAT
    )


class MSG(ctypes.Structure):
    """winuser.h MSG, spelled with portable ctypes types so the layout is testable anywhere."""

    _fields_ = [
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint),
        ("wParam", ctypes.c_size_t),  # WPARAM = UINT_PTR
        ("lParam", ctypes.c_ssize_t),  # LPARAM = LONG_PTR
        ("time", ctypes.c_uint32),
        ("pt_x", ctypes.c_int32),  # POINT of LONGs: 32-bit on Windows, unlike c_long on Linux
        ("pt_y", ctypes.c_int32),
        ("lPrivate", ctypes.c_uint32),
    ]


class Win32Hotkeys:
    """The ctypes boundary: RegisterHotKey / UnregisterHotKey and the last error code."""

    def __init__(self, user32: Any = None, get_last_error: Callable[[], int] | None = None):
        if user32 is None:
            user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
            user32.RegisterHotKey.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint,
                                              ctypes.c_uint]
            user32.RegisterHotKey.restype = ctypes.c_int
            user32.UnregisterHotKey.argtypes = [ctypes.c_void_p, ctypes.c_int]
            user32.UnregisterHotKey.restype = ctypes.c_int
            get_last_error = ctypes.get_last_error  # type: ignore[attr-defined]
        self._user32 = user32
        self._last_error = get_last_error or (lambda: 0)

    def register(self, hotkey_id: int, modifiers: int, vk: int) -> int:
        """0 on success, else the Windows error code."""
        if self._user32.RegisterHotKey(None, hotkey_id, modifiers, vk):
            return 0
        return self._last_error() or -1

    def unregister(self, hotkey_id: int) -> None:
        self._user32.UnregisterHotKey(None, hotkey_id)


class _HotkeyFilter(QAbstractNativeEventFilter):
    def __init__(self, on_hotkey: Callable[[int], bool]) -> None:
        super().__init__()
        self._on_hotkey = on_hotkey

    def nativeEventFilter(self, event_type: Any, message: Any) -> tuple[bool, int]:
        # Thread messages (hwnd NULL) arrive as windows_generic_MSG in PySide6, although the docs
        # say windows_dispatcher_MSG; `message` is a shiboken VoidPtr: int() gives the address.
        if bytes(event_type) not in (b"windows_generic_MSG", b"windows_dispatcher_MSG"):
            return False, 0
        msg = MSG.from_address(int(message))
        if msg.message == WM_HOTKEY and self._on_hotkey(int(msg.wParam)):
            return True, 0
        return False, 0


class WindowsBackend(HotkeyBackend):
    name = "windows"
    _FIRST_ID = 0x7A00  # application ids are 0x0000-0xBFFF; start high, away from other code

    def __init__(self, parent: QObject | None = None, api: Win32Hotkeys | None = None) -> None:
        super().__init__(parent)
        try:
            self._api = api or Win32Hotkeys()
        except (OSError, AttributeError) as exc:
            self.unavailable_reason = f"Cannot load user32: {exc}"
            return
        self.registered: dict[int, str] = {}  # RegisterHotKey id -> action
        # Keep a Python reference: Qt does not own the filter and would call a dead object.
        # Where Windows delivers WM_HOTKEY (also how tests deliver one on other systems).
        self.native_filter = _HotkeyFilter(self._on_hotkey)
        app = QCoreApplication.instance()
        if app is not None:
            app.installNativeEventFilter(self.native_filter)
        self.available = True

    def _register_chords(self, chords: dict[str, Chord]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for offset, (action, chord) in enumerate(chords.items()):
            vk = virtual_key(chord.key)
            if vk is None:
                errors[action] = f"{chord.text}: this key cannot be used as a global hotkey"
                continue
            hotkey_id = self._FIRST_ID + offset
            code = self._api.register(hotkey_id, win_modifiers(chord), vk)
            if code == 0:
                self.registered[hotkey_id] = action
            elif code == ERROR_HOTKEY_ALREADY_REGISTERED:
                errors[action] = clash_message(chord)
            else:
                errors[action] = f"{chord.text}: Windows refused the hotkey (error {code})"
        return errors

    def unregister_all(self) -> None:
        if not self.available:
            return
        for hotkey_id in self.registered:
            self._api.unregister(hotkey_id)
        self.registered.clear()

    def _on_hotkey(self, hotkey_id: int) -> bool:
        action = self.registered.get(hotkey_id)
        if action is None:
            return False  # someone else's hotkey on this thread
        self.activated.emit(action)
        return True

    def close(self) -> None:
        self.unregister_all()
        app = QCoreApplication.instance()
        if self.available and app is not None:
            app.removeNativeEventFilter(self.native_filter)
        self.available = False
