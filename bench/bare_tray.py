"""The baseline: the smallest PySide6 app that shows a tray icon with a menu."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon


def main() -> int:
    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("#2da44e"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    menu = QMenu()
    menu.addAction("Quit", app.quit)
    tray.setContextMenu(menu)
    tray.show()

    def ready() -> None:
        geometry = tray.geometry()
        # Embedded by the tray host: (0, 0, w, h) until then, the panel's position after.
        if geometry.width() == 0 or (geometry.x() == 0 and geometry.y() == 0):
            QTimer.singleShot(5, ready)
            return
        print("E2E {\"event\": \"ready\"}", flush=True)

    QTimer.singleShot(0, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
