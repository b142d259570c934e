"""The settings window, one small section per concern (see window.py)."""

from .window import SettingsWindow

__all__ = ["SettingsWindow"]
