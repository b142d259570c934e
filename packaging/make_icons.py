"""Render the icon files that the packages need from the icon the app draws at run time.

    .venv/bin/python packaging/make_icons.py        # rewrites resources/icons/

The app draws its icons with QPainter (trayapp/ui/icons.py), so there is no image to start
from: this script asks the same drawing code for every size the platforms want and writes
  resources/icons/hicolor/<n>x<n>/apps/<APP_ID>.png      Linux (icon theme, Flatpak, AppStream)
  resources/icons/windows/trayapp.ico                    Windows (exe, installer, shortcuts)
  resources/icons/macos/trayapp.icns                     macOS (.app bundle, CFBundleIconFile)
  resources/icons/macos/TrayIconTemplate{,@2x}.png       macOS menu bar (black + alpha "template")
The two SVGs in hicolor/scalable and hicolor/symbolic are written by hand (the same geometry,
computed below only to keep them in step) and are not touched here.

The output is committed: packaging builds must not need a display or Qt's offscreen plugin.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

# Offscreen: no display needed; must be set before Qt is imported.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from PySide6.QtCore import QBuffer, QByteArray, QIODevice  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPixmap  # noqa: E402

from trayapp import APP_ID  # noqa: E402
from trayapp.ui import icons  # noqa: E402

ICONS = ROOT / "resources" / "icons"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)  # what Explorer and the taskbar ask for
# ICNS entry types that hold a PNG, by pixel size (several types share a size: 1x and @2x).
ICNS_TYPES = (("icp4", 16), ("ic11", 32), ("icp5", 32), ("ic12", 64), ("ic07", 128),
              ("ic13", 256), ("ic08", 256), ("ic14", 512), ("ic09", 512), ("ic10", 1024))
TEMPLATE_SIZE = 22  # points: the macOS menu bar height; @2x is 44 px
# The app icon is the "running" tray icon with three quarters of the hour filled (app_icon()).
APP_ICON_STEPS = 45


def app_icon(size: int) -> QPixmap:
    # _draw rather than app_icon(): the QIcon only holds tray sizes (<= 96 px) and would upscale.
    return icons._draw(size, True, APP_ICON_STEPS, icons.Badge.NONE, False)


def png_bytes(image: QImage | QPixmap) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buffer.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO container of PNG images (Windows Vista and later read PNG entries).

    Qt's ICO writer stores a single image only, so the container is written here:
    ICONDIR (6 bytes), one 16-byte ICONDIRENTRY per image, then the images."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for n in sizes:
        blob = pngs[n]
        # width/height 0 means 256; 32 bits per pixel; no palette.
        entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS container with PNG entries (macOS 10.7+): 'icns' + total length, then
    (type, length including the 8-byte entry header, data) for each entry."""
    body = b"".join(kind.encode() + struct.pack(">I", 8 + len(pngs[n])) + pngs[n]
                    for kind, n in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def template(size: int) -> QImage:
    """A macOS menu-bar template image: only black and alpha; the system tints it for light
    and dark menu bars. The faint track of the ring stays faint through its alpha."""
    image = icons._draw(size, True, APP_ICON_STEPS, icons.Badge.NONE, False).toImage()
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    for y in range(image.height()):
        for x in range(image.width()):
            alpha = image.pixelColor(x, y).alpha()
            image.setPixelColor(x, y, QColor(0, 0, 0, alpha))
    return image


def svg_geometry(box: float = 128) -> dict[str, float]:
    """The numbers the hand-written scalable SVG uses (same formulas as icons._draw)."""
    stroke = max(1.5, box / 9)
    inset = stroke / 2 + box * 0.06
    return {"stroke": stroke, "radius": box / 2 - inset, "dot": box * 0.2}


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    written: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)

    rendered = {n: png_bytes(app_icon(n))
                for n in {*HICOLOR_SIZES, *ICO_SIZES, *(n for _, n in ICNS_TYPES)}}
    for n in HICOLOR_SIZES:
        write(ICONS / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png", rendered[n])
    write(ICONS / "windows" / "trayapp.ico", ico({n: rendered[n] for n in ICO_SIZES}))
    write(ICONS / "macos" / "trayapp.icns", icns(rendered))
    write(ICONS / "macos" / "TrayIconTemplate.png", png_bytes(template(TEMPLATE_SIZE)))
    write(ICONS / "macos" / "TrayIconTemplate@2x.png", png_bytes(template(2 * TEMPLATE_SIZE)))

    for path in written:
        print(f"{path.stat().st_size:8d}  {path.relative_to(ROOT)}")
    print("scalable SVG geometry (viewBox 0 0 128 128):",
          {k: round(v, 2) for k, v in svg_geometry().items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
