"""The worker thread: results come back on the GUI thread, stale ones are dropped, a slow
gateway never freezes the GUI, and shutdown is clean."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread, QTimer

from trayapp.core import errors as e
from trayapp.core.models import Service
from trayapp.sync.account import Account
from trayapp.worker import Worker

from ..conftest import TEST_KEY


def test_results_arrive_on_the_gui_thread(qtbot):
    worker = Worker(lambda: {"backend": True})
    seen = {}

    def fn(backend):
        seen["thread"] = threading.current_thread()
        return backend["backend"]

    try:
        with qtbot.waitCallback(timeout=3000) as done:
            worker.call(fn, done)
        assert done.args == [True]
        assert seen["thread"] is not threading.main_thread()
    finally:
        worker.shutdown()


def test_errors_are_typed_and_bugs_do_not_kill_the_thread(qtbot):
    worker = Worker(lambda: None)
    got = []
    try:
        worker.call(lambda b: (_ for _ in ()).throw(e.NotFound("gone")), failed=got.append)
        worker.call(lambda b: 1 / 0, failed=got.append)
        worker.call(lambda b: "still alive", done=got.append)
        qtbot.waitUntil(lambda: len(got) == 3, timeout=3000)
        assert isinstance(got[0], e.NotFound)
        assert isinstance(got[1], e.TrackerError) and "ZeroDivisionError" in got[1].message
        assert got[2] == "still alive"
    finally:
        worker.shutdown()


def test_stale_results_of_the_same_kind_are_dropped(qtbot):
    worker = Worker(lambda: None)
    got = []
    try:
        worker.call(lambda b: (time.sleep(0.3), "old")[1], got.append, kind="snapshot")
        worker.call(lambda b: "new", got.append, kind="snapshot")
        worker.call(lambda b: "other kind", got.append, kind="other")
        qtbot.waitUntil(lambda: worker.pending == 0, timeout=3000)
        assert got == ["new", "other kind"]
    finally:
        worker.shutdown()


def test_slow_gateway_leaves_the_gui_responsive(qtbot, emulator, tmp_path):
    emulator.add_fault("delay", delay=2.0, times=None)
    worker = Worker(lambda: Account(TEST_KEY, emulator.base_url, tmp_path / "s.sqlite3"))
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    got = []
    try:
        started = time.monotonic()
        worker.call(lambda a: a.session(Service.TOGGL).tracker.me(), got.append, got.append)
        qtbot.waitUntil(lambda: bool(got), timeout=10_000)
        elapsed = time.monotonic() - started
        assert elapsed >= 2.0 and got[0].name == "Demo User"
        # The event loop kept turning the whole time: no gap near the 2 s the request took.
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert len(ticks) > 40 and max(gaps) < 0.5
    finally:
        timer.stop()
        worker.shutdown()


def test_shutdown_stops_the_thread(qtbot):
    worker = Worker(lambda: None)
    thread: QThread = worker.worker_thread
    worker.call(lambda b: None)
    worker.shutdown()
    assert not thread.isRunning()
