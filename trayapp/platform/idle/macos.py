"""macOS: CGEventSourceSecondsSinceLastEventType(HID system state, any input event), through
ctypes on CoreGraphics (no pyobjc). No permission prompt is needed to read it."""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from .base import IdleSource

HID_SYSTEM_STATE = 1  # kCGEventSourceStateHIDSystemState
ANY_INPUT_EVENT = 0xFFFFFFFF  # kCGAnyInputEventType
FRAMEWORK = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"


class MacSource(IdleSource):
    name = "macos"

    def __init__(self, library: Any = None) -> None:
        super().__init__()
        if library is None:
            try:
                library = ctypes.CDLL(ctypes.util.find_library("CoreGraphics") or FRAMEWORK)
            except OSError as exc:
                self.reason = f"CoreGraphics could not be loaded ({exc})"
                return
        fn = library.CGEventSourceSecondsSinceLastEventType
        fn.restype = ctypes.c_double
        fn.argtypes = [ctypes.c_int32, ctypes.c_uint32]
        self._since = fn
        self.probe()

    def idle_seconds(self) -> float | None:
        value = float(self._since(HID_SYSTEM_STATE, ANY_INPUT_EVENT))
        return value if value >= 0 else None
