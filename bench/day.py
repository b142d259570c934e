"""A working day of the whole app in this process: memory, Python objects and Qt widgets
before and after, to find what grows.

TrayApp runs here (on the display it is given: the tests' headless desktop) against the
emulator over HTTP, on an accelerated clock: every `utcnow` of trayapp, the store's session
clock and the emulator's clock read a simulated time that jumps from one event of the day to
the next, so 8 working hours run in well under a minute while the app sees them pass (the
ring moves through the minutes of the hour, the menu finds the cache fresh or stale, entries
get their real lengths). The day is the request-budget day (bench/budget.py): 12 timer
switches and 40 menu opens at the same random moments, the automatic syncs when
SyncPolicy says (each one waited for), plus a tooltip update every simulated minute and, each
hour, the settings window and the timesheet opened and closed (the timesheet loads its day).

Measured at three points: after the first sync; once warm (after the first hour, when every
kind of window and menu has been made once); at the end. Each time: resident memory (VmRSS),
live Python objects by type after a full collection (gc), Qt widgets
(QApplication.allWidgets()), and with BENCH_TRACEMALLOC=1 the bytes traced by tracemalloc
(slower). Aims (issue 14): end within 5 MB of after the first sync; no growth of objects or
widgets from warm to end.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import save

KEY = "bench-key"
WORK_HOURS = int(os.environ.get("BENCH_DAY_HOURS", "8"))
SWITCHES = 12 * WORK_HOURS // 8  # as bench/budget.py's day
MENU_OPENS = 40 * WORK_HOURS // 8
TIMEOUT = 30.0
TRACE = os.environ.get("BENCH_TRACEMALLOC") == "1"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()


def accelerate(clock: Clock) -> None:
    """Every clock of trayapp reads `clock` (the modules' `utcnow`, the session's default)."""
    from trayapp.core import durations
    from trayapp.sync import account

    original = durations.utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("trayapp") and getattr(module, "utcnow", None) is original:
            module.utcnow = clock  # type: ignore[attr-defined]
    defaults = account.Account.__init__.__defaults__
    assert defaults is not None
    account.Account.__init__.__defaults__ = tuple(
        clock if value is original else value for value in defaults)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure() -> dict[str, Any]:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    objects = gc.get_objects()
    kinds = Counter(type(o).__name__ for o in objects)
    widgets = Counter(type(w).__name__ for w in QApplication.allWidgets())
    figures: dict[str, Any] = {
        "rss_mb": round(rss_mb(), 1),
        "python_objects": len(objects),
        "qt_widgets": sum(widgets.values()),
        "_kinds": kinds,
        "_widgets": widgets,
    }
    if TRACE:
        figures["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 2)
    del objects
    return figures


def growth(before: Counter[str], after: Counter[str], top: int = 12) -> dict[str, int]:
    diff = Counter(after)
    diff.subtract(before)
    grown = [(k, v) for k, v in diff.most_common() if v != 0]
    grown.sort(key=lambda kv: -abs(kv[1]))
    return dict(grown[:top])


def main() -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from trayapp.core.models import EntryDraft
    from trayapp.emulator import Emulator, serve
    from trayapp.sync.schedule import SyncPolicy

    if TRACE:
        tracemalloc.start()
    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    clock = Clock(start)
    emulator = Emulator(api_key=KEY, seed=True, clock=clock.timestamp)
    server = serve(emulator, "127.0.0.1", 0)
    home = Path(tempfile.mkdtemp(prefix="trayapp-bench-day-"))
    for name in ("config", "data", "runtime"):
        (home / name).mkdir(mode=0o700)
    os.environ.update(MATON_API_KEY=KEY, TRAYAPP_GATEWAY_URL=server.base_url,
                      TRAYAPP_HOTKEYS="none", XDG_CONFIG_HOME=str(home / "config"),
                      XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home / "runtime"))
    QSystemTrayIcon.showMessage = lambda *a, **k: None  # type: ignore[method-assign]
    qapp = QApplication.instance() or QApplication(["bench-day"])
    from trayapp.app import TrayApp

    accelerate(clock)
    app = TrayApp(qapp)  # type: ignore[arg-type]

    def spin(seconds: float = 0.0) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def until(done: Callable[[], bool], what: str) -> None:
        deadline = time.perf_counter() + TIMEOUT
        while not done():
            if time.perf_counter() > deadline:
                raise SystemExit(f"day benchmark: timed out waiting for {what}")
            spin(0.005)

    def quiet() -> bool:
        runtime = app.runtime
        return runtime is not None and not runtime._syncing and not runtime.net.pending \
            and not runtime.local.pending

    until(lambda: app.is_booted and app.snapshot is not None
          and app.snapshot.last_sync is not None and quiet(), "the first sync")
    points = {"first_sync": measure()}
    started = time.perf_counter()
    policy = SyncPolicy()
    counts: Counter[str] = Counter()

    def sync() -> None:
        app.sync()
        until(quiet, "a sync")
        snapshot = app.snapshot
        assert snapshot is not None
        counts["sync"] += 1
        delay = policy.next_delay(snapshot, clock.now)
        state["next_sync"] = clock.now + (delay or timedelta(hours=24))

    def switch() -> None:
        name = f"Task {counts['switch']}"
        app.tray.start(EntryDraft(name))
        until(lambda: app.snapshot is not None and app.snapshot.running is not None
              and app.snapshot.running.description == name and not app.snapshot.pending
              and quiet(), "a switch")
        counts["switch"] += 1

    def menu() -> None:
        app.tray.popup_menu()
        until(app.tray.menu.isVisible, "the menu")
        spin(0.01)
        app.tray.menu.hide()
        until(quiet, "the menu's sync")  # opening it syncs when what it shows is old
        counts["menu open"] += 1

    def tooltip() -> None:
        app.tray.refresh_texts()
        counts["tooltip"] += 1

    def settings() -> None:
        app.show_settings()
        window = app.settings_window
        assert window is not None
        until(window.isVisible, "the settings")
        spin(0.05)
        until(quiet, "the settings' requests")
        window.close()
        counts["settings"] += 1

    def timesheet() -> None:
        app.sheet.show()
        until(lambda: app.sheet.visible, "the timesheet")
        until(quiet, "the timesheet's load")
        spin(0.05)
        assert app.sheet.window is not None
        app.sheet.window.close()
        counts["timesheet"] += 1

    span = WORK_HOURS * 3600
    rng = random.Random(7)  # the budget day's moments
    events: list[tuple[int, str]] = sorted(
        [(rng.randrange(60, span), "switch") for _ in range(SWITCHES)]
        + [(rng.randrange(60, span), "menu") for _ in range(MENU_OPENS)])
    events += [(m * 60, "tooltip") for m in range(1, span // 60)]
    events += [(h * 3600 + 1800, "settings") for h in range(WORK_HOURS)]
    events += [(h * 3600 + 2400, "timesheet") for h in range(WORK_HOURS)]
    events.sort()
    actions = {"switch": switch, "menu": menu, "tooltip": tooltip, "settings": settings,
               "timesheet": timesheet}
    snapshot = app.snapshot
    assert snapshot is not None
    state = {"next_sync": clock.now + (policy.next_delay(snapshot, clock.now)
                                       or timedelta(hours=24))}
    for offset, kind in events + [(span, "end")]:
        at = start + timedelta(seconds=offset)
        while state["next_sync"] <= at:  # the automatic syncs, on their schedule
            clock.now = state["next_sync"]
            sync()
        clock.now = at
        if kind in actions:
            actions[kind]()
        if "warm" not in points and offset >= 3600:
            points["warm"] = measure()
    app.tray.ask("stop")
    until(lambda: app.snapshot is not None and app.snapshot.running is None and quiet(),
          "the stop")
    spin(0.1)
    points["end"] = measure()
    elapsed = time.perf_counter() - started
    app.shutdown()
    server.close()

    first, warm, end = points["first_sync"], points["warm"], points["end"]
    report: dict[str, Any] = {
        "hours": WORK_HOURS,
        "actions": dict(counts),
        "wall_s": round(elapsed, 1),
        **{name: {k: v for k, v in p.items() if not k.startswith("_")}
           for name, p in points.items()},
        "rss_end_minus_first_sync_mb": round(end["rss_mb"] - first["rss_mb"], 1),
        "rss_end_minus_warm_mb": round(end["rss_mb"] - warm["rss_mb"], 1),
        "objects_end_minus_warm": end["python_objects"] - warm["python_objects"],
        "widgets_end_minus_warm": end["qt_widgets"] - warm["qt_widgets"],
        "objects_grown_warm_to_end": growth(warm["_kinds"], end["_kinds"]),
        "widgets_grown_warm_to_end": growth(warm["_widgets"], end["_widgets"]),
        "widgets_grown_first_sync_to_end": growth(first["_widgets"], end["_widgets"]),
        "other_work_in_parallel": "2 shared CPUs",
    }
    if TRACE:
        report["traced_end_minus_warm_mb"] = round(end["traced_mb"] - warm["traced_mb"], 2)
    save("day", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
