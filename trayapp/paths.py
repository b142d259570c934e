"""Where trayapp keeps things: the platform's user directories (XDG on Linux)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_config_path, user_data_path

from . import APP_NAME


def config_dir() -> Path:
    return user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False)


def store_path(demo: bool = False) -> Path:
    return data_dir() / ("demo.sqlite3" if demo else "trayapp.sqlite3")


def log_path() -> Path:
    return data_dir() / "trayapp.log"
