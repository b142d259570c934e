"""Windows: GetLastInputInfo (the tick of the last input of this session) against
GetTickCount; both 32-bit milliseconds, so the difference wraps after 49.7 days."""

from __future__ import annotations

import ctypes
from typing import Any

from .base import IdleSource


class LASTINPUTINFO(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]


class WindowsSource(IdleSource):
    name = "windows"

    def __init__(self, user32: Any = None, kernel32: Any = None) -> None:
        super().__init__()
        if user32 is None or kernel32 is None:
            windll = getattr(ctypes, "windll", None)
            if windll is None:
                self.reason = "not Windows"
                return
            user32, kernel32 = windll.user32, windll.kernel32
            kernel32.GetTickCount.restype = ctypes.c_uint
        self._user32, self._kernel32 = user32, kernel32
        self.probe()

    def idle_seconds(self) -> float | None:
        info = LASTINPUTINFO()
        info.cbSize = ctypes.sizeof(LASTINPUTINFO)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        now = int(self._kernel32.GetTickCount())
        return ((now - int(info.dwTime)) & 0xFFFFFFFF) / 1000.0
