"""Idle benchmark: wake-ups and CPU of the running app left alone (menu and tooltip closed),
with a timer running and with none, side by side with the bare PySide6 tray, in one run.

Each measured process runs on the headless desktop (xcb, a real tray host) and measures itself
over a window of BENCH_IDLE_SECONDS (60 s by default; 600 for the issue's 10 minutes):
- main-thread wake-ups: event-loop iterations (QAbstractEventDispatcher.awake), and the timer
  events delivered (an event filter on the application), by timer;
- every thread's voluntary context switches (/proc/self/task/*/status: a thread that sleeps
  and is woken counts one), by thread name: the main thread, Qt's own threads and the two
  QThread workers (trayapp-local, trayapp-net);
- CPU (user + system time of the whole process) over the window, as a share of one CPU.
trayapp runs for real (`gui.start`, as `trayapp` does) against the emulator served by this
process over loopback, with the real hotkey backend and idle source of the desktop.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.report import save

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key"
SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "60"))
SETTLE = 6.0  # seconds after a change before the window starts (its sync, its reply time-out)


# -- in the measured process ----------------------------------------------------------------

def threads() -> dict[int, tuple[str, int, int]]:
    """tid -> (name, voluntary, involuntary context switches so far)."""
    found = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = dict(line.split(":\t", 1) for line in
                          (task / "status").read_text().splitlines() if ":\t" in line)
        except OSError:  # ended meanwhile
            continue
        found[int(task.name)] = (name, int(fields["voluntary_ctxt_switches"]),
                                 int(fields["nonvoluntary_ctxt_switches"]))
    return found


class Meter:
    """Counts the main thread's wake-ups and timer events while `measure` runs."""

    def __init__(self) -> None:
        from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QEvent, QObject

        self.awake = 0
        self.events: Counter[str] = Counter()
        self.counting = False
        meter = self
        timer_type = QEvent.Type.Timer

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
                if meter.counting and event.type() == timer_type:
                    meter.events[describe(watched)] += 1
                return False

        self.filter = Filter()
        app = QCoreApplication.instance()
        assert app is not None
        app.installEventFilter(self.filter)
        dispatcher = QAbstractEventDispatcher.instance()
        assert dispatcher is not None
        dispatcher.awake.connect(self._awake)

    def _awake(self) -> None:
        if self.counting:
            self.awake += 1

    def measure(self, seconds: float) -> dict[str, Any]:
        self.awake, self.events = 0, Counter()
        before_threads, before = threads(), resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        self.counting = True
        spin(seconds)
        self.counting = False
        wall = time.perf_counter() - started
        after, after_threads = resource.getrusage(resource.RUSAGE_SELF), threads()
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        per_thread: Counter[str] = Counter()
        main = os.getpid()
        for tid, (name, voluntary, _) in after_threads.items():
            was = before_threads.get(tid, (name, 0, 0))[1]
            per_thread["main" if tid == main else name] += voluntary - was
        timers = sum(self.events.values()) - 1  # less the window's own end
        return {
            "seconds": round(wall, 1),
            "main_loop_wakeups_per_s": round(max(0, self.awake - 1) / wall, 3),
            "timer_events_per_s": round(max(0, timers) / wall, 3),
            "timer_events": dict(self.events.most_common(8)),
            "context_switches_per_s": round(sum(per_thread.values()) / wall, 3),
            "context_switches_per_s_by_thread": {
                name: round(count / wall, 3) for name, count in per_thread.most_common()},
            "cpu_percent": round(100 * cpu / wall, 3),
        }


def describe(obj: Any) -> str:
    """A timer event's receiver, named well enough to find its code."""
    from PySide6.QtCore import QTimer

    if isinstance(obj, QTimer):
        parent = obj.parent()
        owner = type(parent).__name__ if parent is not None else "no parent"
        return f"QTimer {obj.interval()} ms of {owner}"
    return type(obj).__name__


def spin(seconds: float) -> None:
    """Run the event loop for `seconds` (one timer of our own ends it)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(condition: Any, timeout: float = 30.0) -> None:
    ends = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > ends:
            raise SystemExit("idle benchmark: the app never got there")
        spin(0.05)


def child_bare() -> dict[str, Any]:
    from PySide6.QtGui import QColor, QIcon, QPixmap
    from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("#2da44e"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    menu = QMenu()
    menu.addAction("Quit", app.quit)
    tray.setContextMenu(menu)
    tray.show()
    meter = Meter()
    spin(SETTLE)
    return {"idle": meter.measure(SECONDS)}


def child_app() -> dict[str, Any]:
    from trayapp.core.models import EntryDraft
    from trayapp.gui import start

    _qapp, app = start()
    meter = Meter()

    def settled(running: bool) -> bool:
        snap = app.snapshot
        return bool(app.is_booted and snap is not None and snap.last_sync is not None
                    and not snap.pending and (snap.running is not None) == running
                    and not app.tray.menu.isVisible())

    wait_until(lambda: app.is_booted and app.snapshot is not None
               and app.snapshot.last_sync is not None)
    report: dict[str, Any] = {}
    app.tray.start(EntryDraft("Idle benchmark"))
    wait_until(lambda: settled(True))
    spin(SETTLE)
    report["timer_running"] = meter.measure(SECONDS)
    app.tray.ask("stop")
    wait_until(lambda: settled(False))
    spin(SETTLE)
    report["no_timer"] = meter.measure(SECONDS)
    source = app.idle.source
    report["idle_source"] = source.name if source.available else f"none ({source.reason})"
    app.shutdown()
    return report


# -- the conductor --------------------------------------------------------------------------

def run_child(kind: str, base_url: str) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="trayapp-bench-idle-")
    os.makedirs(f"{home}/runtime", mode=0o700)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", MATON_API_KEY=KEY,
               TRAYAPP_GATEWAY_URL=base_url, XDG_CONFIG_HOME=f"{home}/config",
               XDG_DATA_HOME=f"{home}/data", XDG_RUNTIME_DIR=f"{home}/runtime")
    done = subprocess.run([sys.executable, "-m", "bench.idle", kind], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=3 * SECONDS + 120)
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"idle benchmark ({kind}) failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1][len("RESULT "):])


def main() -> int:
    from trayapp.emulator import Emulator, serve

    server = serve(Emulator(api_key=KEY, seed=True), "127.0.0.1", 0)
    try:
        bare = run_child("bare", server.base_url)
        app = run_child("app", server.base_url)
    finally:
        server.close()
    report = {"window_s": SECONDS, "bare_tray": bare["idle"], **app,
              "other_work_in_parallel": "2 shared CPUs: timings are noisy"}
    save("idle", report)
    return 0


if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind in ("bare", "app"):
        result = child_bare() if kind == "bare" else child_app()
        print("RESULT " + json.dumps(result), flush=True)
        os._exit(0)  # quit at once: nothing left to flush
    sys.exit(main())
