"""What a quick entry was read as, shown under the field it is typed in: the project (its
colour), task, tags and billable, then each problem in words with its choices as links
(clicking one rewrites the name in the text); a project no one has is offered as "Create
project 'X'" (`create_chosen`). Names come from the user and the services:
the summary is plain text, and the problems' rich text escapes every name."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..control.inline import is_new
from ..core.quick_entry import Choice, Problem, Resolved
from .icons import swatch_icon
from .text import elided, shown

ERROR_COLOR = "#d1242f"
WARNING_COLOR = "#9a6700"
HINT_COLOR = "#6e7781"


def summary(found: Resolved) -> str:
    """'Acme / Website · Testing · #bug #review · billable' (plain text)."""
    parts = []
    if found.project is not None:
        parts.append(elided(found.project.label, 40)
                     + (" (new project)" if is_new(found.project.id) else ""))
    if found.task is not None:
        parts.append(elided(found.task.name, 30))
    if found.tags:
        parts.append(" ".join("#" + elided(tag, 24) for tag in found.tags))
    if found.billable_given:
        parts.append("billable")
    return " · ".join(parts)


def creatable(problem: Problem) -> bool:
    """A project named that no project has (archived ones included): it may be created."""
    return (problem.kind == "project" and problem.mention is not None
            and problem.message.startswith("No project named") and bool(problem.name.strip()))


def create_label(problem: Problem) -> str:
    return f"Create project “{' '.join(problem.name.split())}”"


class Understood(QWidget):
    choice_chosen = Signal(object, object)  # Problem, Choice
    create_chosen = Signal(object)  # Problem: "Create project 'X'" clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.swatch = QLabel()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.problems = QLabel()
        self.problems.setTextFormat(Qt.TextFormat.RichText)  # names escaped in _render
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                              | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.problems.linkActivated.connect(self._link)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.swatch)
        row.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.problems)
        self._shown: tuple[Problem, ...] = ()
        self.can_create = True  # offer "Create project 'X'" for a project no one has
        self.show_resolved(None)

    def show_resolved(self, found: Resolved | None) -> None:
        text = summary(found) if found is not None else ""
        self.summary.setText(f"Understood: {text}" if text else "")
        self.summary.setVisible(bool(text))
        project = found.project if found is not None else None
        self.swatch.setVisible(project is not None)
        if project is not None:
            self.swatch.setPixmap(swatch_icon(project.color).pixmap(12, 12))
        self._shown = found.problems if found is not None else ()
        self.problems.setText(self._render(self._shown, self.can_create))
        self.problems.setVisible(bool(self._shown))
        self.setVisible(bool(text or self._shown))
        self._fit()

    def _fit(self) -> None:
        # A form layout asks a wrapped label its height for a guessed width: tell it the real
        # one, so a second line is neither cut off nor padded around.
        width = self.problems.width() if self.problems.isVisible() else 0
        self.problems.setMinimumHeight(self.problems.heightForWidth(max(width, 300)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._fit()

    @staticmethod
    def _render(problems: tuple[Problem, ...], can_create: bool = True) -> str:
        """Each problem's message, its choices made links where it names them."""
        lines = []
        for i, problem in enumerate(problems):
            color = ERROR_COLOR if problem.blocking else WARNING_COLOR
            message = shown(problem.message)
            links = ", ".join(f'<a href="{i}:{j}">{html.escape(shown(c.label), quote=False)}</a>'
                              for j, c in enumerate(problem.choices))
            listed = ", ".join(shown(c.label) for c in problem.choices)
            at = message.rfind(listed) if problem.choices else -1
            if at >= 0:
                body = (html.escape(message[:at], quote=False) + links
                        + html.escape(message[at + len(listed):], quote=False))
            else:
                body = html.escape(message, quote=False) + (f" Use: {links}" if links else "")
            if can_create and creatable(problem):
                label = html.escape(shown(create_label(problem)), quote=False)
                body += f' Or: <a href="new:{i}">{label}</a>'
            lines.append(f'<span style="color:{color}">{body}</span>')
        return "<br>".join(lines)

    def _link(self, href: str) -> None:
        i, _, j = href.partition(":")
        if i == "new":
            try:
                self.create_chosen.emit(self._shown[int(j)])
            except (ValueError, IndexError):
                pass
            return
        try:
            problem = self._shown[int(i)]
            choice: Choice = problem.choices[int(j)]
        except (ValueError, IndexError):
            return
        self.choice_chosen.emit(problem, choice)
