"""The running app's end of the command socket on Windows (a named pipe, through
QLocalServer); elsewhere single_instance.py serves it on a plain Unix socket.

`InstanceServer.claim()` returns False when another instance answers on the address, so the
caller hands its request over instead of starting a second tray. A socket left behind by a
crash (kill -9) answers nobody: it is removed and claimed. A socket folder that is not ours
alone is refused (logged; the command line has said so already): no tray starts on it.
Connections from another user are dropped.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from .. import ipc

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]


class InstanceServer(QObject):
    request = Signal(dict, object)  # the message, and a reply(dict) callable

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name  # the address is checked when claimed
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.lock: QLockFile | None = None

    @property
    def listening(self) -> bool:
        return self.server.isListening()

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
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(300):
            probe.disconnectFromServer()
            return False
        # Nobody answers: any socket file there is stale. Remove it, then listen.
        # (Connect first: with UserAccessOption Qt would happily replace a live one.)
        QLocalServer.removeServer(self.name)
        if not self.server.listen(self.name):
            log.warning("cannot listen on %s: %s", self.name, self.server.errorString())
            return False
        return True

    def close(self) -> None:
        self.server.close()
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            if _from_another_user(conn):
                conn.abort()
                conn.deleteLater()
            else:
                _Client(conn, self.request)


def _from_another_user(conn: QLocalSocket) -> bool:
    """The folder is private, so only a mistake (or root) lets another user connect: even
    then, it sends no command here."""
    uid = _peer_uid(conn)
    if uid is None or uid == os.getuid():
        return False
    log.warning("dropped a connection to the command socket from another user (uid %s)", uid)
    return True


def _peer_uid(conn: QLocalSocket) -> int | None:
    if sys.platform == "win32":
        return None  # a named pipe: UserAccessOption already limits it to this user
    fd = int(conn.socketDescriptor())
    if fd < 0:
        return None
    with socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM) as dup:  # a dup: Qt's stays
        return ipc.peer_uid(dup)


class _Client:
    """One command line's connection: one request line in, one answer out. Any program of
    this user can connect, so the line is bounded and checked, and the answer is written
    only while the other side still listens (a command line may give up, or be Ctrl+C'd)."""

    def __init__(self, conn: QLocalSocket, request: Any) -> None:
        self.conn = conn
        self.open = True
        self.reader = ipc.LineReader()
        self._request = request
        conn.readyRead.connect(self._read)
        conn.disconnected.connect(self._gone)
        _CLIENTS.add(self)

    def _read(self) -> None:
        got = self.reader.feed(self.conn.readAll().data())
        if got is not None:
            kind, value = got
            self._request.emit(value, self.answer) if kind == "request" else self.answer(value)

    def answer(self, answer: dict[str, Any]) -> None:
        if not self.open:
            return  # the command line gave up waiting
        self.open = False
        self.conn.write(ipc.encode(answer))
        self.conn.flush()
        self.conn.disconnectFromServer()

    def _gone(self) -> None:
        self.open = False
        _CLIENTS.discard(self)
        if shiboken6.isValid(self.conn):  # at quit, the server may have deleted it already
            self.conn.deleteLater()


_CLIENTS: set[_Client] = set()  # alive while connected
