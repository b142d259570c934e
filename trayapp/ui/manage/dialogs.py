"""The manager's small dialogs: a project (name, client, colour, billable) and a name (a
client, a tag, a task; new or renamed)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.text import fit_to_send
from ..text import elided

# Toggl Track's project palette (its free plan takes these only); Clockify takes any colour.
PALETTE = ("#0b83d9", "#9e5bd9", "#d94182", "#e36a00", "#bf7000", "#2da608", "#06a893",
           "#c9806b", "#465bb3", "#990099", "#566614", "#525266")
NO_CLIENT = "(No client)"
MAX_NAME = 255


class ColorRow(QWidget):
    """A row of swatches and Custom…; `color` is the chosen one (#rrggbb)."""

    def __init__(self, color: str, custom: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.color = color.lower() if QColor(color).isValid() else PALETTE[0]
        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for value in PALETTE:
            button = QToolButton()
            button.setCheckable(True)
            button.setFixedSize(QSize(22, 22))
            button.setToolTip(value)
            button.setAccessibleName(f"Colour {value}")
            button.clicked.connect(lambda _=False, v=value: self.choose(v))
            row.addWidget(button)
            self.buttons[value] = button
        self.custom = QPushButton("Custom…")
        self.custom.setVisible(custom)
        self.custom.clicked.connect(self._custom)
        row.addWidget(self.custom)
        row.addStretch(1)
        self.choose(self.color)

    def choose(self, value: str) -> None:
        self.color = value.lower()
        for key, button in self.buttons.items():
            chosen = key == self.color
            button.setChecked(chosen)
            border = "2px solid palette(text)" if chosen else "1px solid palette(mid)"
            button.setStyleSheet(f"QToolButton {{ background: {key}; border: {border};"
                                 " border-radius: 11px; }")
        if self.color not in self.buttons:
            self.custom.setStyleSheet(f"QPushButton {{ border-left: 14px solid {self.color}; }}")
        else:
            self.custom.setStyleSheet("")

    def _custom(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, "Project colour")
        if chosen.isValid():
            self.choose(chosen.name())


def _name_field(text: str, placeholder: str) -> QLineEdit:
    field = QLineEdit(text)
    field.setPlaceholderText(placeholder)
    field.setMaxLength(MAX_NAME)
    field.setClearButtonEnabled(True)
    return field


class ProjectDialog(QDialog):
    """A new project, or one to change: name, client, colour, billable."""

    def __init__(self, parent: QWidget | None, *, clients: Sequence[str], name: str = "",
                 client: str | None = None, color: str = PALETTE[0], billable: bool = False,
                 new: bool = True, custom_colors: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project" if new else f"Edit project “{name}”")
        self.original = (name, client, color.lower(), billable)
        self.name = _name_field(name, "Project name")
        self.client = QComboBox()
        self.client.setEditable(True)
        self.client.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.client.addItem(NO_CLIENT)
        self.client.addItems(sorted(clients, key=str.casefold))
        self._clients = {name.casefold() for name in clients}
        line = self.client.lineEdit()
        if line is not None:
            line.setPlaceholderText("Type a new client's name, or pick one")
        self.client.setCurrentText(client or NO_CLIENT)
        self.colors = ColorRow(color, custom_colors)
        self.billable = QCheckBox("Billable by default")
        self.billable.setChecked(billable)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Client", self.client)
        form.addRow("Colour", self.colors)
        form.addRow("", self.billable)
        # "Create client 'Y'": said while the client typed is one that does not exist yet.
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # it repeats what was typed
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create project" if new else "Save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.name.textChanged.connect(self._check)
        self.client.currentTextChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(480)

    def _check(self) -> None:
        self.ok.setEnabled(bool(fit_to_send(self.name.text())))
        client = self.new_client()
        self.hint.setText(f"Create client “{elided(client, 40)}”: it is made with the "
                          "project." if client else "")
        self.hint.setVisible(bool(client))

    def new_client(self) -> str | None:
        """The client typed, when no client has that name (it is created first)."""
        client = self.values()["client"]
        return str(client) if client and str(client).casefold() not in self._clients else None

    def values(self) -> dict[str, object]:
        """name, client (None: none), color, billable."""
        client = fit_to_send(self.client.currentText())
        return {"name": fit_to_send(self.name.text()),
                "client": None if not client or client == NO_CLIENT else client,
                "color": self.colors.color, "billable": self.billable.isChecked()}

    def changes(self) -> dict[str, object]:
        """What differs from the project as it was."""
        values = self.values()
        before = dict(zip(("name", "client", "color", "billable"), self.original, strict=True))
        return {k: v for k, v in values.items() if v != before[k]}


class NameDialog(QDialog):
    """A name to give: a new client, tag or task, or a new name for one."""

    def __init__(self, parent: QWidget | None, title: str, label: str, *, name: str = "",
                 ok: str = "Save", choices: Sequence[str] = (), choice_label: str = "",
                 choice: str | None = None, new: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.field = _name_field(name, label)
        self.field.selectAll()
        form = QFormLayout()
        self.choice: QComboBox | None = None
        if choices:
            self.choice = QComboBox()
            self.choice.addItems(list(choices))
            if choice:
                self.choice.setCurrentText(choice)
            form.addRow(choice_label, self.choice)
        form.addRow(label, self.field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.original = "" if new else fit_to_send(name)
        self.field.textChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(400)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _check(self) -> None:
        text = fit_to_send(self.field.text())
        self.ok.setEnabled(bool(text) and text != self.original)

    def value(self) -> str:
        return fit_to_send(self.field.text())

    def chosen(self) -> str | None:
        return self.choice.currentText() if self.choice is not None else None
