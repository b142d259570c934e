"""macOS global hotkeys: Carbon RegisterEventHotKey + an application event handler, via ctypes.

Carbon hot keys need no Accessibility or Input Monitoring permission (unlike event taps, pynput or
NSEvent monitors) and Qt's Cocoa event loop dispatches them on the main thread.
The Carbon boundary is `CarbonHotkeys`; tests pass a fake `lib` and run on Linux."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt

from .base import HotkeyBackend, clash_message
from .keys import Chord

CARBON = "/System/Library/Frameworks/Carbon.framework/Carbon"
cmdKey, shiftKey, optionKey, controlKey = 1 << 8, 1 << 9, 1 << 11, 1 << 12
noErr = 0
eventNotHandledErr = -9874
eventHotKeyExistsErr = -9878
eventHotKeyInvalidErr = -9879


def four_cc(code: str) -> int:
    return int.from_bytes(code.encode("ascii"), "big")


kEventClassKeyboard = four_cc("keyb")
kEventHotKeyPressed = 5
kEventParamDirectObject = four_cc("----")
typeEventHotKeyID = four_cc("hkid")
SIGNATURE = four_cc("TRAY")  # tags our hot keys: other code in the process may have its own

_K = Qt.Key
# Virtual key codes (Carbon Events.h kVK_*): positions on an ANSI keyboard, not characters.
KVK: dict[Qt.Key, int] = {
    _K.Key_A: 0x00, _K.Key_S: 0x01, _K.Key_D: 0x02, _K.Key_F: 0x03, _K.Key_H: 0x04,
    _K.Key_G: 0x05, _K.Key_Z: 0x06, _K.Key_X: 0x07, _K.Key_C: 0x08, _K.Key_V: 0x09,
    _K.Key_B: 0x0B, _K.Key_Q: 0x0C, _K.Key_W: 0x0D, _K.Key_E: 0x0E, _K.Key_R: 0x0F,
    _K.Key_Y: 0x10, _K.Key_T: 0x11, _K.Key_1: 0x12, _K.Key_2: 0x13, _K.Key_3: 0x14,
    _K.Key_4: 0x15, _K.Key_6: 0x16, _K.Key_5: 0x17, _K.Key_Equal: 0x18, _K.Key_9: 0x19,
    _K.Key_7: 0x1A, _K.Key_Minus: 0x1B, _K.Key_8: 0x1C, _K.Key_0: 0x1D,
    _K.Key_BracketRight: 0x1E, _K.Key_O: 0x1F, _K.Key_U: 0x20, _K.Key_BracketLeft: 0x21,
    _K.Key_I: 0x22, _K.Key_P: 0x23, _K.Key_Return: 0x24, _K.Key_L: 0x25, _K.Key_J: 0x26,
    _K.Key_Apostrophe: 0x27, _K.Key_K: 0x28, _K.Key_Semicolon: 0x29, _K.Key_Backslash: 0x2A,
    _K.Key_Comma: 0x2B, _K.Key_Slash: 0x2C, _K.Key_N: 0x2D, _K.Key_M: 0x2E,
    _K.Key_Period: 0x2F, _K.Key_Tab: 0x30, _K.Key_Space: 0x31, _K.Key_QuoteLeft: 0x32,
    _K.Key_Backspace: 0x33, _K.Key_Escape: 0x35, _K.Key_Enter: 0x4C,
    _K.Key_F1: 0x7A, _K.Key_F2: 0x78, _K.Key_F3: 0x63, _K.Key_F4: 0x76, _K.Key_F5: 0x60,
    _K.Key_F6: 0x61, _K.Key_F7: 0x62, _K.Key_F8: 0x64, _K.Key_F9: 0x65, _K.Key_F10: 0x6D,
    _K.Key_F11: 0x67, _K.Key_F12: 0x6F, _K.Key_F13: 0x69, _K.Key_F14: 0x6B, _K.Key_F15: 0x71,
    _K.Key_F16: 0x6A, _K.Key_F17: 0x40, _K.Key_F18: 0x4F, _K.Key_F19: 0x50, _K.Key_F20: 0x5A,
    _K.Key_Help: 0x72, _K.Key_Home: 0x73, _K.Key_PageUp: 0x74, _K.Key_Delete: 0x75,
    _K.Key_End: 0x77, _K.Key_PageDown: 0x79, _K.Key_Left: 0x7B, _K.Key_Right: 0x7C,
    _K.Key_Down: 0x7D, _K.Key_Up: 0x7E,
}


def mac_modifiers(chord: Chord) -> int:
    """Qt on macOS: ControlModifier is Command (⌘), MetaModifier is Control (⌃)."""
    return (
        (cmdKey if chord.ctrl else 0)
        | (optionKey if chord.alt else 0)
        | (shiftKey if chord.shift else 0)
        | (controlKey if chord.meta else 0)
    )


class EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


class EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


# OSStatus (*EventHandlerProcPtr)(EventHandlerCallRef, EventRef, void *userData)
EventHandlerProc = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p,
                                    ctypes.c_void_p)


def _load_carbon() -> Any:
    lib = ctypes.CDLL(CARBON)
    vp, u32, i32 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int32
    lib.GetApplicationEventTarget.restype = vp
    lib.GetApplicationEventTarget.argtypes = []
    lib.InstallEventHandler.restype = i32
    lib.InstallEventHandler.argtypes = [vp, EventHandlerProc, u32, ctypes.POINTER(EventTypeSpec),
                                        vp, ctypes.POINTER(vp)]
    lib.RemoveEventHandler.restype = i32
    lib.RemoveEventHandler.argtypes = [vp]
    lib.RegisterEventHotKey.restype = i32
    lib.RegisterEventHotKey.argtypes = [u32, u32, EventHotKeyID, vp, u32, ctypes.POINTER(vp)]
    lib.UnregisterEventHotKey.restype = i32
    lib.UnregisterEventHotKey.argtypes = [vp]
    lib.GetEventParameter.restype = i32
    lib.GetEventParameter.argtypes = [vp, u32, u32, vp, ctypes.c_size_t, vp,
                                      ctypes.POINTER(EventHotKeyID)]
    return lib


class CarbonHotkeys:
    """The ctypes boundary: one application event handler for hot-key presses, plus
    RegisterEventHotKey / UnregisterEventHotKey."""

    def __init__(self, lib: Any = None) -> None:
        self._lib = lib if lib is not None else _load_carbon()
        self._proc: Any = None  # the C callback: must stay referenced while installed
        self._handler_ref = ctypes.c_void_p()

    def install_handler(self, on_hotkey: Callable[[int], bool]) -> int:
        def handle(_call_ref: int | None, event: int | None, _user: int | None) -> int:
            hotkey = EventHotKeyID()
            status = self._lib.GetEventParameter(
                event, kEventParamDirectObject, typeEventHotKeyID, None,
                ctypes.sizeof(hotkey), None, ctypes.pointer(hotkey),
            )
            if status == noErr and hotkey.signature == SIGNATURE and on_hotkey(hotkey.id):
                return noErr
            return eventNotHandledErr  # let other handlers see hot keys that are not ours

        self._proc = EventHandlerProc(handle)
        spec = EventTypeSpec(kEventClassKeyboard, kEventHotKeyPressed)
        return self._lib.InstallEventHandler(
            self._lib.GetApplicationEventTarget(), self._proc, 1, ctypes.pointer(spec), None,
            ctypes.pointer(self._handler_ref),
        )

    def remove_handler(self) -> None:
        if self._handler_ref.value:
            self._lib.RemoveEventHandler(self._handler_ref)
            self._handler_ref = ctypes.c_void_p()
        self._proc = None

    def register(self, keycode: int, modifiers: int, hotkey_id: int) -> tuple[int, Any]:
        """(OSStatus, EventHotKeyRef)."""
        ref = ctypes.c_void_p()
        status = self._lib.RegisterEventHotKey(
            keycode, modifiers, EventHotKeyID(SIGNATURE, hotkey_id),
            self._lib.GetApplicationEventTarget(), 0, ctypes.pointer(ref),
        )
        return status, ref

    def unregister(self, ref: Any) -> None:
        self._lib.UnregisterEventHotKey(ref)


class MacBackend(HotkeyBackend):
    name = "macos"

    def __init__(self, parent: QObject | None = None, api: CarbonHotkeys | None = None) -> None:
        super().__init__(parent)
        self._refs: dict[int, Any] = {}
        self._ids: dict[int, str] = {}
        try:
            self._api = api or CarbonHotkeys()
        except (OSError, AttributeError) as exc:
            self.unavailable_reason = f"Cannot load Carbon: {exc}"
            return
        status = self._api.install_handler(self._on_hotkey)
        if status != noErr:
            self.unavailable_reason = f"Cannot install the hot-key handler (OSStatus {status})"
            return
        self.available = True

    def _register_chords(self, chords: dict[str, Chord]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for hotkey_id, (action, chord) in enumerate(chords.items(), start=1):
            keycode = KVK.get(chord.key)
            if keycode is None:
                errors[action] = f"{chord.text}: this key cannot be used as a global hotkey"
                continue
            status, ref = self._api.register(keycode, mac_modifiers(chord), hotkey_id)
            if status == noErr:
                self._refs[hotkey_id] = ref
                self._ids[hotkey_id] = action
            elif status == eventHotKeyExistsErr:
                errors[action] = clash_message(chord)
            else:
                errors[action] = f"{chord.text}: macOS refused the hotkey (OSStatus {status})"
        return errors

    def unregister_all(self) -> None:
        for ref in self._refs.values():
            self._api.unregister(ref)
        self._refs.clear()
        self._ids.clear()

    def _on_hotkey(self, hotkey_id: int) -> bool:
        action = self._ids.get(hotkey_id)
        if action is None:
            return False
        self.activated.emit(action)
        return True

    def close(self) -> None:
        self.unregister_all()
        if self.available:
            self._api.remove_handler()
        self.available = False
