"""Favorites in the app: their lines at the top of the tray menu and of Quick start, "Pin to
favorites" in the menu's Recent submenu, a global shortcut each, and the Settings section to
reorder, rename, remove them and set their shortcuts. The rules are control/favorites.py's;
a favorite starts through the app's one dispatcher, with the `start` request and its draft.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QInputDialog,
    QKeySequenceEdit,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
)

from ..config import Config
from ..control import favorites as rules
from ..control.actions import Request
from ..control.notices import Notice
from ..core.models import EntryDraft, Service
from .icons import swatch_icon
from .settings.common import alive, muted
from .text import menu_text, shown
from .tray import submenu

if TYPE_CHECKING:
    from ..platform.hotkeys.shortcuts import Shortcuts
    from ..sync.snapshot import Snapshot
    from .settings import SettingsWindow
    from .tray import Tray
    from .windows import Windows

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]
MARK = "★ "
PIN = "Pin to favorites"


class Host(Protocol):
    config: Config
    tray: Tray
    hotkeys: Shortcuts | None
    windows: Windows
    booted: Any

    @property
    def service(self) -> Service: ...

    @property
    def snapshot(self) -> Snapshot | None: ...

    def dispatch(self, request: Request, reply: Reply | None = None) -> None: ...

    def notify(self, notice: Notice) -> None: ...

    def save_config(self) -> None: ...


class FavoritesSection(QGroupBox):
    """Settings: the favorites in their order; move up or down, rename, remove, and the
    selected one's global shortcut."""

    changed = Signal()

    def __init__(self, config: Config, snapshot: Callable[[], Snapshot | None]) -> None:
        super().__init__("Favorites")
        self.config = config
        self._snapshot = snapshot
        self.list = QListWidget()
        self.list.setMaximumHeight(160)
        self.list.currentRowChanged.connect(self._selected)
        self.up, self.down = QPushButton("Move &up"), QPushButton("Move &down")
        self.rename_button, self.remove_button = QPushButton("Re&name…"), QPushButton("&Remove")
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.rename_button.clicked.connect(self._ask_name)
        self.remove_button.clicked.connect(self._remove)
        self.shortcut = QKeySequenceEdit()
        self.shortcut.setClearButtonEnabled(True)
        self.shortcut.setMaximumSequenceLength(1)
        self.shortcut.editingFinished.connect(self._shortcut_set)
        label = QLabel("Global &shortcut:")
        label.setBuddy(self.shortcut)
        grid = QGridLayout()
        grid.addWidget(self.list, 0, 0, 4, 1)
        for row, button in enumerate((self.up, self.down, self.rename_button,
                                      self.remove_button)):
            grid.addWidget(button, row, 1)
        grid.addWidget(label, 4, 0, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.shortcut, 4, 1)
        layout = QVBoxLayout(self)
        self.empty = muted("No favorites yet: pin one from the tray menu's Recent submenu "
                           f"(“{PIN}”). They go at the top of the menu and of Quick start.")
        layout.addWidget(self.empty)
        layout.addLayout(grid)
        self.load()

    def load(self, row: int | None = None) -> None:
        keep = self.list.currentRow() if row is None else row
        self.list.blockSignals(True)
        self.list.clear()
        snap = self._snapshot()
        for favorite in rules.load(self.config):
            text = shown(favorite.label(snap))
            problem = favorite.problem(snap) if snap is not None else None
            if favorite.service and snap is not None and favorite.service != snap.service.value:
                text += f"  ({Service(favorite.service).title})"
            elif problem:
                text += f"  — {problem}"
            if favorite.shortcut:
                text += f"  [{favorite.shortcut}]"
            self.list.addItem(QListWidgetItem(text))
        self.list.blockSignals(False)
        count = self.list.count()
        self.empty.setVisible(count == 0)
        self.list.setCurrentRow(min(max(keep, 0), count - 1) if count else -1)
        self._selected(self.list.currentRow())

    def _selected(self, row: int) -> None:
        favorites = rules.load(self.config)
        some = 0 <= row < len(favorites)
        for widget in (self.rename_button, self.remove_button, self.shortcut):
            widget.setEnabled(some)
        self.up.setEnabled(some and row > 0)
        self.down.setEnabled(some and row < len(favorites) - 1)
        self.shortcut.setKeySequence(QKeySequence(favorites[row].shortcut if some else ""))

    def _saved(self, row: int) -> None:
        self.load(row)
        self.changed.emit()

    def _move(self, delta: int) -> None:
        self._saved(rules.move(self.config, self.list.currentRow(), delta))

    def _remove(self) -> None:
        row = self.list.currentRow()
        rules.remove(self.config, row)
        self._saved(row)

    def _ask_name(self) -> None:
        row = self.list.currentRow()
        favorites = rules.load(self.config)
        if not 0 <= row < len(favorites):
            return
        name, ok = QInputDialog.getText(self, "Rename favorite", "Name in the menu:",
                                        text=favorites[row].name or favorites[row].description)
        if ok:
            self.rename(row, name)

    def rename(self, row: int, name: str) -> None:
        rules.rename(self.config, row, name)
        self._saved(row)

    def _shortcut_set(self) -> None:
        row = self.list.currentRow()
        text = self.shortcut.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        favorites = rules.load(self.config)
        if 0 <= row < len(favorites) and favorites[row].shortcut != text:
            rules.change(self.config, row, shortcut=text)
            self._saved(row)


class FavoritesController(QObject):
    """Puts the favorites in the tray menu and Quick start, pins, and starts them."""

    def __init__(self, app: Host) -> None:
        super().__init__(app if isinstance(app, QObject) else None)
        self.app = app
        self.section: FavoritesSection | None = None
        self.menu_actions: list[QAction] = []
        # After the tray's own handler: the menu is rebuilt by then.
        app.tray.menu.aboutToShow.connect(self._add_to_menu)
        app.windows.pinned = self.quick_start_rows
        app.booted.connect(self.bind)

    # -- starting -------------------------------------------------------------------------------
    def start(self, favorite: rules.Favorite) -> None:
        snap = self.app.snapshot
        problem = favorite.problem(snap) if snap is not None else None
        if problem:
            self.app.notify(Notice("Favorite not started", f"“{favorite.label()}”: {problem}. "
                                   "Remove it in Settings, Favorites."))
            return
        where = {"service": favorite.service} if favorite.service else {}
        self.app.dispatch(Request("start", where, draft=favorite.draft()))

    def shortcut(self, action: str) -> None:
        favorite = rules.by_action(self.app.config, action)
        if favorite is not None:
            self.start(favorite)

    def pin(self, draft: EntryDraft) -> None:
        if rules.pin(self.app.config, draft, self.app.service):
            self.app.save_config()
            if (section := alive(self.section)) is not None:
                section.load()

    # -- the menu and Quick start ---------------------------------------------------------------
    def _add_to_menu(self) -> None:
        menu = self.app.tray.menu
        snap = self.app.tray.snapshot
        self.menu_actions = []
        if snap is None:
            return
        actions = menu.actions()
        first_separator = next((a for a in actions if a.isSeparator()), None)
        for _, favorite in rules.shown(self.app.config, snap.service):
            action = QAction(MARK + menu_text(favorite.label(snap), 60), menu)
            problem = favorite.problem(snap)
            project = snap.project_by_id.get(favorite.project_id or "")
            if project is not None:
                action.setIcon(swatch_icon(project.color))
            if problem:
                action.setEnabled(False)
                action.setToolTip(f"Not started: {problem}. Remove it in Settings.")
            else:
                action.triggered.connect(partial(self.start, favorite))
            if first_separator is not None:
                menu.insertAction(first_separator, action)
            else:
                menu.addAction(action)
            self.menu_actions.append(action)
        if self.menu_actions and first_separator is not None:
            menu.insertSeparator(first_separator)
        recent = next((m for m in (a.menu() for a in actions)
                       if isinstance(m, QMenu) and m.title() == "Recent"), None)
        drafts = snap.recent()
        if recent is not None and drafts:
            recent.addSeparator()  # below the entries: not one of them
            pins = submenu(recent, PIN)  # goes with the Recent submenu at the next rebuild
            for draft in drafts:
                pins.addAction(menu_text(draft.description or "(no description)", 40) + (
                    f" · {menu_text(snap.project_label(draft.project_id) or '', 28)}"
                    if draft.project_id else ""), partial(self.pin, draft))

    def quick_start_rows(self, snap: Snapshot) -> list[tuple[str, EntryDraft, str | None]]:
        """Quick start's first rows: (label, draft, colour) of the favorites that can start."""
        out = []
        for _, favorite in rules.shown(self.app.config, snap.service):
            if favorite.problem(snap) is None:
                project = snap.project_by_id.get(favorite.project_id or "")
                out.append((MARK + shown(favorite.label(snap)), favorite.draft(),
                            project.color if project else None))
        return out

    # -- shortcuts ---------------------------------------------------------------------------------
    def bind(self) -> None:
        hotkeys = self.app.hotkeys
        if hotkeys is None:
            return
        if not getattr(self, "_listening", False):
            hotkeys.activated.connect(self.shortcut)
            self._listening = True
        hotkeys.extra = rules.bindings(self.app.config)
        hotkeys.bind()

    # -- settings ---------------------------------------------------------------------------------
    def with_section(self, window: SettingsWindow) -> SettingsWindow:
        section = FavoritesSection(self.app.config, lambda: self.app.snapshot)
        section.changed.connect(window.save)
        section.changed.connect(self.bind)
        window.add_section(section)
        self.section = section
        return window
