"""Tray icons drawn with QPainter at every size the panel may ask for: sharp on HiDPI, and
coloured for the panel (light or dark) as QStyleHints.colorScheme reports it.

States: stopped (an outline ring), running (a filled ring whose arc fills with the minutes of
the hour), plus badges for offline / error / pending-changes."""

from __future__ import annotations

import enum
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPen, QPixmap

# The sizes panels draw a tray icon at: 16, 22 and 24 px, and twice those on HiDPI (32, 48);
# 64 for large panels. Qt's StatusNotifierItem sends every size up to 64 px over D-Bus at
# each change (once a minute while running) and wants one of at most 22 px and one of 23 to
# 64; an xembed tray asks for its own size, scaled from the nearest larger pixmap.
SIZES = (16, 22, 24, 32, 48, 64)
RUNNING = QColor("#2da44e")
ERROR = QColor("#d1242f")
OFFLINE = QColor("#9a6700")
PENDING = QColor("#0969da")
CLEAR = QColor(0, 0, 0, 0)
FALLBACK_COLOR = "#9e9e9e"  # a project without a colour
BLANK = "#00000000"  # a transparent swatch keeps labels aligned


class Badge(enum.Enum):
    NONE = 0
    PENDING = 1
    OFFLINE = 2
    ERROR = 3


def dark_panel() -> bool:
    """Best guess at the panel's background: the system colour scheme, else the palette."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    scheme = QGuiApplication.styleHints().colorScheme()
    # By name: touching the `Qt` namespace costs ~25 ms, paid before the icon could show.
    if scheme.name == "Dark":
        return True
    if scheme.name == "Light":
        return False
    return QGuiApplication.palette().window().color().lightness() < 128


def tray_icon(running: bool, progress: float = 0.0, badge: Badge = Badge.NONE,
              dark: bool | None = None, colour: str | None = None) -> QIcon:
    """`progress` in [0, 1]: how far the arc is filled (minutes of the current hour, or of
    a Pomodoro phase); `colour`: of the running ring instead of green (a Pomodoro phase)."""
    steps = int(max(0.0, min(1.0, progress)) * 60)  # 60 distinct arcs: cacheable
    return _icon(running, steps, badge, dark_panel() if dark is None else dark, colour)


# Few: the ring moves once a minute, so over a day it would keep every arc (about 35 KB
# each, 6 sizes) for nothing; the stopped icon and the current arc are what is reused.
@lru_cache(maxsize=8)
def _icon(running: bool, steps: int, badge: Badge, dark: bool,
          colour: str | None = None) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(_draw(size, running, steps, badge, dark, colour))
    return icon


def _draw(size: int, running: bool, steps: int, badge: Badge, dark: bool,
          colour: str | None = None) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(CLEAR)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fg = QColor("#f0f0f0") if dark else QColor("#24292f")
    stroke = max(1.5, size / 9)
    inset = stroke / 2 + size * 0.06
    ring = QRectF(inset, inset, size - 2 * inset, size - 2 * inset)

    if running:
        # A faint full ring, the filled arc of the hour, and a solid centre: "recording".
        tint = QColor(colour) if colour else RUNNING
        track = QColor(tint)
        track.setAlpha(90)
        painter.setPen(QPen(track, stroke))
        painter.drawEllipse(ring)
        painter.setPen(QPen(tint, stroke))
        span = -int(max(steps, 1) / 60 * 360 * 16)
        painter.drawArc(ring, 90 * 16, span)
        painter.setPen(CLEAR)
        painter.setBrush(tint)
        r = size * 0.2
        painter.drawEllipse(QPointF(size / 2, size / 2), r, r)
    else:
        # An outline ring with a play triangle: "nothing running, click to start".
        painter.setPen(QPen(fg, stroke))
        painter.drawEllipse(ring)
        painter.setPen(CLEAR)
        painter.setBrush(fg)
        c = size / 2
        t = size * 0.2
        painter.drawPolygon([QPointF(c - t * 0.6, c - t), QPointF(c - t * 0.6, c + t),
                             QPointF(c + t, c)])

    if badge is not Badge.NONE:
        dot = {Badge.PENDING: PENDING, Badge.OFFLINE: OFFLINE, Badge.ERROR: ERROR}[badge]
        r = size * 0.22
        centre = QPointF(size - r - 0.5, size - r - 0.5)
        painter.setPen(QPen(QColor("#ffffff") if not dark else QColor("#1f1f1f"), size / 16))
        painter.setBrush(dot)
        painter.drawEllipse(centre, r, r)
    painter.end()
    return pixmap


def app_icon() -> QIcon:
    """The application icon (windows, dialogs): the running ring on a neutral background."""
    return tray_icon(True, 0.75, Badge.NONE, dark=False)


def docked(icon) -> bool:
    """Whether the panel has taken the icon in. Before a tray host embeds it, Qt reports a
    geometry of (0, 0, w, h); once embedded it has the panel's on-screen position."""
    geometry = icon.geometry()
    return geometry.width() > 0 and (geometry.x() != 0 or geometry.y() != 0)


def swatch_icon(color: str, size: int = 12) -> QIcon:
    """A small filled circle in the project's colour, sharp at 1x and 2x."""
    return _swatch(color or FALLBACK_COLOR, size)


@lru_cache(maxsize=512)
def _swatch(color: str, size: int) -> QIcon:
    fill = QColor(color)
    if not fill.isValid():
        fill = QColor(FALLBACK_COLOR)
    icon = QIcon()
    for scale in (1, 2):
        px = size * scale
        pixmap = QPixmap(px, px)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # A thin darker rim keeps pale colours visible on a light background.
        painter.setPen(QPen(fill.darker(130), max(1.0, scale * 0.75)))
        painter.setBrush(fill)
        inset = scale
        painter.drawEllipse(QRectF(inset, inset, px - 2 * inset, px - 2 * inset))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
