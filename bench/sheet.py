"""The timesheet's week view with BIG_WEEK (2,000) entries, in the real window of the whole
app (TrayApp in this process, on the display it is given) against the emulator over HTTP.

The emulator holds BIG_WEEK entries in one past week (bench.budget.fill_week, Toggl). The
app starts, the week is opened once (that first open fills the cache: the requests it costs
are reported apart), then each round measures, with the cache fresh:

- open: the window made and shown on the week (`SheetHost.show(week)`, what `trayapp
  timesheet` does, on that week), from scratch (the previous window closed and deleted):
  the first open in a session;
- open again: the same after closing the window (the app keeps it, with what it showed);
- day and week: Ctrl+1 and Ctrl+2 in the open window (`set_kind`), on a day of that week
  and back to the whole week;
- snapshot: one new snapshot arriving while the week is shown (`snapshot_changed`, what
  every sync does): the window redrawn, the entries read again from the cache.

First paint, as measured: from the call that asks for the view until control is back in the
event loop after the first paint of the list (the tree's viewport gets a QEvent.Paint while
the window holds the asked period's entries, read from the cache, and the list shows them);
so it holds making the window, the cache read on the app's worker, building the sheet,
filling the list, the layout, the paint and its flush to the X server. The wall time on
this process's clock (time.perf_counter), median of the rounds; also the paint's start.

Requests: what the emulator logged from the call until the window's load from the service
has answered ("Up to date"), for the open; aim 0 with a fresh cache.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bench.budget import BIG_WEEK, fill_week
from bench.report import save
from trayapp.control.sheet import DAY, WEEK, Period
from trayapp.core.durations import day_start, week_start
from trayapp.core.models import Service
from trayapp.emulator import Emulator, serve

KEY = "bench-key"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
TIMEOUT = 30.0


def environment(base_url: str) -> None:
    home = Path(tempfile.mkdtemp(prefix="trayapp-bench-sheet-"))
    for name in ("config", "data", "runtime"):
        (home / name).mkdir(mode=0o700)
    os.environ.update(MATON_API_KEY=KEY, TRAYAPP_GATEWAY_URL=base_url,
                      TRAYAPP_HOTKEYS="none", XDG_CONFIG_HOME=str(home / "config"),
                      XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home / "runtime"))


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    today = datetime.now().astimezone().date()
    monday = week_start(today, 0) - timedelta(days=21)  # a past week: nothing else in it
    emulator = Emulator(api_key=KEY, seed=True)
    fill_week(emulator, Service.TOGGL, day_start(monday))
    server = serve(emulator, "127.0.0.1", 0)
    environment(server.base_url)
    QSystemTrayIcon.showMessage = lambda *a, **k: None  # type: ignore[method-assign]
    qapp = QApplication.instance() or QApplication(["bench-sheet"])
    from trayapp.app import TrayApp

    app = TrayApp(qapp)  # type: ignore[arg-type]

    def spin(done: Callable[[], bool], what: str) -> None:
        deadline = time.perf_counter() + TIMEOUT
        while not done():
            if time.perf_counter() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            qapp.processEvents()
            time.sleep(0.001)

    spin(lambda: bool(app.snapshot and app.snapshot.last_sync), "the first sync")
    service = app.service
    week = Period(WEEK, monday, app.snapshot.first_weekday if app.snapshot else 0)
    host = app.sheet

    def requests() -> int:
        return len(emulator.requests)

    def shown(period: Period) -> Callable[[], bool]:
        def check() -> bool:
            window = host.window
            return (window is not None and window.loaded == window.period
                    and (window.period.kind, window.period.first) == (period.kind, period.first)
                    and window.tree.model().rowCount() > 0)
        return check

    def up_to_date() -> bool:
        window = host.window
        return window is not None and window.status.text().startswith("Up to date")

    class FirstPaint(QObject):
        """The first paint of the list once `ready()`: its start, and when the event loop
        runs again after it (a zero timer posted from inside the paint)."""

        def __init__(self, ready: Callable[[], bool]) -> None:
            super().__init__()
            self.ready = ready
            self.start: float | None = None
            self.done: float | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if (event.type() == QEvent.Type.Paint and self.start is None and self.ready()):
                self.start = time.perf_counter()
                QTimer.singleShot(0, self._after)
            return False

        def _after(self) -> None:
            self.done = time.perf_counter()

    def measure(ask: Callable[[], None], ready: Callable[[], bool],
                settle: Callable[[], bool] = lambda: True) -> dict[str, float]:
        """ask() then wait for the list's first paint once ready(); then for settle()."""
        window = host.window
        paint = FirstPaint(ready)
        if window is not None:
            window.tree.viewport().installEventFilter(paint)
        before = requests()
        t0 = time.perf_counter()
        ask()
        window = host.window
        assert window is not None
        if window.tree.viewport() is not None:  # a new window: watch its list now (no
            window.tree.viewport().installEventFilter(paint)  # paint runs before the loop)
        spin(lambda: paint.done is not None, "the first paint")
        spin(settle, "the load to settle")
        window.tree.viewport().removeEventFilter(paint)
        assert paint.start is not None and paint.done is not None
        return {"first_paint_ms": (paint.done - t0) * 1000,
                "paint_starts_ms": (paint.start - t0) * 1000,
                "requests": requests() - before}

    def close_window() -> None:
        window = host.window
        if window is not None:
            window.close()
            window.deleteLater()
            host.window = None
            spin(lambda: True, "")
            for _ in range(20):
                qapp.processEvents()

    def snapshot_update() -> dict[str, float]:
        """One new snapshot while the week is shown: the window redrawn at once, then the
        entries read again from the cache and applied. Until the list's first paint after
        that when it changed; when nothing did, there is nothing to paint: until the re-read
        entries are applied."""
        window = host.window
        assert window is not None
        applied: list[float] = []
        original = window.set_entries

        def counting(*args: object, **kwargs: object) -> None:
            original(*args, **kwargs)  # type: ignore[arg-type]
            applied.append(time.perf_counter())

        window.set_entries = counting  # type: ignore[method-assign]
        paint = FirstPaint(lambda: bool(applied))
        window.tree.viewport().installEventFilter(paint)
        try:
            before = requests()
            t0 = time.perf_counter()
            host.snapshot_changed(app.snapshot)
            redrawn = time.perf_counter()
            spin(lambda: bool(applied), "the entries read again")
            deadline = time.perf_counter() + 0.5
            while paint.done is None and time.perf_counter() < deadline:
                qapp.processEvents()
            end = paint.done if paint.done is not None else applied[0]
            return {"first_paint_ms": (end - t0) * 1000,
                    "paint_starts_ms": ((paint.start or end) - t0) * 1000,
                    "redraw_ms": (redrawn - t0) * 1000, "requests": requests() - before}
        finally:
            window.tree.viewport().removeEventFilter(paint)
            del window.set_entries

    rows: dict[str, list[dict[str, float]]] = {
        "open": [], "week -> day": [], "day -> week": [], "snapshot update": [],
        "open again": []}
    try:
        # The first open of that week fills the cache (one request on Toggl).
        cold = measure(lambda: host.show(week), shown(week), up_to_date)
        assert host.window is not None
        entries = sum(len(d.rows) for d in host.window.sheet.days)
        assert entries >= BIG_WEEK, entries
        for _ in range(ROUNDS):
            close_window()
            rows["open"].append(measure(lambda: host.show(week), shown(week), up_to_date))
            window = host.window
            assert window is not None
            thursday = window.sheet.days[3]  # Ctrl+1 shows the current row's day
            window.tree.select_entry(thursday.rows[0].id)
            rows["week -> day"].append(measure(
                lambda w=window: w.set_kind(DAY),  # type: ignore[misc]
                shown(Period(DAY, thursday.day, week.first_weekday)), up_to_date))
            rows["day -> week"].append(measure(
                lambda w=window: w.set_kind(WEEK),  # type: ignore[misc]
                shown(week), up_to_date))
            rows["snapshot update"].append(snapshot_update())
            window.close()  # closed, kept: opening it again shows what it holds at once
            spin(lambda: True, "")
            rows["open again"].append(measure(host.show, shown(week), up_to_date))
        figures: dict[str, object] = {
            "service": service.value, "entries_in_week": entries, "rounds": ROUNDS,
            "platform": QApplication.platformName(),
            "first_open_requests_cold_range": cold["requests"],
            "first_open_ms_cold_range": round(cold["first_paint_ms"], 1),
        }
        for name, found in rows.items():
            figures[name] = {
                "first_paint_ms_median": round(statistics.median(
                    r["first_paint_ms"] for r in found), 1),
                "first_paint_ms_min": round(min(r["first_paint_ms"] for r in found), 1),
                "first_paint_ms_max": round(max(r["first_paint_ms"] for r in found), 1),
                "paint_starts_ms_median": round(statistics.median(
                    r["paint_starts_ms"] for r in found), 1),
                "requests_max": max(r["requests"] for r in found),
            }
            if "redraw_ms" in found[0]:
                figures[name]["redraw_ms_median"] = round(statistics.median(  # type: ignore[index]
                    r["redraw_ms"] for r in found), 1)
    finally:
        app.shutdown()
        server.close()
    save("sheet", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
