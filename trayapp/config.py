"""Non-secret settings, as a small JSON file in the user config dir. The key is not here:
it lives in the OS keyring (see secrets.py)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .api.urls import DEFAULT_GATEWAY_URL, check_gateway_url
from .core.models import Service
from .paths import config_dir

log = logging.getLogger(__name__)

LEFT_CLICK_ACTIONS = {
    "toggle": "Stop, or open quick start when nothing runs",
    "menu": "Open the menu",
    "quick_start": "Open quick start",
    "new_timer": "Open the new timer dialog",
}


@dataclass
class Config:
    service: str | None = None  # the service the tray tracks on: "toggl-track" | "clockify"
    connections: dict[str, str] = field(default_factory=dict)  # service -> Maton connection id
    workspaces: dict[str, str] = field(default_factory=dict)  # service -> workspace id
    left_click: str = "toggle"
    hotkeys: dict[str, str] = field(default_factory=dict)  # action -> key sequence
    welcomed: bool = False  # the first-launch explanation was shown

    @classmethod
    def path(cls) -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Config:
        try:
            data = json.loads(cls.path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings unreadable (%s); using defaults", exc)
            return cls()
        known = {f.name for f in fields(cls)}
        config = cls(**{k: v for k, v in data.items() if k in known})
        if config.left_click not in LEFT_CLICK_ACTIONS:
            config.left_click = "toggle"
        return config

    def connected(self) -> list[Service]:
        """The services with a Maton connection, in a fixed order (Toggl Track first)."""
        return [s for s in Service if s.value in self.connections]

    def save(self) -> None:
        """Atomic write: a crash leaves the old file or the new one, never half of one."""
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(self), out, indent=2, sort_keys=True)
        os.replace(tmp, path)


def gateway_url() -> str:
    """TRAYAPP_GATEWAY_URL when set (and allowed), else Maton's public gateway."""
    return check_gateway_url(os.environ.get("TRAYAPP_GATEWAY_URL") or DEFAULT_GATEWAY_URL)
