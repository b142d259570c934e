"""The list of sections beside the settings: every section is listed in page order, a click
scrolls to it, and scrolling marks the section in view."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox

from ..support.whole_app import whole_app


def test_every_section_is_listed_and_a_click_scrolls_to_it(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch, TRAYAPP_IDLE="none") as app:
        app.show_settings()
        window = app.settings_window
        index = window.index
        page = window._body.parentWidget()
        boxes = [b for b in window.findChildren(QGroupBox) if b.parent() is page]
        titles = [index.item(i).text() for i in range(index.count())]
        assert titles == [b.title() for b in sorted(boxes, key=lambda b: b.y())]
        assert titles[:4] == ["Maton API key", "Accounts", "Tracking", "Behaviour"]
        bar = index.page.verticalScrollBar()
        qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)  # more than one screen
        assert bar.value() == 0 and index.currentRow() == 0
        last = index.item(index.count() - 1)
        index.itemClicked.emit(last)
        assert bar.value() > 0 and index.currentRow() == index.count() - 1
        bar.setValue(0)  # scrolled back by hand: the first section is marked
        assert index.currentRow() == 0
