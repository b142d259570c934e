"""Machine-readable events for the end-to-end tests (enabled by TRAYAPP_E2E=1).

A test drives the real app under Xvfb with real mouse clicks (xdotool); it needs to know where
the tray icon and the menu items are on screen. Each event is one line on stdout:
`E2E {"event": ..., ...}`."""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from .icons import docked


def emit(event: str, **data: Any) -> None:
    print("E2E " + json.dumps({"event": event, **data}), flush=True)


class _MenuWatcher(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Show:
            if isinstance(watched, QMenu):
                QTimer.singleShot(150, lambda m=watched: _report_menu(m))
            elif isinstance(watched, QWidget) and watched.isWindow():
                QTimer.singleShot(300, lambda w=watched: _report_window(w))
        return False


def _report_window(window: QWidget) -> None:
    try:
        if not window.isVisible():
            return
    except RuntimeError:  # deleted meanwhile (a balloon message lives a moment only)
        return
    g = window.frameGeometry()
    emit("window", title=window.windowTitle(), cls=type(window).__name__,
         x=g.x(), y=g.y(), w=g.width(), h=g.height())
    from .hotkey_editor import ChordEdit, HotkeyEditor

    for edit in window.findChildren(ChordEdit):  # where to click to record a shortcut
        centre = edit.mapToGlobal(edit.rect().center())
        emit("chord_field", name=edit.objectName(), x=centre.x(), y=centre.y(),
             text=edit.text())
    for editor in window.findChildren(HotkeyEditor):
        editor.changed.connect(lambda _b, ed=editor: _report_editor(ed))


def _report_editor(editor: Any) -> None:
    from ..platform.hotkeys import ACTIONS

    emit("hotkey_editor", fields=editor.bindings(),
         statuses={a: editor.error_text(a) for a in ACTIONS})


def _report_menu(menu: QMenu) -> None:
    if not menu.isVisible():
        return
    items = []
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        centre = menu.mapToGlobal(menu.actionGeometry(action).center())
        items.append({"text": action.text(), "x": centre.x(), "y": centre.y(),
                      "enabled": action.isEnabled(), "submenu": action.menu() is not None})
    g = menu.geometry()
    emit("menu", title=menu.title(), items=items, x=g.x(), y=g.y(), w=g.width(), h=g.height())


def announce(app: Any) -> None:
    tray = app.tray
    watcher = _MenuWatcher(app)
    qapp = QApplication.instance()
    assert qapp is not None  # announce() is called by the running app
    qapp.installEventFilter(watcher)

    def ready() -> None:
        geometry = tray.icon.geometry()
        if not docked(tray.icon):
            QTimer.singleShot(5, ready)
            return
        emit("ready", x=geometry.x(), y=geometry.y(), w=geometry.width(), h=geometry.height())

    original = tray.set_snapshot

    def set_snapshot(snapshot: Any, *args: Any, **kwargs: Any) -> None:
        original(snapshot, *args, **kwargs)
        running = snapshot.running if snapshot else None
        emit("state", running=running.description if running else None,
             pending=snapshot.pending if snapshot else 0,
             synced=snapshot.last_sync is not None if snapshot else False,
             error=snapshot.error.title if snapshot and snapshot.error else None)

    tray.set_snapshot = set_snapshot
    tray.icon.activated.connect(lambda reason: emit("activated", reason=reason.name))
    tray.menu.aboutToHide.connect(lambda: emit("menu_hidden"))
    def booted() -> None:
        if app.hotkeys is not None:
            app.hotkeys.activated.connect(lambda action: emit("hotkey", action=action))
            app.hotkeys.paused_changed.connect(lambda on: emit("hotkeys_paused", paused=on))

    app.booted.connect(booted)
    app.hotkeys_bound.connect(lambda errors: emit("hotkeys", backend=app.hotkeys.name,
                                                    errors=errors))
    QTimer.singleShot(0, ready)
    sys.stdout.flush()
