"""X11: the MIT-SCREEN-SAVER extension's idle time (the milliseconds since the last input the
X server saw), through ctypes on libX11 and libXss. One connection of our own, asked once per
reading: a single round trip."""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from .base import IdleSource


class XScreenSaverInfo(ctypes.Structure):
    _fields_ = [("window", ctypes.c_ulong), ("state", ctypes.c_int), ("kind", ctypes.c_int),
                ("til_or_since", ctypes.c_ulong), ("idle", ctypes.c_ulong),
                ("eventMask", ctypes.c_ulong)]


def _load(names: tuple[str, ...]) -> Any:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    found = ctypes.util.find_library(names[0].split(".so")[0].removeprefix("lib"))
    return ctypes.CDLL(found) if found else None


class XScreenSaverSource(IdleSource):
    name = "x11"

    def __init__(self, display_name: str | None = None) -> None:
        super().__init__()
        self._x: Any = None
        self._display: int | None = None
        xlib = _load(("libX11.so.6", "libX11.so"))
        xss = _load(("libXss.so.1", "libXss.so"))
        if xlib is None or xss is None:
            self.reason = "libXss (the X screen saver library) is not installed"
            return
        # The pointer and window types by hand: ctypes' default int would cut a 64-bit pointer.
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        xlib.XFree.argtypes = [ctypes.c_void_p]
        xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
        xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(XScreenSaverInfo)
        xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XScreenSaverInfo)]
        self._x, self._xss = xlib, xss
        self._display = xlib.XOpenDisplay(display_name.encode() if display_name else None)
        if not self._display:
            self._display = None
            self.reason = "cannot connect to the X display"
            return
        event, error = ctypes.c_int(), ctypes.c_int()
        if not xss.XScreenSaverQueryExtension(self._display, ctypes.byref(event),
                                              ctypes.byref(error)):
            self.reason = "the X server has no screen saver extension (MIT-SCREEN-SAVER)"
            self.close()
            return
        self._root = xlib.XDefaultRootWindow(self._display)
        self._info = xss.XScreenSaverAllocInfo()
        self.probe()

    def idle_seconds(self) -> float | None:
        if self._display is None:
            return None
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            return None
        return float(self._info.contents.idle) / 1000.0

    def close(self) -> None:
        if self._display is not None:
            if getattr(self, "_info", None):
                self._x.XFree(self._info)
                self._info = None
            self._x.XCloseDisplay(self._display)
            self._display = None
