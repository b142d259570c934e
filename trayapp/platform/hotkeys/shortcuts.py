"""The global shortcuts as the user set them: the backend chosen for this desktop, the bindings
(the defaults, then the user's), and which of them could not be bound."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from .base import DEFAULT_BINDINGS, HotkeyBackend

log = logging.getLogger(__name__)


class Shortcuts(QObject):
    activated = Signal(str)  # an action name: "toggle", "stop", "quick_start", ...
    errors_changed = Signal(dict)  # action -> why it is not bound (the full current set)
    paused_changed = Signal(bool)  # the grabs were released (True) or taken back (False)

    def __init__(self, backend: HotkeyBackend, bindings: dict[str, str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.bindings = {**DEFAULT_BINDINGS, **bindings}
        self.errors: dict[str, str] = {}
        self.extra: dict[str, str] = {}  # numbered actions' bindings (favorite:<n>)
        backend.activated.connect(self.activated)
        backend.errors_changed.connect(self._answered)

    @classmethod
    def for_this_desktop(cls, bindings: dict[str, str], parent: QObject | None = None
                         ) -> Shortcuts:
        from . import create_backend

        return cls(create_backend(parent), bindings, parent)

    @property
    def name(self) -> str:
        return self.backend.name

    @property
    def available(self) -> bool:
        return self.backend.available

    @property
    def unavailable_reason(self) -> str:
        return self.backend.unavailable_reason

    def bind(self, bindings: dict[str, str] | None = None) -> dict[str, str]:
        """(Re)bind the shortcuts; returns action -> why it could not be bound."""
        if bindings is not None:
            self.bindings = {**DEFAULT_BINDINGS, **bindings}
        self._answered(self.backend.register({**self.bindings, **self.extra}))
        return self.errors

    def pause(self, paused: bool) -> None:
        """While a shortcut is being recorded, the keys must reach the field (see base)."""
        before = self.backend.paused
        self.backend.pause(paused)
        if self.backend.paused != before:
            self.paused_changed.emit(self.backend.paused)

    def close(self) -> None:
        self.backend.close()

    def _answered(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        for action, why in errors.items():
            log.warning("shortcut for %s not set: %s", action, why)
        self.errors_changed.emit(self.errors)
