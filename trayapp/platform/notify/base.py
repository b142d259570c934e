"""The interface every notification backend implements, and the one that works everywhere:
the tray icon's balloon (QSystemTrayIcon.showMessage), which has no buttons."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

#: (id, label) of a button. The id "default" is the notification itself being clicked.
Action = tuple[str, str]
DEFAULT = "default"


class Notifier(QObject):
    """Shows notifications by key: showing a key again replaces what it showed (a "Timer
    running" notification is updated in place, never stacked)."""

    invoked = Signal(str, str)  # key, action id: the user pressed a button (or clicked it)
    closed = Signal(str)  # key: gone (dismissed, expired or withdrawn) without an action

    name = "none"

    @property
    def has_actions(self) -> bool:
        """Whether the buttons passed to `show` are shown (and can come back as `invoked`)."""
        return False

    def show(self, key: str, title: str, body: str, actions: Sequence[Action] = (), *,
             persistent: bool = False) -> None:
        """`body`: as ui/text.py's `notification` makes it (escaped where read as markup).
        `persistent`: a question that stays until answered, where the desktop allows."""
        raise NotImplementedError

    def withdraw(self, key: str) -> None:
        """Take it away if still shown (the question was answered elsewhere)."""

    def close(self) -> None:
        """Let go of any connection (safe to repeat)."""


class BalloonNotifier(Notifier):
    """The tray icon's message: no buttons anywhere. A click on it (where the desktop reports
    one) is the "default" action of the last one shown."""

    name = "balloon"

    def __init__(self, icon: QSystemTrayIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = icon
        self._last = ""
        icon.messageClicked.connect(self._clicked)

    def show(self, key: str, title: str, body: str, actions: Sequence[Action] = (), *,
             persistent: bool = False) -> None:
        self._last = key
        self.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 10_000)

    def withdraw(self, key: str) -> None:
        if key == self._last:
            self._last = ""

    def _clicked(self) -> None:
        if self._last:
            self.invoked.emit(self._last, DEFAULT)
