"""Startup benchmark: time until the tray icon is shown, and peak memory, for `trayapp --demo`
side by side with a bare PySide6 tray app, in the same run (alternating, several rounds).

The tray icon counts as shown when the tray host has embedded it (its geometry is non-empty);
for trayapp also when the app behind it is usable (its menu and clicks work).
trayapp is also measured until its first sync with the demo emulator has been shown.
Peak memory is the process's maximum resident set size (ru_maxrss from wait4).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import save

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))


def run_once(cmd: list[str], synced_too: bool, extra: dict[str, str] | None = None
             ) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="trayapp-bench-")
    os.makedirs(f"{home}/runtime", mode=0o700)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", TRAYAPP_E2E="1",
               XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
               XDG_RUNTIME_DIR=f"{home}/runtime", **(extra or {}))
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT)
    result: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if not line.startswith("E2E "):
            continue
        event = json.loads(line[4:])
        now = time.perf_counter() - started
        # trayapp says "docked" when its first icon is on the panel, "ready" once the app
        # behind it (menu, clicks) is there; the bare tray says "ready" only.
        if event["event"] in ("docked", "ready") and "shown_s" not in result:
            result["shown_s"] = now
        if event["event"] == "ready" and "usable_s" not in result:
            result["usable_s"] = now
        if event["event"] == "state" and event.get("synced") and "synced_s" not in result:
            result["synced_s"] = now
        if "usable_s" in result and (not synced_too or "synced_s" in result):
            break
    os.kill(proc.pid, signal.SIGTERM)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    if "shown_s" not in result:
        raise SystemExit(f"{cmd} never showed its tray icon")
    return result


def keep_key_in_keyring() -> bool:
    """The bench key in the desktop's Secret Service (under the tests' private session)."""
    os.environ.pop("MATON_API_KEY", None)
    try:
        from keyring.backends import SecretService

        SecretService.Keyring().set_password("trayapp", "maton-api-key", "bench-key")
    except Exception as exc:  # noqa: BLE001 (any keyring trouble: skip that mode, say why)
        print(f"keyring mode skipped: {exc}", file=sys.stderr)
        return False
    return True


def forget_key_in_keyring() -> None:
    from keyring.backends import SecretService

    SecretService.Keyring().delete_password("trayapp", "maton-api-key")


def median(rows: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rows if key in r)


def main() -> int:
    from trayapp.emulator import Emulator, serve

    bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_tray.py")]
    app_cmd = [sys.executable, "-m", "trayapp", "--demo"]
    # Also the real mode (a key, the gateway in another process), to show what the demo's
    # in-process emulator adds.
    server = serve(Emulator(api_key="bench-key", seed=True), "127.0.0.1", 0)
    real_env = {"MATON_API_KEY": "bench-key", "TRAYAPP_GATEWAY_URL": server.base_url}
    real_cmd = [sys.executable, "-m", "trayapp"]
    # And as most users run it: the key in the OS keyring (the desktop's Secret Service).
    keyring_env = {"TRAYAPP_GATEWAY_URL": server.base_url,
                   "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}
    saved = keep_key_in_keyring()
    run_once(bare_cmd, False)  # warm the file cache for both, not measured
    run_once(app_cmd, True)
    bare, app, real, kept = [], [], [], []
    try:
        for _ in range(ROUNDS):
            bare.append(run_once(bare_cmd, False))
            app.append(run_once(app_cmd, True))
            real.append(run_once(real_cmd, True, real_env))
            if saved:
                kept.append(run_once(real_cmd, True, keyring_env))
    finally:
        server.close()
        if saved:
            forget_key_in_keyring()
    report = {
        "rounds": ROUNDS,
        "bare_shown_s": round(median(bare, "shown_s"), 3),
        "trayapp_shown_s": round(median(app, "shown_s"), 3),
        "trayapp_usable_s": round(median(app, "usable_s"), 3),
        "trayapp_synced_s": round(median(app, "synced_s"), 3),
        "bare_peak_rss_mb": round(median(bare, "peak_rss_mb"), 1),
        "trayapp_peak_rss_mb": round(median(app, "peak_rss_mb"), 1),
        "real_mode_shown_s": round(median(real, "shown_s"), 3),
        "real_mode_synced_s": round(median(real, "synced_s"), 3),
        "real_mode_peak_rss_mb": round(median(real, "peak_rss_mb"), 1),
    }
    if kept:
        report["keyring_mode_synced_s"] = round(median(kept, "synced_s"), 3)
        report["keyring_mode_peak_rss_mb"] = round(median(kept, "peak_rss_mb"), 1)
        report["keyring_mode_rss_ratio"] = round(
            report["keyring_mode_peak_rss_mb"] / report["bare_peak_rss_mb"], 2)
    report["shown_ratio"] = round(report["trayapp_shown_s"] / report["bare_shown_s"], 2)
    report["rss_ratio"] = round(report["trayapp_peak_rss_mb"] / report["bare_peak_rss_mb"], 2)
    report["real_mode_rss_ratio"] = round(
        report["real_mode_peak_rss_mb"] / report["bare_peak_rss_mb"], 2)
    save("startup", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
