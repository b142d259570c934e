"""Idle time in the app: the question window, its line in the tray menu, the Settings
section, and `IdleController`, which reads the idle source while a timer runs and turns the
user's answer into the same requests the command line sends. The rules are control/idle.py's.

The app makes one controller, which follows the tray (`Tray.snapshot_shown`: a timer runs or
not), and hands it the settings window once made (`with_section`) and the replies to the
command socket (`with_idle_seconds`, so `trayapp status --json` reports `idle_seconds`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..config import IDLE_MINUTES_MAX, Config
from ..control import idle as rules
from ..control.actions import Request
from ..control.idle import LABELS, Answer, IdleSpell, IdleWatcher
from ..control.notices import Notice
from ..core.durations import utcnow
from ..core.models import Service, TimeEntry
from ..platform.idle import IdleSource, NullSource, create_source
from .settings.common import ERROR_COLOR, muted
from .text import menu_text, shown

if TYPE_CHECKING:
    from ..sync.snapshot import Snapshot
    from .settings import SettingsWindow
    from .tray import Tray

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]


class Host(Protocol):
    """What the controller needs of the app (app.py's TrayApp)."""

    config: Config
    tray: Tray
    idle: IdleController
    snapshots: dict[Service, Snapshot]

    @property
    def service(self) -> Service: ...

    def dispatch(self, request: Request, reply: Reply | None = None) -> None: ...

    def notify(self, notice: Notice) -> None: ...


class IdleQuestion(QWidget):
    """"You were idle from 12:05 to 12:40 (35 min) while tracking “X”" and the four answers.
    It shows without taking the focus: someone typing when it appears must not answer it by
    pressing Enter or Space. Closing it is no answer: the tray menu offers it again."""

    answered = Signal(object, str)  # Answer, the new entry's description (Answer.ADD)

    def __init__(self, spell: IdleSpell, project: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.spell = spell
        self.setWindowTitle("Idle time — trayapp")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.message = QLabel(shown(spell.text(project)))
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # descriptions are anyone's text
        self.message.setWordWrap(True)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.message.setFont(font)
        self.hint = muted("What should happen to the idle time? Whatever you choose "
                          "applies from the time you left, however late you answer.")
        self.buttons: dict[Answer, QPushButton] = {}
        for answer in Answer:
            button = QPushButton(LABELS[answer])
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, a=answer: self._answer(a))
            self.buttons[answer] = button
        self.buttons[Answer.KEEP].setToolTip("The entry keeps running as it is.")
        self.buttons[Answer.DISCARD].setToolTip("The entry stops at the time you left.")
        self.buttons[Answer.DISCARD_CONTINUE].setToolTip(
            "The entry stops at the time you left and goes on from the time you came back.")
        self.buttons[Answer.ADD].setToolTip(
            "The idle time becomes an entry of its own; the timer goes on from the time you "
            "came back.")
        self.description = QLineEdit()
        self.description.setPlaceholderText("optional, e.g. Lunch @Project")
        self.description.setMinimumWidth(200)
        self.description.setClearButtonEnabled(True)
        self.description.returnPressed.connect(lambda: self._answer(Answer.ADD))
        name = QLabel("&Name of the new entry:")
        name.setBuddy(self.description)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        top = QHBoxLayout()
        for answer in (Answer.KEEP, Answer.DISCARD, Answer.DISCARD_CONTINUE):
            top.addWidget(self.buttons[answer])
        layout.addLayout(top)
        add = QHBoxLayout()
        add.addWidget(name)
        add.addWidget(self.description, 1)
        add.addWidget(self.buttons[Answer.ADD])
        layout.addLayout(add)
        self.setMinimumWidth(600)

    def _answer(self, answer: Answer) -> None:
        self.answered.emit(answer, self.description.text().strip())
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Escape:
            self.close()  # no answer: asked again from the menu
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        self.hide()
        event.accept()


class IdleSection(QGroupBox):
    """Settings: after how many minutes without input to ask about idle time (0: never),
    and, where no idle source works, why."""

    changed = Signal()

    def __init__(self, config: Config, source: IdleSource) -> None:
        super().__init__("Idle time")
        self.config = config
        self.minutes = QSpinBox()
        self.minutes.setRange(0, IDLE_MINUTES_MAX)
        self.minutes.setSuffix(" min")
        self.minutes.setSpecialValueText("Never")
        self.minutes.setValue(config.idle_minutes)
        self.minutes.setToolTip("0 turns the question off")
        self.minutes.valueChanged.connect(self._chosen)
        label = QLabel("Ask about idle time after &no input for:")
        label.setBuddy(self.minutes)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.minutes)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        self.explanation = muted(
            "When you come back while a timer ran, trayapp asks whether to keep the idle "
            "time, discard it, or make it an entry of its own.")
        layout.addWidget(self.explanation)
        self.unavailable = QLabel()
        self.unavailable.setTextFormat(Qt.TextFormat.PlainText)
        self.unavailable.setWordWrap(True)
        self.unavailable.setStyleSheet(f"color: {ERROR_COLOR};")
        layout.addWidget(self.unavailable)
        self.show_source(source)

    def show_source(self, source: IdleSource) -> None:
        if source.available:
            self.unavailable.hide()
        else:
            reason = source.reason.rstrip(".")
            self.unavailable.setText(
                f"Idle detection is not available on this desktop: {reason}.")
            self.unavailable.show()
        self.minutes.setEnabled(source.available)

    def _chosen(self, value: int) -> None:
        if value != self.config.idle_minutes:
            self.config.idle_minutes = value
            self.changed.emit()


class IdleController(QObject):
    """Reads the idle source while a timer runs (as rarely as the rules allow), asks the
    question, and carries out the answer through the app's one dispatcher."""

    asked = Signal(object)  # IdleSpell: a question was raised

    def __init__(self, app: Host, source: IdleSource | None = None,
                 now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(app if isinstance(app, QObject) else None)
        self.app = app
        self._source = source
        self._now = now
        self.watcher = IdleWatcher(app.config.idle_minutes)
        self.window: IdleQuestion | None = None
        self.menu_action: QAction | None = None
        self.section: IdleSection | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.poll)
        # After the tray's own handler: the menu is rebuilt by then, the line goes on top.
        app.tray.menu.aboutToShow.connect(self._add_to_menu)
        app.tray.snapshot_shown.connect(self.snapshot_changed)

    @property
    def source(self) -> IdleSource:
        if self._source is None:  # made when first needed: not on the way to the icon
            try:
                self._source = create_source()
            except Exception as exc:  # a broken backend must not break the tray
                log.exception("no idle source")
                self._source = NullSource(f"it failed to start ({exc})")
        return self._source

    @property
    def pending(self) -> IdleSpell | None:
        return self.watcher.pending

    def _running(self) -> tuple[Service, TimeEntry | None]:
        where, entry = self.app.tray.running()
        return (where or self.app.service), entry

    # -- readings -----------------------------------------------------------------------------
    def snapshot_changed(self, *_: object) -> None:
        """A timer started: read now (and so on, as the rules say); none runs: no readings."""
        if self._running()[1] is None:
            self._timer.stop()
            self.watcher.reset()
        elif not self._timer.isActive() and self.watcher.pending is None \
                and self.watcher.enabled:
            self._timer.start(0)

    def poll(self) -> None:
        self._timer.stop()  # (when called before it was due)
        service, entry = self._running()
        if entry is None or not self.watcher.enabled or self.watcher.pending is not None:
            return
        idle = self.source.idle_seconds() if self.source.available else None
        if idle is None:
            return  # nothing to read here: no further readings either
        now = self._now()
        spell = self.watcher.sample(now, idle, entry, service)
        if spell is not None:
            self.ask(spell)
            return
        delay = self.watcher.next_poll(idle, now)
        if delay is not None:
            self._timer.start(int(delay * 1000))

    def set_minutes(self, minutes: int) -> None:
        self.watcher.set_minutes(minutes)
        self._timer.stop()
        self.snapshot_changed()

    def idle_seconds(self) -> int | None:
        """For `status --json`: now, or None where there is no idle source."""
        if not self.source.available:
            return None
        value = self.source.idle_seconds()
        return None if value is None else int(value)

    def with_idle_seconds(self, reply: Reply) -> Reply:
        """The reply to a command, with `idle_seconds` filled in where the status is."""
        def answer(message: dict[str, Any]) -> None:
            status = message.get("status")
            if isinstance(status, dict) and "idle_seconds" in status:
                status["idle_seconds"] = self.idle_seconds()
            reply(message)

        return answer

    # -- the question -------------------------------------------------------------------------
    def ask(self, spell: IdleSpell) -> None:
        log.info("idle from %s to %s while a timer ran: asking", spell.started, spell.ended)
        self.asked.emit(spell)
        self.show_question()

    def ask_about(self, spell: IdleSpell) -> bool:
        """A spell the system told of (asleep, locked: ui/session_events.py), asked like one
        the idle source saw. Not when a question waits already (it covers the same time
        away, told by the idle counter); False then."""
        if self.watcher.pending is not None:
            return False
        self._timer.stop()
        self.watcher.reset()
        self.watcher.pending = spell
        self.ask(spell)
        return True

    def show_question(self) -> None:
        spell = self.watcher.pending
        if spell is None:
            return
        if self.window is None or not shiboken6.isValid(self.window) \
                or self.window.spell is not spell:
            if self.window is not None and shiboken6.isValid(self.window):
                self.window.deleteLater()
            snap = self.app.snapshots.get(spell.service or self.app.service)
            project = snap.project_label(spell.entry.project_id) if snap else None
            self.window = IdleQuestion(spell, project)
            self.window.answered.connect(self.answer)
        self.window.show()
        self.window.raise_()

    def _add_to_menu(self) -> None:
        spell = self.watcher.pending
        if spell is None:
            self.menu_action = None
            return
        menu = self.app.tray.menu
        first, last = (t.astimezone().strftime("%H:%M") for t in (spell.started, spell.ended))
        action = QAction(menu_text(f"Idle {first}–{last}: keep or discard…", 60), menu)
        action.triggered.connect(self.show_question)
        actions = menu.actions()  # under the running entry's line
        if len(actions) > 1:
            menu.insertAction(actions[1], action)
        else:
            menu.addAction(action)
        self.menu_action = action

    def answer(self, answer: Answer, description: str = "") -> None:
        """Carry out `answer` to the waiting question: its requests one after the other,
        each once the one before was applied."""
        spell = self.watcher.pending
        if spell is None:
            return
        service = spell.service or self.app.service
        snap = self.app.snapshots.get(service)
        running = snap.running if snap is not None else None
        entries = list(snap.entries) if snap is not None else []
        self.watcher.answered()
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.hide()
        if answer is not Answer.KEEP and not rules.still_applies(spell, running, entries):
            self.app.notify(Notice("Idle time not changed", "The entry it was about has been "
                                   "stopped before, changed or deleted since."))
        else:
            self.send(rules.requests(answer, spell, running, description))
        self.snapshot_changed()

    def send(self, requests: list[Request]) -> None:
        if not requests:
            return
        first, rest = requests[0], requests[1:]

        def then(reply: dict[str, Any]) -> None:
            if reply.get("exit") in (0, 75):  # done, or saved and still being sent
                self.send(rest)
            else:
                self.app.notify(Notice("Idle time not changed", str(
                    reply.get("error") or "The change was refused.")))

        self.app.dispatch(first, then)

    # -- settings ---------------------------------------------------------------------------------
    def with_section(self, window: SettingsWindow) -> SettingsWindow:
        """The settings window, with the idle section added."""
        section = IdleSection(self.app.config, self.source)
        section.changed.connect(window.save)
        section.changed.connect(lambda: self.set_minutes(self.app.config.idle_minutes))
        window.add_section(section)
        self.section = section
        return window
