"""The running app's end of the command socket (see ipc.py): one trayapp per user.

`InstanceServer.claim()` returns False when another instance answers on the address, so the
caller hands its request over instead of starting a second tray. A socket left behind by a
crash (kill -9) answers nobody: it is removed and claimed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from .. import ipc

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]


class InstanceServer(QObject):
    request = Signal(dict, object)  # the message, and a reply(dict) callable

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or ipc.address()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.lock: QLockFile | None = None

    def claim(self) -> bool:
        """Listen on the address unless a live instance already does."""
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
            buffer = bytearray()

            def read(conn: QLocalSocket = conn, buffer: bytearray = buffer) -> None:
                buffer.extend(conn.readAll().data())
                if not buffer.endswith(b"\n"):
                    return
                try:
                    message = ipc.decode(bytes(buffer))
                except ValueError:
                    self._answer(conn, {"ok": False, "message": "malformed request"})
                    return
                buffer.clear()
                self.request.emit(message, lambda answer, c=conn: self._answer(c, answer))

            conn.readyRead.connect(read)
            conn.disconnected.connect(conn.deleteLater)

    @staticmethod
    def _answer(conn: QLocalSocket, answer: dict[str, Any]) -> None:
        if conn.state() != QLocalSocket.LocalSocketState.ConnectedState:
            return  # the command line gave up waiting
        conn.write(ipc.encode(answer))
        conn.flush()
        conn.disconnectFromServer()
