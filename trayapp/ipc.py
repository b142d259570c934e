"""Talking to the running trayapp from a command line: one JSON line each way over a local
socket private to the user. This side is Qt-free (plain sockets), so commands answer fast;
the server side is platform/single_instance.py (QLocalServer on the same address)."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from typing import Any

TIMEOUT = 10.0  # a command waits at most this long for the running app
MAX_LINE = 1 << 20  # a request is a short JSON line; anything longer is refused


def address() -> str:
    """The socket path (Unix) or the QLocalServer pipe name (Windows), one per user."""
    if sys.platform == "win32":
        import getpass

        return f"trayapp-{getpass.getuser()}"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        base = os.path.join(runtime, "trayapp")
    else:  # no runtime dir (macOS, minimal sessions): a private dir under the temp dir
        import tempfile

        base = os.path.join(tempfile.gettempdir(), f"trayapp-{os.getuid()}")
    os.makedirs(base, mode=0o700, exist_ok=True)
    return os.path.join(base, "ipc.sock")


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message) + "\n").encode()


def decode(line: bytes) -> dict[str, Any]:
    """One request or answer line; ValueError for anything but a JSON object (deep nesting
    included: json would exhaust the stack on it)."""
    try:
        data = json.loads(line.decode())
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


NO_ANSWER = {"ok": False, "exit": 1,
             "error": "The running trayapp stopped before it answered, so the command may or "
                      "may not have been done. Check with `trayapp status`."}


def send(message: dict[str, Any], timeout: float = TIMEOUT) -> dict[str, Any] | None:
    """Send to the running app and return its answer; None when no app is running. Once the
    command was handed over it is never done a second time here, answered or not."""
    name = address()
    if sys.platform == "win32":
        return _send_pipe(rf"\\.\pipe\{name}", message)
    sock = _connect(name, timeout)
    if sock is None:
        return None  # nobody listening (or a stale socket left by a crash)
    if isinstance(sock, dict):
        return sock
    buffer = b""
    with sock:
        try:
            sock.sendall(encode(message))
        except OSError:
            return None  # it went away before taking the command: nothing was handed over
        try:
            while not buffer.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
        except TimeoutError:
            return {"ok": False, "exit": 1,
                    "error": "The running trayapp did not answer in time; the command may "
                             "still be done. Check with `trayapp status`."}
        except OSError:
            return dict(NO_ANSWER)
    return _answer(buffer)


BUSY = {"ok": False, "exit": 1,
        "error": "The running trayapp is too busy to take the command; try again in a moment."}


def _connect(name: str, timeout: float) -> socket.socket | dict[str, Any] | None:
    """A connection to the running app; None when no app listens there; BUSY when one does
    but its queue is full (then doing the command here too could do it twice)."""
    for attempt in range(20):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(name)
            return sock
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            sock.close()
            return None
        except BlockingIOError:  # EAGAIN: the app's backlog is full; it is there
            sock.close()
            time.sleep(0.05 * (attempt + 1))
        except OSError:
            sock.close()
            return None
    return dict(BUSY)


def _answer(line: bytes) -> dict[str, Any]:
    try:
        return decode(line) if line else dict(NO_ANSWER)
    except ValueError:  # half an answer: the app went away while writing it
        return dict(NO_ANSWER)


def _send_pipe(path: str, message: dict[str, Any]) -> dict[str, Any] | None:
    try:
        pipe = open(path, "r+b", buffering=0)  # noqa: SIM115 (closed below)
    except OSError:
        return None  # nobody listening
    line = b""
    with pipe:
        try:
            pipe.write(encode(message))
        except OSError:
            return None  # it went away before taking the command
        try:  # handed over: from here on it is never done a second time
            while not line.endswith(b"\n"):
                chunk = pipe.read(65536)
                if not chunk:
                    break
                line += chunk
        except OSError:
            return dict(NO_ANSWER)
    return _answer(line)
