"""Idle time in the app, offscreen: the question window, the Settings section, and the
controller in the whole app against the emulator, fed made-up readings and a made-up clock
(the real X idle counter is tests/desktop/test_idle_x11.py's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from trayapp.config import Config
from trayapp.control.actions import Request
from trayapp.control.idle import Answer, IdleSpell
from trayapp.core.durations import format_timestamp, utcnow
from trayapp.core.models import TimeEntry
from trayapp.platform.idle import IdleSource, NullSource
from trayapp.ui.idle import IdleController, IdleQuestion, IdleSection

from ..support.whole_app import whole_app

WAIT = 10_000


class FakeSource(IdleSource):
    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.available = True
        self.value = 0.0
        self.reads = 0

    def idle_seconds(self) -> float | None:
        self.reads += 1
        return self.value


def spell_now(description: str = "Write & review") -> IdleSpell:
    now = utcnow().replace(microsecond=0)
    entry = TimeEntry(id="e", workspace_id="w", start=now - timedelta(hours=1),
                      description=description)
    return IdleSpell(now - timedelta(minutes=35), now, entry)


# -- the window --------------------------------------------------------------------------------

def test_the_question_says_when_and_offers_four_answers_with_unique_mnemonics(qtbot):
    spell = spell_now("<b>Write</b> & review")
    window = IdleQuestion(spell)
    qtbot.addWidget(window)
    assert window.message.textFormat() == Qt.TextFormat.PlainText
    assert window.message.text().startswith("You were idle from ")
    assert "(35 min) while tracking “<b>Write</b> & review”." in window.message.text()
    texts = [b.text() for b in window.buttons.values()]
    assert len(texts) == 4
    keys = [t[t.index("&") + 1].lower() for t in texts]
    assert len(set(keys)) == 4 and "n" not in keys  # the name field's is Alt+N
    assert window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert not any(b.isDefault() or b.autoDefault() for b in window.buttons.values())


def test_an_answer_is_given_once_and_escape_is_no_answer(qtbot):
    window = IdleQuestion(spell_now())
    qtbot.addWidget(window)
    got: list[tuple[Answer, str]] = []
    window.answered.connect(lambda a, d: got.append((a, d)))
    window.show()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert got == [] and not window.isVisible()
    window.show()
    window.description.setText("  Lunch @Website ")
    qtbot.mouseClick(window.buttons[Answer.ADD], Qt.MouseButton.LeftButton)
    assert got == [(Answer.ADD, "Lunch @Website")] and not window.isVisible()


def test_enter_in_the_name_field_adds_the_idle_time(qtbot):
    window = IdleQuestion(spell_now())
    qtbot.addWidget(window)
    got: list[Answer] = []
    window.answered.connect(lambda a, d: got.append(a))
    window.show()
    window.description.setText("Call")
    qtbot.keyClick(window.description, Qt.Key.Key_Return)
    assert got == [Answer.ADD]


# -- settings ------------------------------------------------------------------------------------

def test_settings_section_sets_the_threshold(qtbot):
    config = Config()
    source = FakeSource()
    section = IdleSection(config, source)
    qtbot.addWidget(section)
    assert section.minutes.value() == 5 and section.minutes.isEnabled()
    assert section.unavailable.isHidden()
    changes: list[int] = []
    section.changed.connect(lambda: changes.append(config.idle_minutes))
    section.minutes.setValue(12)
    assert config.idle_minutes == 12 and changes == [12]
    section.minutes.setValue(0)
    assert section.minutes.text() == "Never" and config.idle_minutes == 0


def test_settings_section_says_why_there_is_no_idle_detection(qtbot):
    section = IdleSection(Config(), NullSource("the X server has no screen saver extension"))
    qtbot.addWidget(section)
    assert not section.unavailable.isHidden() and not section.minutes.isEnabled()
    assert section.unavailable.text() == ("Idle detection is not available on this desktop: "
                                          "the X server has no screen saver extension.")


# -- the controller in the app ---------------------------------------------------------------

@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    with whole_app(qtbot, emulator, monkeypatch, TRAYAPP_IDLE="none") as tray_app:
        yield tray_app


def server_entries(emulator, description):
    return sorted(([x["start"], x["stop"]] for x in emulator.toggl.entries
                   if x["description"] == description and not x.get("server_deleted_at")),
                  key=lambda pair: pair[0])


def moment(epoch: int | None):
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def start_timer(app, emulator, qtbot, description: str, minutes_ago: int):
    begin = (utcnow() - timedelta(minutes=minutes_ago)).replace(microsecond=0)
    app.dispatch(Request("start", {"description": description, "at": format_timestamp(begin)}))
    qtbot.waitUntil(lambda: len(server_entries(emulator, description)) == 1
                    and app.snapshot.pending == 0, timeout=WAIT)
    return begin


def idle_spell(app, qtbot, source, now_seconds=(30 * 60, 5 * 60)):
    """Readings: away for 30 min, then back 5 min ago (the clock is the real one)."""
    clock = [utcnow().replace(microsecond=0)]
    controller = IdleController(app, source=source, now=lambda: clock[0])
    source.value = now_seconds[0]
    controller.poll()
    assert controller.watcher.idle_since == clock[0] - timedelta(seconds=now_seconds[0])
    assert controller._timer.interval() == 15_000  # away: read every 15 s
    clock[0] += timedelta(seconds=15)
    source.value = now_seconds[1]
    with qtbot.waitSignal(controller.asked, timeout=1000) as asked:
        controller.poll()
    spell: IdleSpell = asked.args[0]
    assert not controller._timer.isActive()  # no readings while the question waits
    return controller, spell


@pytest.mark.parametrize("answer", list(Answer))
def test_each_answer_changes_the_service_entries(app, emulator, qtbot, answer):
    begin = start_timer(app, emulator, qtbot, "Deep work", 60)
    controller, spell = idle_spell(app, qtbot, FakeSource())
    assert spell.entry.description == "Deep work"
    assert controller.window is not None and controller.window.isVisible()
    app.tray.menu.aboutToShow.emit()  # the menu offers the question too
    assert controller.menu_action in app.tray.menu.actions()
    assert app.tray.menu.actions()[1] is controller.menu_action
    controller.window.description.setText("Lunch")
    controller.window.buttons[answer].click()
    idle_start, back = spell.started, spell.ended
    expected = {
        Answer.KEEP: [[begin, None]],
        Answer.DISCARD: [[begin, idle_start]],
        Answer.DISCARD_CONTINUE: [[begin, idle_start], [back, None]],
        Answer.ADD: [[begin, idle_start], [back, None]],
    }[answer]
    qtbot.waitUntil(lambda: [[moment(a), moment(b)] for a, b in
                             server_entries(emulator, "Deep work")] == expected
                    and app.snapshot.pending == 0, timeout=WAIT)
    lunch = [[moment(a), moment(b)] for a, b in server_entries(emulator, "Lunch")]
    assert lunch == ([[idle_start, back]] if answer is Answer.ADD else [])
    assert controller.pending is None
    app.tray.menu.aboutToShow.emit()
    assert controller.menu_action is None


def test_an_answer_after_the_timer_was_stopped_still_applies_at_the_idle_start(
        app, emulator, qtbot):
    begin = start_timer(app, emulator, qtbot, "Late answer", 60)
    controller, spell = idle_spell(app, qtbot, FakeSource())
    app.dispatch(Request("stop"))
    qtbot.waitUntil(lambda: app.snapshot.running is None and app.snapshot.pending == 0,
                    timeout=WAIT)
    stopped = moment(server_entries(emulator, "Late answer")[0][1])
    controller.answer(Answer.DISCARD_CONTINUE)
    qtbot.waitUntil(lambda: [[moment(a), moment(b)] for a, b in
                             server_entries(emulator, "Late answer")]
                    == [[begin, spell.started], [spell.ended, stopped]]
                    and app.snapshot.pending == 0, timeout=WAIT)


def test_no_readings_without_a_timer_and_status_reports_idle_seconds(app, qtbot):
    source = FakeSource()
    source.value = 42.7
    controller = IdleController(app, source=source)
    controller.snapshot_changed()
    assert not controller._timer.isActive() and source.reads == 0
    replies: list[dict] = []
    controller.with_idle_seconds(replies.append)({"status": {"idle_seconds": None}})
    assert replies == [{"status": {"idle_seconds": 42}}]
    controller.with_idle_seconds(replies.append)({"ok": True})
    assert replies[-1] == {"ok": True}
    none = IdleController(app, source=NullSource("no"))
    none.with_idle_seconds(replies.append)({"status": {"idle_seconds": None}})
    assert replies[-1] == {"status": {"idle_seconds": None}}


def test_a_working_user_is_read_every_few_minutes(app, emulator, qtbot):
    start_timer(app, emulator, qtbot, "Busy", 10)
    source = FakeSource()
    controller = IdleController(app, source=source)
    source.value = 3.0
    controller.snapshot_changed()
    qtbot.waitUntil(lambda: source.reads == 1, timeout=1000)
    assert controller._timer.isActive() and controller._timer.interval() == 298_000
    controller.set_minutes(0)  # off: no readings
    assert not controller._timer.isActive()


def test_the_running_app_reports_idle_seconds_and_shows_the_idle_settings(app, qtbot):
    source = FakeSource()
    source.value = 73.9
    app.idle._source = source
    replies: list[dict] = []
    app.handle_request({"command": "status", "args": {"json": True}}, replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=WAIT)
    assert replies[0]["status"]["idle_seconds"] == 73
    app.show_settings()
    section = app.idle.section
    assert section is not None and section.isVisibleTo(app.settings_window)
    section.minutes.setValue(9)
    assert Config.load().idle_minutes == 9 and app.idle.watcher.minutes == 9
