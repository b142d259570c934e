"""Talking to the running trayapp from a command line: one JSON line each way over a local
socket private to the user. This side is Qt-free (plain sockets), so commands answer fast;
the server side is platform/single_instance.py (QLocalServer on the same address)."""

from __future__ import annotations

import json
import os
import socket
import sys
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
    data = json.loads(line.decode())
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
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(name)
    except (FileNotFoundError, ConnectionRefusedError, OSError):
        sock.close()
        return None  # nobody listening (or a stale socket left by a crash)
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


def _answer(line: bytes) -> dict[str, Any]:
    try:
        return decode(line) if line else dict(NO_ANSWER)
    except ValueError:  # half an answer: the app went away while writing it
        return dict(NO_ANSWER)


def _send_pipe(path: str, message: dict[str, Any]) -> dict[str, Any] | None:
    try:
        with open(path, "r+b", buffering=0) as pipe:
            pipe.write(encode(message))
            line = b""
            while not line.endswith(b"\n"):
                chunk = pipe.read(65536)
                if not chunk:
                    break
                line += chunk
    except OSError:
        return None
    return _answer(line)
