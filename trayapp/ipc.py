"""Talking to the running trayapp from a command line: one JSON line each way over a local
socket private to the user (its folder is checked, and each end checks who is at the other:
see private_folder and peer_uid). This side is Qt-free (plain sockets), so commands answer fast;
the server side is platform/single_instance.py (QLocalServer on the same address)."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import sys
import time
from typing import Any

TIMEOUT = 10.0  # a command waits at most this long for the running app
MAX_LINE = 1 << 20  # a request is a short JSON line; anything longer is refused


class UnsafeSocket(Exception):
    """The command socket is not this user's alone (its folder, or who answers on it):
    refused in one line, and no command goes through it."""


def address() -> str:
    """The socket path (Unix) or the QLocalServer pipe name (Windows), one per user.
    UnsafeSocket when its folder is not ours alone."""
    if sys.platform == "win32":
        import getpass

        return f"trayapp-{getpass.getuser()}"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        base = os.path.join(runtime, "trayapp")
    else:  # no runtime dir (macOS, minimal sessions): a private dir under the temp dir
        import tempfile

        base = os.path.join(tempfile.gettempdir(), f"trayapp-{os.getuid()}")
    private_folder(base)
    return os.path.join(base, "ipc.sock")


def private_folder(path: str) -> None:
    """Make `path` 0700, or check that it already is ours alone. Anyone can create a folder
    in the temp dir first and then read every command and answer them, so: mkdir (never
    through a symlink), then lstat what is there."""
    try:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        found = os.lstat(path)
    except OSError as exc:
        raise UnsafeSocket(f"Cannot use the folder for trayapp's command socket, {path}: "
                           f"{exc.strerror}.") from None
    where = f"The folder for trayapp's command socket, {path},"
    if not stat.S_ISDIR(found.st_mode):
        raise UnsafeSocket(f"{where} is not a plain folder (a link or a file is there); "
                           "remove it and try again.")
    if found.st_uid != os.getuid():
        raise UnsafeSocket(f"{where} belongs to another user (uid {found.st_uid}), who could "
                           "read and answer your commands; have it removed, or set "
                           "XDG_RUNTIME_DIR to a private folder.")
    if found.st_mode & 0o077:
        raise UnsafeSocket(f"{where} is open to other users (mode "
                           f"{stat.S_IMODE(found.st_mode):04o}); make it private with "
                           f"`chmod 700 {path}` and try again.")


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a connected Unix socket; None where the
    system cannot say."""
    try:
        if hasattr(socket, "SO_PEERCRED"):  # Linux: struct ucred {pid, uid, gid}
            creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
            return int(struct.unpack("3i", creds)[1])
        if sys.platform == "darwin" or "bsd" in sys.platform:
            # getpeereid(): LOCAL_PEERCRED gives a struct xucred {version, uid, ...}.
            xucred = sock.getsockopt(getattr(socket, "SOL_LOCAL", 0),
                                     getattr(socket, "LOCAL_PEERCRED", 1), 128)
            return int(struct.unpack_from("=2I", xucred)[1])
    except OSError:
        pass
    return None


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message) + "\n").encode()


class LineReader:
    """The server's side of one request: bytes in as they arrive; out, once the line is
    whole, ("request", the message) or ("refuse", the answer that refuses it)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, chunk: bytes | bytearray | memoryview) -> tuple[str, dict[str, Any]] | None:
        self.buffer.extend(chunk)
        if len(self.buffer) > MAX_LINE:
            return "refuse", {"ok": False, "exit": 2, "error": "The request is too long."}
        if not self.buffer.endswith(b"\n"):
            return None
        line, self.buffer = bytes(self.buffer), bytearray()
        try:
            return "request", decode(line)
        except ValueError:
            return "refuse", {"ok": False, "exit": 2, "error": "The request is not JSON."}


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
    try:
        name = address()
    except UnsafeSocket as exc:
        return refusal(exc)
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
            check_server(sock, name)
        except UnsafeSocket as exc:
            return refusal(exc)  # before a byte of the command is written
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


def refusal(exc: UnsafeSocket) -> dict[str, Any]:
    return {"ok": False, "exit": 1, "error": str(exc)}


def check_server(sock: socket.socket, path: str) -> None:
    """UnsafeSocket unless our own user answers on `sock` (where the system cannot tell
    who is at the other end, the socket file's owner stands for it)."""
    owner = peer_uid(sock)
    if owner is None:
        owner = _file_owner(path)
    if owner is None:
        raise UnsafeSocket(f"Cannot tell who answers on trayapp's command socket, {path}; "
                           "the command was not sent.")
    if owner != os.getuid():
        raise UnsafeSocket(f"Another user (uid {owner}) answers on trayapp's command socket, "
                           f"{path}; the command was not sent.")


def _file_owner(path: str) -> int | None:
    try:
        return os.stat(path).st_uid
    except OSError:  # gone since the connect
        return None


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
