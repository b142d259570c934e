"""Tracking: which service new timers go to (when more than one can be used) and, per service,
which workspace."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QRadioButton,
    QVBoxLayout,
)

from ...config import Config
from ...control import accounts
from ...core import errors as e
from ...core.models import Service, Workspace
from ..text import shown, tooltip_text
from .common import Runner, muted

Found = dict[Service, list[Workspace] | e.TrackerError]


class TrackingSection(QGroupBox):
    changed = Signal()  # the settings changed (not yet saved)
    problem = Signal(object)

    def __init__(self, config: Config, run: Runner, services: Callable[[], list[Service]],
                 workspaces: Callable[[Service], list[Workspace]], demo: bool) -> None:
        super().__init__("Tracking")
        self.config = config
        self._run = run
        self._services = services  # what can be tracked on now (both, in the demo)
        self._lister = workspaces
        self.demo = demo
        self._found: Found = {}
        self._loading = False
        self._updating = False  # filling widgets from the settings must not save back

        form = QFormLayout(self)
        form.setHorizontalSpacing(12)
        self.group = QButtonGroup(self)
        self.radios: dict[Service, QRadioButton] = {}
        radios = QHBoxLayout()
        for service in Service:
            radio = QRadioButton(service.title)
            self.group.addButton(radio)
            self.radios[service] = radio
            radio.toggled.connect(lambda on, s=service: self._toggled(s, on))
            radios.addWidget(radio)
        radios.addStretch(1)
        self.hint = muted("Connect both accounts to choose between them.")
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addLayout(radios)
        box.addWidget(self.hint)
        form.addRow("Track time on:", box)
        self.combos: dict[Service, QComboBox] = {}
        for service in Service:
            combo = QComboBox()
            combo.setMinimumContentsLength(24)
            combo.setToolTip(f"Where new {service.title} timers go")
            combo.currentIndexChanged.connect(lambda _i, s=service: self._workspace_chosen(s))
            self.combos[service] = combo
            form.addRow(f"{service.title} workspace:", combo)
        self.form = form

    def show_state(self) -> None:
        """Show the settings as they are now (also after a change made elsewhere)."""
        available = self._services()
        chosen = accounts.choose_service(self.config, None, available) if available else None
        self._updating = True
        try:
            for service, radio in self.radios.items():
                radio.setEnabled(service in available and len(available) > 1)
                radio.setChecked(service is chosen)
            self.hint.setVisible(len(available) < 2)
            for service, combo in self.combos.items():
                # The demo's workspaces are the emulator's: never saved as the user's.
                self.form.setRowVisible(combo, service in available and not self.demo)
                self._fill(service)
        finally:
            self._updating = False

    def forget(self, service: Service) -> None:
        """Another connection: its workspaces must be asked for again."""
        self._found.pop(service, None)

    def load_workspaces(self) -> None:
        """One call for the services whose workspaces are not known yet."""
        wanted = [s for s in self._services() if s not in self._found]
        if not wanted or self._loading or self.demo:
            return
        self._loading = True

        def done(found: Found) -> None:
            self._loading = False
            self._found.update(found)
            self.show_state()

        def failed(error: e.TrackerError) -> None:
            self._loading = False
            self.problem.emit(error)

        self._run(lambda: accounts.workspaces(wanted, self._lister), done, failed,
                  "settings.workspaces")

    def _fill(self, service: Service) -> None:
        combo = self.combos[service]
        combo.blockSignals(True)
        combo.clear()
        found = self._found.get(service)
        if found is None:
            combo.addItem("Loading…", None)
            combo.setEnabled(False)
        elif isinstance(found, e.TrackerError):
            combo.addItem(f"Could not load: {found.title}", None)
            combo.setToolTip(tooltip_text(found.text))
            combo.setEnabled(False)
        else:
            combo.addItem("The account's default", None)
            for workspace in sorted(found, key=lambda w: w.name.casefold()):
                combo.addItem(shown(workspace.name), workspace.id)
            combo.setCurrentIndex(max(0, combo.findData(self.config.workspaces.get(service.value))))
            combo.setEnabled(True)
        combo.blockSignals(False)

    def _toggled(self, service: Service, on: bool) -> None:
        if not on or self._updating or self.config.service == service.value:
            return
        self.config.service = service.value
        self.changed.emit()

    def _workspace_chosen(self, service: Service) -> None:
        combo = self.combos[service]
        if self._updating or not combo.isEnabled():
            return
        if accounts.choose_workspace(self.config, service, combo.currentData()):
            self.changed.emit()
