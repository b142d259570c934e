"""Settings: the sleep, shutdown and lock section."""

from __future__ import annotations

from trayapp.config import Config
from trayapp.control.session_events import Event
from trayapp.platform.session_events import MACOS_REASON, NullEvents
from trayapp.platform.session_events.base import SessionEvents
from trayapp.ui.session_events import AwaySection


def test_each_event_offers_its_choices_and_saves_the_one_chosen(qtbot):
    config = Config()
    events = SessionEvents()
    events.available = True
    section = AwaySection(config, events)
    qtbot.addWidget(section)
    assert section.unavailable.isHidden()
    shutdown = section.boxes[Event.SHUTDOWN]
    assert [shutdown.itemData(i) for i in range(shutdown.count())] == ["nothing", "stop"]
    assert section.boxes[Event.SLEEP].currentData() == "ask"
    changes = []
    section.changed.connect(lambda: changes.append(1))
    lock = section.boxes[Event.LOCK]
    lock.setCurrentIndex(lock.findData("stop"))
    assert config.on_lock == "stop" and changes == [1]


def test_where_nothing_is_told_settings_say_why(qtbot):
    section = AwaySection(Config(), NullEvents(MACOS_REASON))
    qtbot.addWidget(section)
    assert not section.unavailable.isHidden()
    assert "PyObjC" in section.unavailable.text()
    assert not section.boxes[Event.SLEEP].isEnabled()
