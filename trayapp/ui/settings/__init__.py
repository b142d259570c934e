"""The settings window, one small section per concern (see window.py).

The window and its sections load when it is first opened, not when the tray starts."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .window import SettingsWindow

__all__ = ["SettingsWindow"]


def __getattr__(name: str) -> Any:
    if name == "SettingsWindow":
        from .window import SettingsWindow

        return SettingsWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
