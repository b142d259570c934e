"""`trayapp status --json` one-shot (no app running: no Qt, local store + one request) against
`python -c pass`, in the same run. Also through a running app, for comparison."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import save
from trayapp.emulator import Emulator, serve

KEY = "bench-key"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - started


def main() -> int:
    server = serve(Emulator(api_key=KEY, seed=True), "127.0.0.1", 0)
    home = Path(tempfile.mkdtemp(prefix="trayapp-bench-status-"))
    env = dict(os.environ, MATON_API_KEY=KEY, TRAYAPP_GATEWAY_URL=server.base_url,
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_RUNTIME_DIR=str(home / "runtime"))
    (home / "runtime").mkdir(mode=0o700)
    status = [sys.executable, "-m", "trayapp", "status", "--json"]
    baseline = [sys.executable, "-c", "pass"]
    try:
        timed(status, env)  # warm the store (cold start) and the file cache
        one_shot, bare = [], []
        for _ in range(ROUNDS):
            bare.append(timed(baseline, env))
            one_shot.append(timed(status, env))
        report = {
            "rounds": ROUNDS,
            "python_c_pass_s": round(statistics.median(bare), 3),
            "status_oneshot_s": round(statistics.median(one_shot), 3),
        }
        report["oneshot_minus_python_s"] = round(
            report["status_oneshot_s"] - report["python_c_pass_s"], 3)
        report["ratio"] = round(report["status_oneshot_s"] / report["python_c_pass_s"], 2)
    finally:
        server.close()
    save("status", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
