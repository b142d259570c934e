"""Helpers to run the real app as a subprocess on the real X display and read its E2E events."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

DEFAULT_KEY = "test-key"  # what the emulator fixture accepts


class AppProcess:
    """`python -m trayapp ...` on xcb with TRAYAPP_E2E=1; collects its E2E events."""

    def __init__(self, args: list[str], env: dict[str, str], home: Path) -> None:
        (home / "runtime").mkdir(mode=0o700, exist_ok=True)
        # Its own runtime dir: the command socket of this app only (see `cli`).
        full_env = dict(os.environ, QT_QPA_PLATFORM="xcb", TRAYAPP_E2E="1",
                        XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                        XDG_RUNTIME_DIR=str(home / "runtime"), PYTHONUNBUFFERED="1")
        full_env.update(env)
        self.proc = subprocess.Popen([sys.executable, "-m", "trayapp", *args], env=full_env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.events: queue.Queue[dict] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line.rstrip())
            if line.startswith("E2E "):
                self.events.put(json.loads(line[4:]))

    def expect(self, predicate, timeout: float = 15.0, what: str = "event") -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if predicate(event):
                return event
        tail = "\n".join(self.output[-30:])
        raise AssertionError(f"no {what} within {timeout}s; app output:\n{tail}")

    def collect(self, seconds: float) -> list[dict]:
        """Every event of the next `seconds`."""
        out: list[dict] = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                out.append(self.events.get(timeout=0.05))
            except queue.Empty:
                pass
        return out

    def tail(self) -> str:
        return "\n".join(self.output[-40:])

    def close(self) -> None:
        end_process(self.proc)


def end_process(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it does not go within 5 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def xdo(*args: object) -> None:
    subprocess.run(["xdotool", *map(str, args)], check=True, timeout=10)


def screenshot(path: Path) -> None:
    """The whole X screen, through Qt in a helper process (no extra packages needed)."""
    code = ("import sys; from PySide6.QtGui import QGuiApplication as A; "
            "a = A(['shot']); a.primaryScreen().grabWindow(0).save(sys.argv[1])")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=20,
                   env=dict(os.environ, QT_QPA_PLATFORM="xcb"))


NO_QT = ("import sys, runpy; sys.argv = ['trayapp', *sys.argv[1:]]\n"
         "try:\n    runpy.run_module('trayapp', run_name='__main__')\n"
         "finally:\n    assert 'PySide6' not in sys.modules, 'one-shot imported Qt'\n")


def env_for(home: Path, base_url: str | None, key: str | None = DEFAULT_KEY) -> dict[str, str]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home / "runtime"))
    env.pop("MATON_API_KEY", None)
    if key:
        env["MATON_API_KEY"] = key
    if base_url:
        env["TRAYAPP_GATEWAY_URL"] = base_url
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never a real keyring here
    return env


def cli(home, base_url, *args, key=DEFAULT_KEY, timeout=30):
    return subprocess.run([sys.executable, "-c", NO_QT, *args], env=env_for(home, base_url, key),
                          capture_output=True, text=True, timeout=timeout)


def wait_for_socket(home: Path, timeout: float = 15) -> None:
    sock = home / "runtime" / "trayapp" / "ipc.sock"
    end = time.monotonic() + timeout
    while time.monotonic() < end and not sock.exists():
        time.sleep(0.05)
    assert sock.exists(), "the app never opened its command socket"
