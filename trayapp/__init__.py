"""trayapp: a system-tray time tracker for Toggl Track and Clockify through the Maton gateway."""

__version__ = "0.1.0"
APP_ID = "io.github.trayapp.TrayApp"
APP_NAME = "trayapp"
