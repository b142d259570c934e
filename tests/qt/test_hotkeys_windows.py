"""The Windows backend at its ctypes boundary: a fake user32 records RegisterHotKey calls, and
WM_HOTKEY messages are real MSG structs in memory handed to the native event filter."""

from __future__ import annotations

import ctypes

import pytest
from shiboken6 import VoidPtr

from trayapp.platform.hotkeys.windows import (
    MOD_ALT,
    MOD_CONTROL,
    MOD_NOREPEAT,
    MOD_SHIFT,
    MOD_WIN,
    MSG,
    WM_HOTKEY,
    Win32Hotkeys,
    WindowsBackend,
)

pytestmark = pytest.mark.timeout(30)


class FakeUser32:
    def __init__(self, taken: set[tuple[int, int]] = frozenset()) -> None:
        self.taken = taken  # (modifiers without NOREPEAT, vk) held by "another application"
        self.registered: dict[int, tuple[int, int]] = {}
        self.calls: list[tuple] = []
        self.last_error = 0

    def RegisterHotKey(self, hwnd, hotkey_id, modifiers, vk):  # noqa: N802 - the Win32 name
        self.calls.append(("RegisterHotKey", hwnd, hotkey_id, modifiers, vk))
        if (modifiers & ~MOD_NOREPEAT, vk) in self.taken:
            self.last_error = 1409  # ERROR_HOTKEY_ALREADY_REGISTERED
            return 0
        self.registered[hotkey_id] = (modifiers, vk)
        return 1

    def UnregisterHotKey(self, hwnd, hotkey_id):  # noqa: N802
        self.calls.append(("UnregisterHotKey", hwnd, hotkey_id))
        return int(self.registered.pop(hotkey_id, None) is not None)


@pytest.fixture
def user32():
    return FakeUser32(taken={(MOD_CONTROL | MOD_ALT | MOD_SHIFT, ord("Q"))})


@pytest.fixture
def backend(qapp, user32):
    b = WindowsBackend(api=Win32Hotkeys(user32, lambda: user32.last_error))
    yield b
    b.close()


def post_hotkey(backend, hotkey_id: int, event_type: bytes = b"windows_generic_MSG"):
    msg = MSG(hwnd=None, message=WM_HOTKEY, wParam=hotkey_id, lParam=0)
    return backend.native_filter.nativeEventFilter(event_type, VoidPtr(ctypes.addressof(msg)))


def test_msg_layout_matches_win64():
    assert ctypes.sizeof(MSG) == 48
    assert MSG.wParam.offset == 16 and MSG.time.offset == 32


def test_register_calls(backend, user32):
    errors = backend.register({"toggle": "Ctrl+Alt+Shift+T", "menu": "Meta+F9", "stop": "Alt+Left"})
    assert errors == {}
    regs = [c[3:] for c in user32.calls if c[0] == "RegisterHotKey"]
    assert regs == [
        (MOD_CONTROL | MOD_ALT | MOD_SHIFT | MOD_NOREPEAT, ord("T")),
        (MOD_WIN | MOD_NOREPEAT, 0x78),  # VK_F9
        (MOD_ALT | MOD_NOREPEAT, 0x25),  # VK_LEFT
    ]
    assert all(c[1] is None for c in user32.calls)  # thread hotkeys: hwnd NULL


def test_wm_hotkey_dispatch(backend, qtbot):
    backend.register({"toggle": "Ctrl+Alt+Shift+T", "stop": "Ctrl+Alt+Shift+S"})
    stop_id = next(i for i, a in backend.registered.items() if a == "stop")
    with qtbot.waitSignal(backend.activated, timeout=1000) as blocker:
        assert post_hotkey(backend, stop_id) == (True, 0)
    assert blocker.args == ["stop"]
    # The dispatcher flavour of the event type is accepted too.
    with qtbot.waitSignal(backend.activated, timeout=1000):
        post_hotkey(backend, stop_id, b"windows_dispatcher_MSG")


def test_foreign_messages_pass_through(backend, qtbot):
    backend.register({"toggle": "Ctrl+Alt+Shift+T"})
    with qtbot.assertNotEmitted(backend.activated):
        assert post_hotkey(backend, 12345) == (False, 0)  # someone else's hotkey id
        other = MSG(message=0x0100, wParam=next(iter(backend.registered)))  # WM_KEYDOWN
        assert backend.native_filter.nativeEventFilter(
            b"windows_generic_MSG", VoidPtr(ctypes.addressof(other))
        ) == (False, 0)
        xcb = backend.native_filter.nativeEventFilter(b"xcb_generic_event_t", VoidPtr(0))
        assert xcb == (False, 0)


def test_clash_is_reported(backend, user32):
    errors = backend.register({"toggle": "Ctrl+Alt+Shift+T", "quick_start": "Ctrl+Alt+Shift+Q"})
    assert errors == {"quick_start": "Ctrl+Alt+Shift+Q is already used by another application"}
    assert list(backend.registered.values()) == ["toggle"]


def test_other_errors_and_unknown_keys(backend, user32):
    user32.taken = {(MOD_CONTROL | MOD_ALT, 0x70)}
    user32.last_error = 0
    orig = user32.RegisterHotKey

    def failing(hwnd, hotkey_id, modifiers, vk):
        result = orig(hwnd, hotkey_id, modifiers, vk)
        if not result:
            user32.last_error = 87  # ERROR_INVALID_PARAMETER
        return result

    user32.RegisterHotKey = failing
    errors = backend.register({"toggle": "Ctrl+Alt+F1", "stop": "Ctrl+Shift+!"})
    assert errors["toggle"] == "Ctrl+Alt+F1: Windows refused the hotkey (error 87)"
    assert "cannot be used" in errors["stop"]


def test_register_replaces_and_unregister_all(backend, user32, qtbot):
    backend.register({"toggle": "Ctrl+Alt+Shift+T"})
    old_id = next(iter(backend.registered))
    backend.register({"stop": "Ctrl+Alt+Shift+S"})
    assert ("UnregisterHotKey", None, old_id) in user32.calls
    assert list(backend.registered.values()) == ["stop"]
    backend.unregister_all()
    assert user32.registered == {}
    with qtbot.assertNotEmitted(backend.activated):
        post_hotkey(backend, old_id)
