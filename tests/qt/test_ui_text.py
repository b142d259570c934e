"""Text from outside, as the windows show and send it: a sign-in address from Maton that is no
web page is refused (never handed to the desktop), and what it holds is shown, not rendered;
descriptions pasted with line breaks or escapes are sent cleaned by the command line's rule;
menus, tooltips and labels show descriptions and names as they are written, never as markup
or keyboard shortcuts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from trayapp.config import Config
from trayapp.core import errors as e
from trayapp.core.durations import utcnow
from trayapp.core.models import Connection, Project, Service, TimeEntry
from trayapp.sync.snapshot import Snapshot
from trayapp.ui.entry_dialog import EntryDialog
from trayapp.ui.quick_start import ROLE, QuickStart
from trayapp.ui.settings import SettingsWindow
from trayapp.ui.settings.accounts import RowState
from trayapp.ui.settings.common import ask
from trayapp.ui.tray import Tray

from .test_ui_settings import WAIT, Backend, no_connections, shown

HOSTILE = "\x1b]0;pwned\x07\x1b[2J"
SCREENSHOTS = Path("/tmp/trayapp-text-screenshots")


def screenshot(widget, name: str) -> None:
    """For a person to look at (the test asserts the rest)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SCREENSHOTS / f"{name}.png"))


class SignInPage:
    """Maton's connections, except that the sign-in page each new one offers is `url`."""

    def __init__(self, real, url: str) -> None:
        self.real, self.url = real, url

    def list(self) -> list[Connection]:
        return self.real.list()

    def create(self, app: Service) -> Connection:
        return replace(self.real.create(app), url=self.url)

    def get(self, connection_id: str) -> Connection:
        return self.real.get(connection_id)

    def delete(self, connection_id: str) -> None:
        self.real.delete(connection_id)


@pytest.fixture
def desktop_opens(monkeypatch) -> list[str]:
    """What was handed to the desktop to open (nothing really is)."""
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toString()) or True))
    return opened


@pytest.fixture
def settings_for(qtbot, tmp_path, monkeypatch, memory_keyring, emulator):
    """A settings window whose Maton offers `url` as the sign-in page; the real opener."""
    monkeypatch.setattr(Config, "path", classmethod(lambda cls: tmp_path / "settings.json"))
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    no_connections(emulator)
    backends: list[Backend] = []

    def make(url: str) -> SettingsWindow:
        backend = Backend(emulator.base_url, tmp_path)
        backends.append(backend)
        window = SettingsWindow(
            Config(), backend.run, connections=lambda: SignInPage(backend.account.connections, url),
            workspaces=lambda s: [], wind_up=lambda s: None, services=lambda: [],
            confirm=lambda parent, title, text: True, gateway_url=backend.base_url,
            poll_interval_ms=50, sign_in_timeout_s=20)
        qtbot.addWidget(window)
        return shown(qtbot, window)

    yield make
    for backend in backends:
        backend.close()


def test_a_sign_in_page_that_is_no_web_page_is_refused_and_shown_as_text(
        qtbot, settings_for, desktop_opens, emulator):
    url = "file:///etc/<b>passwd</b>"
    window = settings_for(url)
    window.accounts.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.status_line.isVisible(), timeout=WAIT)
    assert desktop_opens == []
    assert window.accounts.state(Service.TOGGL) is RowState.NOT_CONNECTED
    line = window.status_line
    assert line.textFormat() is Qt.TextFormat.PlainText
    assert "does not open: file:///etc/<b>passwd</b>" in line.text()
    assert "Nothing was opened" in line.text()
    assert emulator.connections == []  # the pending connection is not left behind on Maton
    screenshot(window, "settings-refused-sign-in")

    for other in ("smb://server/share", "https://maton.ai@evil.example/", "javascript:x()"):
        assert window.open(other) is False
    assert desktop_opens == [] and "Only https:// pages are opened" in line.text()


def test_a_web_sign_in_page_is_opened_and_its_address_shown_escaped(
        qtbot, settings_for, desktop_opens):
    url = "https://connect.example/session?a=1&b='x'"  # '<' and '"' are refused (unit tests)
    window = settings_for(url)
    window.accounts.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.accounts.state(Service.TOGGL) is RowState.WAITING,
                    timeout=WAIT)
    assert desktop_opens == [url]
    text = window.accounts.status_text(Service.TOGGL)
    assert "a=1&amp;b=&#x27;x&#x27;" in text and "a=1&b=" not in text
    window.accounts.cancel(Service.TOGGL)


def test_a_sign_in_page_the_browser_did_not_open_is_a_link_shown_escaped(
        qtbot, settings_for, monkeypatch):
    url = "https://connect.example/s?a=1&b=%3Cb%3E"
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    window = settings_for(url)
    window.accounts.connect_service(Service.TOGGL)
    qtbot.waitUntil(lambda: window.accounts.state(Service.TOGGL) is RowState.WAITING,
                    timeout=WAIT)
    text = window.accounts.status_text(Service.TOGGL)
    assert "did not open" in text and f">{url.replace('&', '&amp;')}</a>" in text
    screenshot(window, "settings-link-not-opened")
    window.accounts.cancel(Service.TOGGL)


# -- entries: what a window sends, what it shows --------------------------------------------------

PROJECT = Project("p1", "w", "R&D <b>bold</b>", client_id="c1", client_name="Acme & Co")


def snapshot(running: TimeEntry | None = None) -> Snapshot:
    now = utcnow()
    done = TimeEntry("e1", "w", now - timedelta(hours=2), now - timedelta(hours=1),
                     description=f"Old {HOSTILE}entry & more", project_id="p1")
    return Snapshot(Service.TOGGL, running=running, entries=(done,), projects=(PROJECT,),
                    last_sync=now)


def test_the_new_timer_dialog_sends_a_pasted_description_cleaned(qtbot):
    dialog = EntryDialog(snapshot())
    qtbot.addWidget(dialog)
    dialog.description.setText(f"  Line one\r\nline\ttwo {HOSTILE}\x00")
    dialog.tags.setText("a\x1bb, c\nd")
    dialog.set_project("p1")
    draft = dialog.draft()
    assert draft.description == "Line one line two ]0;pwned[2J"
    assert draft.tags == ("ab", "c d")
    assert dialog.project_button.text() == "Acme && Co / R&&D <b>bold</b>"  # no shortcut
    dialog.show()
    screenshot(dialog, "new-timer-cleaned")


def test_an_edit_sends_the_description_only_when_the_user_changed_it(qtbot):
    entry = snapshot().entries[0]
    dialog = EntryDialog(snapshot(), entry)
    qtbot.addWidget(dialog)
    assert "description" not in dialog.changes()  # shown as the server has it, not "fixed"
    dialog.description.setText(entry.description + "\nmore")
    assert dialog.changes()["description"] == "Old ]0;pwned[2Jentry & more more"


def test_quick_start_starts_what_was_typed_cleaned(qtbot):
    popup = QuickStart(snapshot())
    qtbot.addWidget(popup)
    popup.search.setText(f"Pasted\n{HOSTILE}")
    first = popup.list.item(0)
    assert first.data(ROLE).description == "Pasted ]0;pwned[2J"
    labels = [popup.list.item(i).text() for i in range(popup.list.count())]
    assert all("\x1b" not in label and "\x07" not in label for label in labels)
    popup.show()
    screenshot(popup, "quick-start-cleaned")


def test_the_tray_shows_names_as_written_not_as_markup_or_shortcuts(qtbot):
    tray = Tray()
    try:
        running = TimeEntry("r1", "w", utcnow() - timedelta(minutes=3),
                            description=f"<b>Big</b> & {HOSTILE}", project_id="p1")
        tray.set_snapshot(snapshot(running))
        tip = tray.tooltip()
        assert "\x1b" not in tip and tip.startswith("<b>Big</b> & ?]0;pwned??[2J · ")
        assert tray.icon.toolTip().startswith("<p>&lt;b&gt;Big&lt;/b&gt; &amp; ?]0;")
        tray.rebuild_menu()
        header = tray.menu.actions()[0].text()
        assert header.startswith("● <b>Big</b> && ?]0;pwned??[2J — Acme && Co / R&&D")
        recent = next(a.menu() for a in tray.menu.actions()
                      if a.menu() and a.menu().title() == "Recent")
        assert recent.actions()[0].text().startswith("Old ?]0;pwned??[2Jentry && more")
        tray.menu.popup(QPoint(0, 0))
        qtbot.waitUntil(tray.menu.isVisible, timeout=WAIT)
        screenshot(tray.menu, "tray-menu")
        tray.menu.hide()
    finally:
        tray.icon.hide()


def test_a_service_message_in_the_settings_window_is_plain_text(qtbot, settings_for):
    window = settings_for("https://connect.example/")
    window.show_error(e.Forbidden("<img src='file:///x'> <a href='https://x'>click</a>"))
    assert window.status_line.textFormat() is Qt.TextFormat.PlainText
    assert "<img src='file:///x'>" in window.status_line.text()


def test_a_question_quoting_a_service_is_plain_text(qtbot):
    seen: list[tuple[Qt.TextFormat, str]] = []

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QMessageBox) and w.isVisible())
        seen.append((box.textFormat(), box.text()))
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(100, answer)
    assert ask(None, "Disconnect Toggl Track anyway?", "<b>No</b> access\n\nDisconnect?")
    assert seen == [(Qt.TextFormat.PlainText, "<b>No</b> access\n\nDisconnect?")]


def test_a_notification_shows_server_text_as_text(monkeypatch):
    """On Linux the body goes to a notification server that reads markup: a description
    with tags, an '&' or escapes must show as written, not as a link or hidden text."""
    from trayapp.ui.text import notification

    monkeypatch.setattr("sys.platform", "linux")
    title, body = notification("Refused\x1b[2J", '<a href="file:///">Click</a> & \x07' + "x" * 400)
    assert title == "Refused?[2J"
    assert body.startswith('&lt;a href="file:///"&gt;Click&lt;/a&gt; &amp; ?')
    assert len(body) < 340 and "\x07" not in body
