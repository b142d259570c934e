"""The running app's end of the command socket (see ipc.py): one trayapp per user.

`InstanceServer.claim()` returns False when another instance answers on the address, so the
caller hands its request over instead of starting a second tray. A socket left behind by a
crash (kill -9) answers nobody: it is removed and claimed. A socket folder that is not ours
alone is refused (logged; the command line has said so already): no tray starts on it.
Connections from another user are dropped.

A plain Unix socket watched by the event loop (QSocketNotifier): no QtNetwork to load (about
3 MB). On Windows the address is a named pipe: single_instance_qt.py serves it with
QLocalServer.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QLockFile, QObject, QSocketNotifier, Signal

from .. import ipc

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]
BACKLOG = 16


class InstanceServer(QObject):
    request = Signal(dict, object)  # the message, and a reply(dict) callable

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name  # the address is checked when claimed
        self.lock: QLockFile | None = None
        self._sock: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None

    @property
    def listening(self) -> bool:
        return self._sock is not None

    def claim(self) -> bool:
        """Listen on the address unless a live instance already does, or the address is not
        ours alone."""
        try:
            self.name = self.name or ipc.address()
        except ipc.UnsafeSocket as exc:
            log.error("%s", exc)
            return False
        # Two launches at the same moment: the lock makes "probe, clean up, listen" one
        # step. QLockFile notices a lock left by a crashed process (by its pid).
        self.lock = QLockFile(f"{self.name}.lock")
        self.lock.setStaleLockTime(0)
        if not self.lock.tryLock(1000):
            return False
        if _answers(self.name):
            return False
        # Nobody answers: any socket file there is stale. Remove it, then listen.
        try:
            os.unlink(self.name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot remove %s: %s", self.name, exc.strerror)
            return False
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(self.name)
            os.chmod(self.name, 0o600)  # the folder is ours alone already; this too
            sock.listen(BACKLOG)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            log.warning("cannot listen on %s: %s", self.name, exc.strerror or exc)
            return False
        self._sock = sock
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    def close(self) -> None:
        """Stop listening (connections being answered finish on their own)."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            if self.name:
                try:
                    os.unlink(self.name)
                except OSError:
                    pass
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None

    def _accept(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("command socket: %s", exc)
                return
            if _from_another_user(conn):
                conn.close()
            else:
                conn.setblocking(False)
                _Client(conn, self.request)


def _answers(name: str) -> bool:
    """Whether a live instance listens on `name`."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(0.3)
    try:
        probe.connect(name)
    except OSError:  # no file, refused (stale), or not a socket
        return False
    finally:
        probe.close()
    return True


def _from_another_user(conn: socket.socket) -> bool:
    """The folder is private, so only a mistake (or root) lets another user connect: even
    then, it sends no command here."""
    uid = ipc.peer_uid(conn)
    if uid is None or uid == os.getuid():
        return False
    log.warning("dropped a connection to the command socket from another user (uid %s)", uid)
    return True


class _Client:
    """One command line's connection: one request line in, one answer out. Any program of
    this user can connect, so the line is bounded and checked, and the answer is written
    only while the other side still listens (a command line may give up, or be Ctrl+C'd)."""

    def __init__(self, conn: socket.socket, request: Any) -> None:
        self.conn = conn
        self.open = True
        self.reader = ipc.LineReader()
        self.out = b""
        self._request = request
        self._read_note = QSocketNotifier(conn.fileno(), QSocketNotifier.Type.Read)
        self._read_note.activated.connect(self._read)
        self._write_note: QSocketNotifier | None = None
        _CLIENTS.add(self)

    def _read(self) -> None:
        try:
            chunk = self.conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:  # the command line went away
            self.open = False
            self._end()
            return
        if not self.open:
            return  # answered already: the rest is ignored
        got = self.reader.feed(chunk)
        if got is not None:
            kind, value = got
            self._request.emit(value, self.answer) if kind == "request" else self.answer(value)

    def answer(self, answer: dict[str, Any]) -> None:
        if not self.open:
            return  # the command line gave up waiting
        self.open = False
        self.out = ipc.encode(answer)
        self._write_note = QSocketNotifier(self.conn.fileno(), QSocketNotifier.Type.Write)
        self._write_note.activated.connect(self._write)
        self._write()

    def _write(self) -> None:
        try:
            sent = self.conn.send(self.out)
        except (BlockingIOError, InterruptedError):
            return  # the notifier calls again once there is room
        except OSError:
            self._end()
            return
        self.out = self.out[sent:]
        if not self.out:
            self._end()

    def _end(self) -> None:
        for note in (self._read_note, self._write_note):
            if note is not None:
                note.setEnabled(False)
                note.deleteLater()
        self._write_note = None
        try:
            self.conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()
        _CLIENTS.discard(self)


_CLIENTS: set[_Client] = set()  # alive while connected


if sys.platform == "win32":  # a named pipe there: QLocalServer serves it
    from .single_instance_qt import InstanceServer  # type: ignore[assignment]  # noqa: F401, F811
