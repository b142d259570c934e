"""The whole app in-process (offscreen) against the emulator: optimistic start, a slow gateway
never freezes the GUI, settings open from the tray, the demo mode."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from trayapp.app import TrayApp
from trayapp.core.models import EntryDraft, Service

from ..conftest import TEST_KEY


@pytest.fixture
def app(qtbot, emulator, monkeypatch):
    monkeypatch.setenv("MATON_API_KEY", TEST_KEY)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    tray_app = TrayApp(QApplication.instance())
    qtbot.waitUntil(lambda: bool(tray_app.snapshot and tray_app.snapshot.last_sync),
                    timeout=10_000)
    yield tray_app
    tray_app.shutdown()


def running(emulator):
    return [x["description"] for x in emulator.toggl.entries
            if x["stop"] is None and not x.get("server_deleted_at")]


def test_start_shows_at_once_and_slow_gateway_keeps_gui_responsive(app, emulator, qtbot):
    emulator.add_fault("delay", delay=2.5, times=None)  # every request now takes 2.5 s
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    try:
        started = time.monotonic()
        app.tray.start(EntryDraft("Slow network"))
        # Optimistic: the tray shows the timer before any answer.
        assert app.tray.snapshot.running.description == "Slow network"
        assert time.monotonic() - started < 0.5
        assert "Slow network" in app.tray.tooltip()
        qtbot.waitUntil(lambda: bool(app.snapshot.pending == 0 and app.snapshot.running
                             and not app.snapshot.running.id.startswith("local-")),
                        timeout=15_000)
        assert time.monotonic() - started >= 2.5
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert max(gaps) < 0.5  # the event loop never stalled
        assert running(emulator) == ["Slow network"]
    finally:
        timer.stop()


def test_menu_recent_start_and_stop(app, emulator, qtbot):
    app.tray.rebuild_menu()
    recent = next(a.menu() for a in app.tray.menu.actions()
                  if a.menu() and a.menu().title() == "Recent")
    first = recent.actions()[0]
    description = app.snapshot.recent()[0].description
    assert first.text().startswith(description)
    first.trigger()
    qtbot.waitUntil(lambda: running(emulator) == [description], timeout=10_000)
    app.tray.rebuild_menu()
    stop = next(a for a in app.tray.menu.actions() if a.text() == "Stop")
    stop.trigger()
    qtbot.waitUntil(lambda: running(emulator) == [], timeout=10_000)
    assert app.snapshot.running is None


def test_settings_opens_with_shortcuts(app, qtbot):
    app.tray.settings_requested.emit()
    window = app.settings_window
    assert window is not None and window.isVisible()
    from PySide6.QtWidgets import QGroupBox

    titles = [b.title() for b in window.findChildren(QGroupBox)]
    assert "Keyboard shortcuts" in titles


def test_demo_runs_without_an_account(qtbot, monkeypatch):
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    demo = TrayApp(QApplication.instance(), demo=True)
    try:
        qtbot.waitUntil(lambda: bool(demo.snapshot and demo.snapshot.last_sync),
                        timeout=10_000)
        assert demo.demo and len(demo.snapshot.recent()) == 10
        assert demo.tray.tooltip().endswith("demo")
    finally:
        demo.shutdown()


def test_first_launch_without_key_runs_the_demo_then_a_saved_key_switches(
        qtbot, emulator, monkeypatch):
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    app = TrayApp(QApplication.instance())
    try:
        qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync), timeout=10_000)
        assert app.demo  # no key: the demo runs...
        window = app.settings_window
        assert window is not None and window.isVisible()  # ...and settings explain why
        app.key_saved(TEST_KEY)  # what saving a key Maton accepted in settings does
        qtbot.waitUntil(lambda: bool(not app.demo and app.snapshot and app.snapshot.last_sync),
                        timeout=10_000)
        assert app.config.connections.keys() == {"toggl-track", "clockify"}
        assert app.settings_window is not None and app.settings_window.isVisible()
        assert any(r.app == "toggl-track" for r in emulator.requests)
    finally:
        app.shutdown()


def menu_action(app, text):
    app.tray.rebuild_menu()
    for action in app.tray.menu.actions():
        if action.text() == text:
            return action
        if action.menu() is not None:
            for inner in action.menu().actions():
                if inner.text() == text:
                    return inner
    raise AssertionError(f"no menu item {text!r} in {[a.text() for a in app.tray.menu.actions()]}")


def test_saving_a_wrong_key_keeps_the_demo_and_its_timer(qtbot, emulator, monkeypatch,
                                                         memory_keyring):
    """Defect: Save accepted any key, even one Maton refuses, and so ended the demo (its
    running timer disappeared)."""
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    app = TrayApp(QApplication.instance())
    try:
        qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync), timeout=10_000)
        assert app.demo
        app.tray.start(EntryDraft("Exploring the demo"))
        qtbot.waitUntil(lambda: bool(app.snapshot.running and app.snapshot.pending == 0),
                        timeout=10_000)
        window = app.settings_window
        window.key.edit.setText("wrong-key")
        window.key.save()
        qtbot.waitUntil(lambda: window.key.result.text().startswith("Not saved"),
                        timeout=10_000)
        qtbot.wait(200)
        assert app.demo and app.snapshot.running.description == "Exploring the demo"
        assert not memory_keyring.passwords

        window.key.edit.setText(TEST_KEY)  # a key Maton accepts: the demo ends
        window.key.save()
        qtbot.waitUntil(lambda: bool(not app.demo and app.snapshot and app.snapshot.last_sync),
                        timeout=10_000)
        # ...and removing it goes back to the demo.
        monkeypatch.setattr("trayapp.ui.settings.common.ask", lambda *a: True)
        app.settings_window.key.remove()
        qtbot.waitUntil(lambda: bool(app.demo and app.snapshot and app.snapshot.last_sync),
                        timeout=10_000)
        assert not memory_keyring.passwords
    finally:
        app.shutdown()


def test_a_timer_on_the_other_service_stays_visible_after_switching(app, emulator, qtbot):
    """Defect: Track on ▸ Clockify while a Toggl timer ran: the tray said "Not tracking",
    and an open Settings window kept Toggl selected."""
    app.show_settings()
    window = app.settings_window
    app.tray.start(EntryDraft("On Toggl"))
    qtbot.waitUntil(lambda: running(emulator) == ["On Toggl"], timeout=10_000)
    menu_action(app, "Clockify").trigger()  # Track on ▸ Clockify
    qtbot.waitUntil(lambda: app.service is Service.CLOCKIFY and app.snapshot is not None,
                    timeout=10_000)
    assert "On Toggl" in app.tray.tooltip() and "on Toggl Track" in app.tray.tooltip()
    assert window.tracking.radios[Service.CLOCKIFY].isChecked()
    replies: list[dict] = []  # the command line sees what the tray shows
    app.handle_request({"command": "status", "args": {}}, replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=10_000)
    assert replies[0]["status"]["service"] == "toggl-track" and replies[0]["status"]["running"]
    menu_action(app, "Stop on Toggl Track").trigger()
    qtbot.waitUntil(lambda: running(emulator) == [], timeout=10_000)
    qtbot.waitUntil(lambda: "Not tracking" in app.tray.tooltip(), timeout=10_000)
    window.tracking.radios[Service.TOGGL].click()  # and back, from the window
    qtbot.waitUntil(lambda: app.service is Service.TOGGL, timeout=10_000)


def test_demo_menu_and_settings_offer_the_same_services(qtbot, monkeypatch):
    """Defect: the demo's menu offered Track on ▸ Toggl/Clockify, Settings showed them
    disabled."""
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    demo = TrayApp(QApplication.instance(), demo=True)
    try:
        qtbot.waitUntil(lambda: bool(demo.snapshot and demo.snapshot.last_sync),
                        timeout=10_000)
        assert menu_action(demo, "Clockify").isEnabled()
        demo.show_settings()
        radios = demo.settings_window.tracking.radios
        assert all(r.isEnabled() for r in radios.values())
        radios[Service.CLOCKIFY].click()
        qtbot.waitUntil(lambda: demo.service is Service.CLOCKIFY, timeout=10_000)
        assert demo.tray.menu.isEnabled()
    finally:
        demo.shutdown()


def test_an_uncaught_exception_is_logged_and_shown_once(qtbot, caplog):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from trayapp.ui import crash

    previous = sys.excepthook
    crash.install_excepthook()
    try:
        def boom():
            raise RuntimeError("a bug")

        for _ in range(2):
            QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda: crash.shown() is not None, timeout=5000)
        qtbot.wait(100)
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible()]
        assert len(boxes) == 1 and "trayapp.log" in boxes[0].informativeText()
        assert [r for r in caplog.records if "uncaught" in r.getMessage()]
        boxes[0].close()
    finally:
        sys.excepthook = previous


@pytest.fixture
def messages(monkeypatch):
    """What the tray would show as notifications."""
    from PySide6.QtWidgets import QSystemTrayIcon

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "showMessage",
                        lambda self, title, text, *rest: shown.append((title, text)))
    return shown


def start_app(monkeypatch, emulator, key: str) -> TrayApp:
    monkeypatch.setenv("MATON_API_KEY", key)
    monkeypatch.setenv("TRAYAPP_GATEWAY_URL", emulator.base_url)
    monkeypatch.setenv("TRAYAPP_HOTKEYS", "none")
    return TrayApp(QApplication.instance())


def test_a_rejected_key_from_the_environment_points_to_the_variable(qtbot, emulator,
                                                                    monkeypatch, messages):
    """Defect: the advice was "Check the key in Settings", where Save is disabled for a key
    from MATON_API_KEY."""
    app = start_app(monkeypatch, emulator, "wrong-key")
    try:
        qtbot.waitUntil(lambda: bool(messages) and app.tray.badge().name == "ERROR",
                        timeout=10_000)
        app.tray.rebuild_menu()
        status = [a for a in app.tray.menu.actions() if "rejected" in a.text()]
        assert status and "MATON_API_KEY" in status[0].toolTip()
        texts = [text for _title, text in messages] + [a.toolTip() for a in status]
        assert not [t for t in texts if "in Settings" in t], texts
        assert any("MATON_API_KEY" in text for _title, text in messages), messages
        assert app.tray.badge().name == "ERROR"
    finally:
        app.shutdown()


def test_garbled_settings_are_reported_and_kept_aside(qtbot, emulator, monkeypatch, messages):
    from trayapp.config import Config

    Config.path().parent.mkdir(parents=True, exist_ok=True)
    Config.path().write_text("[1, 2", encoding="utf-8")
    app = start_app(monkeypatch, emulator, TEST_KEY)
    try:
        qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync), timeout=10_000)
        assert "Settings reset" in [title for title, _ in messages]
        assert Config.path().with_name("settings.json.broken").read_text() == "[1, 2"
    finally:
        app.shutdown()


def test_a_command_is_answered_in_time_even_when_the_network_is_slow(app, emulator, qtbot):
    """The command line waits 10 s at most: past 5 s the app says the change is saved and
    still being sent, instead of leaving it to believe nothing happened."""
    app.reply_within_ms = 300  # 5 s in real use
    emulator.add_fault("delay", delay=3.0, method="POST", times=1)
    replies: list[dict] = []
    started = time.monotonic()
    app.handle_request({"command": "start", "args": {"description": "Slow start"}},
                       replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=5000)
    assert 0.25 < time.monotonic() - started < 2.5  # before the server answered (3 s)
    assert replies[0]["exit"] == 75 and "still being sent" in replies[0]["error"]
    assert replies[0]["status"]["entry"]["description"] == "Slow start"
    qtbot.waitUntil(lambda: running(emulator) == ["Slow start"], timeout=15_000)
    qtbot.wait(200)
    assert len(replies) == 1  # never a second answer


def test_the_icon_does_not_wait_for_the_http_stack():
    """The tray shows its icon before the backend starts: importing the app must not pull in
    httpx, ssl or sqlite (they come with the backend, once the icon is on the panel)."""
    import subprocess
    import sys

    code = ("import sys, trayapp.app; "
            "loaded = [m for m in ('httpx', 'ssl', 'sqlite3') if m in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_icon_does_not_wait_for_the_windows():
    """The settings, the timesheet, the manager and the dialogs load when first opened: none
    of their modules comes with the tray's own start-up."""
    import subprocess
    import sys

    code = ("import sys, trayapp.gui; "
            "windows = ('trayapp.ui.settings.window', 'trayapp.ui.timesheet.window', "
            "'trayapp.ui.manage.window', 'trayapp.ui.quick_start', 'trayapp.ui.project_picker', "
            "'trayapp.ui.entry_dialog'); "
            "loaded = [m for m in windows if m in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_app_modules_sources_are_not_kept_in_memory():
    """PySide6's import hook reads (and linecache then keeps) the source of every module
    imported after it: trayapp.qt_imports puts Python's import back before the app's own."""
    import subprocess
    import sys

    code = ("import linecache, trayapp.gui, trayapp.ui.settings.window; "
            "kept = [f for f in linecache.cache if 'trayapp' in f and "
            "('app.py' in f or 'window.py' in f or 'control' in f)]; "
            "assert not kept, kept")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_quitting_after_the_crash_dialog_is_clean():
    """The dialog once made quitting crash (exit 139): Qt deleted it twice."""
    import os
    import subprocess
    import sys

    code = ("import sys\n"
            "from PySide6.QtCore import QTimer\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication(sys.argv)\n"
            "from trayapp.ui import crash\n"
            "crash.install_excepthook()\n"
            "def boom():\n"
            "    raise RuntimeError('a bug')\n"
            "QTimer.singleShot(0, boom)\n"
            "QTimer.singleShot(500, lambda: crash.shown() is not None and app.quit())\n"
            "QTimer.singleShot(5000, lambda: sys.exit(3))\n"
            "app.exec()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-500:]
    assert "uncaught exception" in done.stderr


def test_a_connection_gone_from_maton_is_replaced(qtbot, emulator, monkeypatch, messages):
    """The settings name a connection Maton no longer has (deleted on the web): the app asks
    Maton again and goes on with the one Maton has."""
    from trayapp.config import Config

    Config(connections={"toggl-track": "deleted-on-the-web"}).save()
    app = start_app(monkeypatch, emulator, TEST_KEY)
    try:
        qtbot.waitUntil(lambda: bool(app.snapshot and app.snapshot.last_sync), timeout=10_000)
        active = next(c["connection_id"] for c in emulator.connections
                      if c["app"] == "toggl-track")
        assert app.config.connections["toggl-track"] == active
        assert Config.load().connections["toggl-track"] == active
    finally:
        app.shutdown()


def test_the_new_timer_dialog_gets_a_projects_tasks(app, emulator, qtbot):
    """Clockify tasks come through the app's network worker when a project is picked."""
    from trayapp.ui.entry_dialog import EntryDialog

    app.track_on(Service.CLOCKIFY)
    qtbot.waitUntil(lambda: app.snapshot is not None and app.snapshot.service
                    is Service.CLOCKIFY and bool(app.snapshot.projects), timeout=10_000)
    app.show_window("new_timer")
    dialog = next(w for w in app.windows.open if isinstance(w, EntryDialog))
    project = next(p for p in app.snapshot.projects
                   if any(t["projectId"] == p.id for t in emulator.clockify.tasks))
    with qtbot.waitSignal(dialog.tasks_wanted, timeout=5000):
        dialog.set_project(project.id)
    qtbot.waitUntil(lambda: dialog.task_combo.count() > 1, timeout=10_000)
    dialog.close()


def test_changes_waiting_on_the_other_service_are_shown_and_sent(app, emulator, qtbot):
    """Tracking on Toggl, a Clockify stop queued while offline: counted in the tray, and sent
    by the next sync (not only by the next Clockify command)."""
    replies: list[dict] = []

    def clockify_running() -> list[str]:
        return [x["description"] for x in emulator.clockify.entries
                if x["end"] is None and x["description"] == "On Clockify"]

    app.handle_request({"command": "start", "args": {"description": "On Clockify",
                                                      "service": "clockify"}}, replies.append)
    qtbot.waitUntil(lambda: bool(replies) and clockify_running() == ["On Clockify"],
                    timeout=10_000)
    emulator.add_fault("refuse", app="clockify", times=None)
    app.handle_request({"command": "stop", "args": {"service": "clockify"}}, replies.append)
    qtbot.waitUntil(lambda: len(replies) == 2, timeout=10_000)
    assert replies[1]["exit"] == 75
    qtbot.waitUntil(lambda: "1 not yet sent" in app.tray.tooltip(), timeout=5000)
    emulator.clear_faults()
    app.sync()
    qtbot.waitUntil(lambda: clockify_running() == [], timeout=10_000)
    qtbot.waitUntil(lambda: "not yet sent" not in app.tray.tooltip(), timeout=5000)


def test_a_demo_command_never_reaches_the_real_account(app, emulator, qtbot):
    replies: list[dict] = []
    app.handle_request({"command": "start", "args": {"description": "Trying the demo",
                                                      "demo": True}}, replies.append)
    assert replies and replies[0]["exit"] == 2 and "--demo" in replies[0]["error"]
    qtbot.wait(100)
    assert "Trying the demo" not in running(emulator)


def test_a_command_is_answered_in_time_while_the_app_looks_at_the_server(app, emulator, qtbot):
    """`stop` with nothing running here first asks the service (a timer may run there); a
    slow answer must not keep the command line waiting past the bound."""
    app.reply_within_ms = 300  # 5 s in real use
    emulator.add_fault("delay", delay=3.0, method="GET", times=1)
    replies: list[dict] = []
    started = time.monotonic()
    app.handle_request({"command": "stop", "args": {}}, replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=5000)
    assert time.monotonic() - started < 2.5  # before the service answered (3 s)
    assert replies[0]["exit"] == 1 and "No timer is running" in replies[0]["error"]


def test_popping_up_the_open_menu_keeps_it(app, qtbot):
    app.tray.popup_menu()
    qtbot.waitUntil(app.tray.menu.isVisible, timeout=2000)
    first = app.tray.menu.actions()[0]
    app.tray.popup_menu()  # `trayapp menu` again, a shortcut again
    assert app.tray.menu.actions()[0] is first  # not rebuilt (that closed it)
    app.tray.menu.hide()


def test_a_stalling_gateway_ends_a_sync_by_the_job_deadline(app, emulator, qtbot,
                                                           monkeypatch):
    """Each request has its deadline, but retries add up: one job of the network worker
    gives up as a whole, so the tray does not show a sync under way for minutes."""
    monkeypatch.setattr("trayapp.runtime.JOB_DEADLINE", 1.5)
    emulator.add_fault("delay", delay=8, times=None)
    started = time.monotonic()
    app.runtime.sync()
    qtbot.waitUntil(lambda: not app.runtime._syncing, timeout=6_000)
    assert time.monotonic() - started < 4
    assert app.snapshot.error is not None and "too slow" in app.snapshot.error.message
