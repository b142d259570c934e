"""The idle backends that cannot run here (Windows, macOS) against stand-ins of their system
calls, and the choice of backend. The X11 and D-Bus ones run for real in tests/desktop."""

from __future__ import annotations

import ctypes

from trayapp.platform import idle
from trayapp.platform.idle.base import IdleSource, NullSource
from trayapp.platform.idle.macos import ANY_INPUT_EVENT, HID_SYSTEM_STATE, MacSource
from trayapp.platform.idle.windows import LASTINPUTINFO, WindowsSource


class User32:
    def __init__(self, last: int) -> None:
        self.last = last

    def GetLastInputInfo(self, pointer) -> int:  # noqa: N802 (the API's name)
        info = ctypes.cast(pointer, ctypes.POINTER(LASTINPUTINFO)).contents
        assert info.cbSize == ctypes.sizeof(LASTINPUTINFO)
        info.dwTime = self.last
        return 1


class Kernel32:
    def __init__(self, now: int) -> None:
        self.now = now

    def GetTickCount(self) -> int:  # noqa: N802
        return self.now


def test_windows_idle_time_and_the_49_day_wrap():
    source = WindowsSource(User32(last=10_000), Kernel32(now=12_500))
    assert source.available and source.idle_seconds() == 2.5
    wrapped = WindowsSource(User32(last=0xFFFFFF00), Kernel32(now=0x100))  # tick wrapped
    assert wrapped.idle_seconds() == 0x200 / 1000


class CoreGraphics:
    def __init__(self, value: float) -> None:
        def since(state: int, kind: int) -> float:
            assert (state, kind) == (HID_SYSTEM_STATE, ANY_INPUT_EVENT)
            return value

        self.CGEventSourceSecondsSinceLastEventType = since


def test_macos_idle_time():
    source = MacSource(CoreGraphics(42.5))
    assert source.available and source.idle_seconds() == 42.5
    assert not MacSource(CoreGraphics(-1.0)).available


def test_a_source_that_fails_its_first_reading_says_why():
    class Broken(IdleSource):
        name = "broken"

        def idle_seconds(self) -> float | None:
            raise OSError("no such thing")

    source = Broken()
    source.probe()
    assert not source.available and "no such thing" in source.reason


def test_the_choice_names_why_nothing_works(monkeypatch):
    monkeypatch.setenv("TRAYAPP_IDLE", "none")
    source = idle.create_source()
    assert isinstance(source, NullSource) and "TRAYAPP_IDLE=none" in source.reason
    monkeypatch.delenv("TRAYAPP_IDLE")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(idle.sys, "platform", "linux")
    source = idle.create_source()
    assert not source.available and source.idle_seconds() is None
    assert "no X display" in source.reason


def test_wayland_never_trusts_xwayland_counter(monkeypatch):
    tried: list[str] = []

    def fails(name: str):
        def make() -> IdleSource:
            tried.append(name)
            return NullSource(f"{name} absent")
        return make

    monkeypatch.setattr(idle, "_x11", fails("x11"))
    monkeypatch.setattr(idle, "_mutter", fails("mutter"))
    monkeypatch.setattr(idle, "_screensaver", fails("screensaver"))
    monkeypatch.setattr(idle.sys, "platform", "linux")
    monkeypatch.delenv("TRAYAPP_IDLE", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")
    source = idle.create_source()
    assert tried == ["mutter", "screensaver"]
    assert "mutter absent; screensaver absent" in source.reason
    tried.clear()
    monkeypatch.delenv("WAYLAND_DISPLAY")
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    idle.create_source()
    assert tried == ["x11", "mutter", "screensaver"]
