"""The macOS backend at its Carbon boundary: a fake Carbon library receives the real ctypes
structs and C callback, and "presses" a hot key by calling that callback through ctypes."""

from __future__ import annotations

import ctypes

import pytest

from trayapp.platform.hotkeys.macos import (
    SIGNATURE,
    CarbonHotkeys,
    EventHotKeyID,
    MacBackend,
    cmdKey,
    controlKey,
    eventHotKeyExistsErr,
    eventNotHandledErr,
    kEventClassKeyboard,
    kEventHotKeyPressed,
    kEventParamDirectObject,
    noErr,
    optionKey,
    shiftKey,
    typeEventHotKeyID,
)

pytestmark = pytest.mark.timeout(30)

TARGET = 0xA11


class FakeCarbon:
    """Implements the six Carbon functions the backend uses, like Carbon would."""

    def __init__(self) -> None:
        self.proc = None
        self.spec: tuple[int, int] | None = None
        self.hotkeys: dict[int, tuple[int, int, int, int]] = {}  # ref -> (code, mods, sig, id)
        self.taken: set[tuple[int, int]] = set()
        self.events: dict[int, EventHotKeyID] = {}  # EventRef -> its hot-key id parameter
        self.unregistered: list[int] = []
        self.removed = False
        self._next_ref = 100

    def GetApplicationEventTarget(self):  # noqa: N802 - the Carbon names
        return TARGET

    def InstallEventHandler(self, target, proc, count, specs, user_data, out_ref):  # noqa: N802
        assert target == TARGET and count == 1
        self.proc = proc
        self.spec = (specs.contents.eventClass, specs.contents.eventKind)
        out_ref.contents.value = 0x5EED
        return noErr

    def RemoveEventHandler(self, ref):  # noqa: N802
        self.removed = ref.value == 0x5EED
        return noErr

    def RegisterEventHotKey(self, code, mods, hotkey_id, target, options, out_ref):  # noqa: N802
        assert target == TARGET and options == 0
        if (code, mods) in self.taken:
            return eventHotKeyExistsErr
        self._next_ref += 1
        self.hotkeys[self._next_ref] = (code, mods, hotkey_id.signature, hotkey_id.id)
        out_ref.contents.value = self._next_ref
        return noErr

    def UnregisterEventHotKey(self, ref):  # noqa: N802
        self.unregistered.append(ref.value)
        del self.hotkeys[ref.value]
        return noErr

    def GetEventParameter(self, event, name, ptype, out_type, size, out_size, out):  # noqa: N802
        assert (name, ptype, size) == (kEventParamDirectObject, typeEventHotKeyID, 8)
        out.contents.signature = self.events[event].signature
        out.contents.id = self.events[event].id
        return noErr

    def press(self, ref: int, signature: int = SIGNATURE) -> int:
        """Carbon calling our handler for a hot-key press: through the real C callback."""
        event = 0xE000 + ref
        self.events[event] = EventHotKeyID(signature, self.hotkeys[ref][3])
        return self.proc(None, event, None)


@pytest.fixture
def carbon():
    return FakeCarbon()


@pytest.fixture
def backend(qapp, carbon):
    b = MacBackend(api=CarbonHotkeys(carbon))
    yield b
    b.close()


def ref_of(carbon, code: int) -> int:
    return next(ref for ref, hk in carbon.hotkeys.items() if hk[0] == code)


def test_handler_installed_for_hotkey_presses(backend, carbon):
    assert backend.available
    assert carbon.spec == (kEventClassKeyboard, kEventHotKeyPressed)
    assert kEventClassKeyboard == int.from_bytes(b"keyb", "big")
    assert isinstance(carbon.proc, ctypes._CFuncPtr)


def test_register_calls(backend, carbon):
    errors = backend.register(
        {"toggle": "Ctrl+Alt+Shift+T", "menu": "Meta+F9", "stop": "Ctrl+Space"}
    )
    assert errors == {}
    assert sorted(hk[:3] for hk in carbon.hotkeys.values()) == sorted([
        (0x11, cmdKey | optionKey | shiftKey, SIGNATURE),  # kVK_ANSI_T; Qt's Ctrl is Command
        (0x65, controlKey, SIGNATURE),  # kVK_F9; Qt's Meta is Control
        (0x31, cmdKey, SIGNATURE),  # kVK_Space
    ])


def test_hotkey_event_dispatch(backend, carbon, qtbot):
    backend.register({"toggle": "Ctrl+Alt+Shift+T", "quick_start": "Ctrl+Alt+Shift+Q"})
    with qtbot.waitSignal(backend.activated, timeout=1000) as blocker:
        assert carbon.press(ref_of(carbon, 0x0C)) == noErr  # kVK_ANSI_Q
    assert blocker.args == ["quick_start"]


def test_foreign_hotkeys_not_handled(backend, carbon, qtbot):
    backend.register({"toggle": "Ctrl+Alt+Shift+T"})
    with qtbot.assertNotEmitted(backend.activated):
        assert carbon.press(ref_of(carbon, 0x11), signature=0x1234) == eventNotHandledErr


def test_clash_is_reported(backend, carbon):
    carbon.taken = {(0x2D, cmdKey | optionKey | shiftKey)}  # kVK_ANSI_N
    errors = backend.register({"new_timer": "Ctrl+Alt+Shift+N", "toggle": "Ctrl+Alt+Shift+T"})
    assert errors == {"new_timer": "Ctrl+Alt+Shift+N is already used by another application"}


def test_unknown_key_and_unregister(backend, carbon, qtbot):
    errors = backend.register({"toggle": "Ctrl+Alt+Shift+T", "stop": "Ctrl+Shift+!"})
    assert "cannot be used" in errors["stop"]
    ref = ref_of(carbon, 0x11)
    backend.unregister_all()
    assert carbon.unregistered == [ref] and carbon.hotkeys == {}
    backend.close()
    assert carbon.removed
