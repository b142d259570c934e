"""Behaviour: what a left click on the icon does, and starting at login."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox

from ...config import LEFT_CLICK_ACTIONS, Config
from ...platform import autostart


class BehaviourSection(QGroupBox):
    changed = Signal()  # the settings changed (not yet saved)
    problem = Signal(object)

    def __init__(self, config: Config) -> None:
        super().__init__("Behaviour")
        self.config = config
        self._updating = False
        form = QFormLayout(self)
        form.setHorizontalSpacing(12)
        self.left_click = QComboBox()
        for action, label in LEFT_CLICK_ACTIONS.items():
            self.left_click.addItem(label, action)
        self.left_click.setToolTip("What a left click on the tray icon does")
        self.left_click.currentIndexChanged.connect(self._left_click_chosen)
        self.autostart = QCheckBox("Start trayapp when I log in")
        self.autostart.toggled.connect(self._autostart_toggled)
        form.addRow("Left click on the icon:", self.left_click)
        form.addRow("", self.autostart)

    def load(self) -> None:
        """The settings, and whether start at login is on (it can change behind our back)."""
        self._updating = True
        try:
            self.left_click.setCurrentIndex(max(0, self.left_click.findData(
                self.config.left_click)))
            try:
                enabled = autostart.is_enabled()
            except OSError:
                enabled = False
            self.autostart.setChecked(enabled)
        finally:
            self._updating = False

    def _left_click_chosen(self) -> None:
        if not self._updating:
            self.config.left_click = self.left_click.currentData()
            self.changed.emit()

    def _autostart_toggled(self, enabled: bool) -> None:
        if self._updating:
            return
        try:
            autostart.set_enabled(enabled)
        except OSError as exc:
            self.problem.emit(f"Could not change start on login: {exc.strerror or exc}")
            self._updating = True
            self.autostart.setChecked(not enabled)
            self._updating = False
