"""What the settings sections share: colours, the way they ask the app to run work off the GUI
thread, and the two things tests replace (opening a page, asking yes or no)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from ...core import errors as e
from .. import browser

OK_COLOR = "#1a7f37"
ERROR_COLOR = "#d1242f"
MUTED_COLOR = "#6e7781"

Done = Callable[[Any], None]
Failed = Callable[[e.TrackerError], None]
#: run(fn, done, failed, kind): call fn() off the GUI thread (it may wait on the network);
#: done(result) or failed(error) come back on the GUI thread. A newer call of the same kind
#: makes an older one's answer stale.
Runner = Callable[[Callable[[], Any], Done, Failed, str], object]
Opener = Callable[[str], bool]
Confirm = Callable[[QWidget, str, str], bool]


def open_url(url: str) -> bool:
    return browser.open_url(url)


def ask(parent: QWidget, title: str, text: str) -> bool:
    """Yes or Cancel, Cancel by default. The question may quote a service's message: plain
    text (a message box renders what looks like HTML)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {MUTED_COLOR};")
    return label


def eye_icon(crossed: bool, color: QColor) -> QIcon:
    """The show/hide glyph for the key field, drawn so it exists without an icon theme."""
    icon = QIcon()
    for size in (16, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(color, size / 14))
        s = size
        path = QPainterPath(QPointF(s * 0.08, s * 0.5))
        path.quadTo(QPointF(s * 0.5, s * 0.08), QPointF(s * 0.92, s * 0.5))
        path.quadTo(QPointF(s * 0.5, s * 0.92), QPointF(s * 0.08, s * 0.5))
        p.drawPath(path)
        p.setBrush(color)
        p.drawEllipse(QRectF(s * 0.38, s * 0.38, s * 0.24, s * 0.24))
        if crossed:
            p.drawLine(QPointF(s * 0.15, s * 0.85), QPointF(s * 0.85, s * 0.15))
        p.end()
        icon.addPixmap(pixmap)
    return icon


W = TypeVar("W", bound=QWidget)


def alive(widget: W | None) -> W | None:
    """`widget` while its Qt object exists. The settings window, with its sections, is made
    again after a backend restart, and a controller may still hold a section of the old one."""
    return widget if widget is not None and shiboken6.isValid(widget) else None
