"""Notifications and reminders in the whole app (offscreen, against the emulator), through a
fake notifier that records what is shown and presses buttons; reminders driven by a made-up
clock (no sleeping). The real notification server is tests/desktop/test_notify_dunst.py's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from trayapp.app import TrayApp
from trayapp.config import Config
from trayapp.control.actions import Request
from trayapp.control.idle import IdleSpell
from trayapp.control.notices import Notice, refused_actions
from trayapp.core.durations import utcnow
from trayapp.core.models import Service, TimeEntry
from trayapp.platform.notify import DEFAULT, Action, BalloonNotifier, Notifier
from trayapp.sync.snapshot import Problem
from trayapp.ui.reminders import REMINDER, ReminderController, ReminderSection

from ..conftest import TEST_KEY

SHOTS = Path("/tmp/notify-shots")  # for a person to look at
WAIT = 10_000


class FakeNotifier(Notifier):
    name = "fake"

    def __init__(self, buttons: bool = True) -> None:
        super().__init__()
        self.buttons = buttons
        self.shown: dict[str, tuple[str, str, list[Action], bool]] = {}
        self.withdrawn: list[str] = []

    @property
    def has_actions(self) -> bool:
        return self.buttons

    def show(self, key: str, title: str, body: str, actions: Sequence[Action] = (), *,
             persistent: bool = False) -> None:
        self.shown[key] = (title, body, list(actions), persistent)

    def withdraw(self, key: str) -> None:
        self.withdrawn.append(key)
        self.shown.pop(key, None)

    def press(self, key: str, action: str) -> None:
        self.invoked.emit(key, action)


class Clock:
    def __init__(self) -> None:
        self.now = utcnow().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda *a: None)
    tray_app = TrayApp(QApplication.instance())
    qtbot.waitUntil(lambda: bool(tray_app.snapshot and tray_app.snapshot.last_sync),
                    timeout=WAIT)
    fake = FakeNotifier()
    tray_app.notifications.use(fake)
    tray_app.fake = fake
    try:
        yield tray_app
    finally:
        tray_app.shutdown()
        for widget in QApplication.topLevelWidgets():  # (an active window would mean "in
            widget.close()  # front of the user": no "Timer running" in the next test)


def running_on_server(emulator) -> list[str]:
    return [x["description"] for x in emulator.toggl.entries
            if x["stop"] is None and not x.get("server_deleted_at")]


def test_a_refused_change_offers_try_again_and_discard(app, monkeypatch):
    sent: list[Request] = []
    monkeypatch.setattr(app, "dispatch", lambda request, reply=None: sent.append(request))
    problem = Problem(seq=7, action="start", description="Pasted <b>log</b>", title="Refused",
                      message="Too long", service=Service.TOGGL)
    app.notify(Notice("Not saved: Refused", "“Pasted <b>log</b>”: Too long", key="refused-7",
                      actions=refused_actions(problem)))
    title, body, actions, _ = app.fake.shown["refused-7"]
    assert actions == [("retry", "Try again"), ("drop", "Discard…")]
    assert "&lt;b&gt;log&lt;/b&gt;" in body  # read as markup by most servers: escaped
    app.fake.press("refused-7", "retry")
    assert sent == [Request("retry", {"seq": 7, "service": "toggl-track"})]
    app.fake.press("refused-7", "retry")  # one answer per notification
    assert len(sent) == 1


def test_discard_from_a_notification_asks_first(app, monkeypatch):
    sent: list[Request] = []
    monkeypatch.setattr(app, "dispatch", lambda request, reply=None: sent.append(request))
    problem = Problem(seq=3, action="start", description="X", title="Refused",
                      message="No", service=Service.TOGGL)
    monkeypatch.setattr(app.notifications, "_problem", lambda request: problem)
    asked: list[Problem] = []
    monkeypatch.setattr("trayapp.ui.refused.confirm_discard",
                        lambda p, parent=None: asked.append(p) or True)
    app.notify(Notice("Not saved", "X", key="refused-3", actions=refused_actions(problem)))
    app.fake.press("refused-3", "drop")
    assert asked == [problem]
    assert sent == [Request("drop", {"seq": 3, "service": "toggl-track"})]


def test_the_idle_question_is_a_notification_too_and_its_answer_applies(app, qtbot):
    now = utcnow().replace(microsecond=0)
    entry = TimeEntry(id="e", workspace_id="w", start=now - timedelta(hours=1),
                      description="Write")
    spell = IdleSpell(now - timedelta(minutes=35), now, entry)
    app.idle.watcher.pending = spell
    app.idle.ask(spell)
    title, body, actions, persistent = app.fake.shown["idle"]
    assert persistent and body.startswith("You were idle from ")
    assert [a for a, _ in actions] == ["keep", "discard", "discard_continue", "add"]
    assert "&" not in "".join(label for _, label in actions)  # no mnemonics
    app.fake.press("idle", "keep")
    assert app.idle.pending is None
    if app.idle.window is not None:
        assert not app.idle.window.isVisible()


def test_an_idle_question_answered_in_the_window_is_withdrawn(app, qtbot):
    now = utcnow().replace(microsecond=0)
    entry = TimeEntry(id="e", workspace_id="w", start=now - timedelta(hours=1))
    spell = IdleSpell(now - timedelta(minutes=35), now, entry)
    app.idle.watcher.pending = spell
    app.idle.ask(spell)
    from trayapp.control.idle import Answer

    app.idle.answer(Answer.KEEP)
    app.render()  # a new state shown
    assert "idle" in app.fake.withdrawn


def test_timer_running_is_told_for_a_start_outside_the_menu_and_stop_stops_it(
        app, qtbot, emulator):
    app.dispatch(Request("start", {"description": "From the command line"}))
    qtbot.waitUntil(lambda: "running" in app.fake.shown, timeout=WAIT)
    title, body, actions, _ = app.fake.shown["running"]
    assert title == "Timer running" and "From the command line" in body
    assert actions == [("stop", "Stop")]
    app.fake.press("running", "stop")
    qtbot.waitUntil(lambda: app.snapshot.running is None, timeout=WAIT)
    qtbot.waitUntil(lambda: running_on_server(emulator) == [], timeout=WAIT)
    assert "running" not in app.fake.shown  # withdrawn once stopped


def test_no_timer_running_notification_right_after_the_menu_or_when_turned_off(app, qtbot):
    app.tray.menu.aboutToHide.emit()  # the user just used the menu
    app.dispatch(Request("start", {"description": "From the menu"}))
    qtbot.waitUntil(lambda: app.snapshot.running is not None, timeout=WAIT)
    qtbot.wait(100)
    assert "running" not in app.fake.shown
    app.dispatch(Request("stop"))
    qtbot.waitUntil(lambda: app.snapshot.running is None, timeout=WAIT)
    app.notifications._menu_closed = 0.0
    app.config.notify_timer_started = False
    app.dispatch(Request("start", {"description": "Quiet"}))
    qtbot.waitUntil(lambda: app.snapshot.running is not None, timeout=WAIT)
    qtbot.wait(100)
    assert "running" not in app.fake.shown
    # Where notifications have no buttons (the balloon), it would only repeat the icon.
    app.dispatch(Request("stop"))
    qtbot.waitUntil(lambda: app.snapshot.running is None, timeout=WAIT)
    app.config.notify_timer_started = True
    app.fake.buttons = False
    app.dispatch(Request("start", {"description": "No buttons here"}))
    qtbot.waitUntil(lambda: app.snapshot.running is not None, timeout=WAIT)
    qtbot.wait(100)
    assert "running" not in app.fake.shown


# -- reminders -----------------------------------------------------------------------------------

def reminders_for(app, clock: Clock, **settings: object) -> ReminderController:
    for name, value in settings.items():
        setattr(app.config, name, value)
    app.reminders.timer.stop()  # the app's own (real clock) stays out of the way
    return ReminderController(app, app.notifications, now=clock)


def test_not_tracking_reminds_once_due_with_start_and_snooze(app, qtbot, emulator):
    clock = Clock()
    every_day = list(range(7))
    controller = reminders_for(app, clock, remind_minutes=20, remind_days=every_day,
                               remind_from="00:00", remind_until="23:59")
    if clock.now.astimezone().strftime("%H:%M") >= "23:30":
        pytest.skip("too close to midnight for the window of this test")
    # One single-shot timer, due in 20 minutes: nothing polls meanwhile.
    assert controller.timer.isSingleShot() and controller.timer.isActive()
    assert abs(controller.timer.remainingTime() - 20 * 60_000) < 2000
    clock.now += timedelta(minutes=20)
    controller.timer.timeout.emit()
    title, body, actions, _ = app.fake.shown[REMINDER]
    assert title == "You're not tracking" and "20 min" in body
    ids = [a for a, _ in actions]
    assert ids[-2:] == ["quick_start", "snooze"] and ids[0] in ("continue", "quick_start")
    app.fake.press(REMINDER, "snooze")
    assert abs(controller.timer.remainingTime() - 15 * 60_000) < 2000
    clock.now += timedelta(minutes=15)
    controller.timer.timeout.emit()
    assert REMINDER in app.fake.shown
    if ids[0] == "continue":  # the last entry starts again
        app.fake.press(REMINDER, "continue")
        qtbot.waitUntil(lambda: app.snapshot.running is not None, timeout=WAIT)
        qtbot.waitUntil(lambda: not controller.timer.isActive(), timeout=WAIT)


def test_a_long_timer_asks_still_working_with_stop(app, qtbot, emulator):
    clock = Clock()
    controller = reminders_for(app, clock, remind_hours=2)
    app.dispatch(Request("start", {"description": "Long one"}))
    qtbot.waitUntil(lambda: app.snapshot.running is not None, timeout=WAIT)
    start = app.snapshot.running.start
    assert controller.timer.isActive()
    clock.now = start + timedelta(hours=2, minutes=1)
    controller.timer.timeout.emit()
    title, body, actions, _ = app.fake.shown[REMINDER]
    assert title == "Still working on “Long one”?" and "2 h 1 min" in body
    assert [a for a, _ in actions] == ["stop", "keep"]
    assert not controller.timer.isActive()  # asked once for this timer
    app.fake.press(REMINDER, "stop")
    qtbot.waitUntil(lambda: running_on_server(emulator) == [], timeout=WAIT)


def test_without_buttons_the_balloon_says_a_click_opens_the_menu(app, qtbot, monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "showMessage",
                        lambda self, title, text, *rest: shown.append((title, text)))
    balloon = BalloonNotifier(app.tray.icon)
    app.notifications.use(balloon)
    clock = Clock()
    controller = reminders_for(app, clock, remind_minutes=5, remind_days=list(range(7)),
                               remind_from="00:00", remind_until="23:59")
    if clock.now.astimezone().strftime("%H:%M") >= "23:50":
        pytest.skip("too close to midnight for the window of this test")
    clock.now += timedelta(minutes=5)
    controller.fire()
    assert shown and shown[-1][0] == "You're not tracking"
    assert shown[-1][1].endswith("Click here to open the menu.")
    opened: list[bool] = []
    monkeypatch.setattr(app.tray, "popup_menu", lambda: opened.append(True))
    app.notifications._handlers[REMINDER][DEFAULT] = app.tray.popup_menu
    balloon.icon.messageClicked.emit()
    assert opened == [True]


def test_the_settings_section(qtbot):
    config = Config()
    section = ReminderSection(config, buttons=True)
    qtbot.addWidget(section)
    changed: list[bool] = []
    section.changed.connect(lambda: changed.append(True))
    assert not section.start.isEnabled()  # off: the days and times wait
    section.minutes.setValue(30)
    assert config.remind_minutes == 30 and section.start.isEnabled()
    section.days[5].setChecked(True)
    assert config.remind_days == [0, 1, 2, 3, 4, 5]
    section.end.setTime(section.start.time().addSecs(-3600))
    assert config.remind_until == "08:00" and not section.window_problem.isHidden()
    section.hours.setValue(4)
    section.started.setChecked(False)
    assert config.remind_hours == 4 and config.notify_timer_started is False
    assert changed
    section.end.setTime(section.start.time().addSecs(8 * 3600))
    section.resize(640, section.sizeHint().height())
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.grab().save(str(SHOTS / "reminders-section.png"))
    plain = ReminderSection(Config(), buttons=False)
    qtbot.addWidget(plain)
    plain.resize(640, plain.sizeHint().height())
    plain.grab().save(str(SHOTS / "reminders-section-no-buttons.png"))
    assert not plain.no_buttons.isHidden()


def test_balloon_notifier_without_a_click_target_stays_quiet(qtbot):
    icon = QSystemTrayIcon(QIcon(QPixmap(16, 16)))
    balloon = BalloonNotifier(icon)
    got: list[tuple[str, str]] = []
    balloon.invoked.connect(lambda k, a: got.append((k, a)))
    icon.messageClicked.emit()
    assert got == [] and not balloon.has_actions
