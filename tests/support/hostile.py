"""A hostile gateway on loopback: it answers every request with whatever a test says, byte for
byte (any status, headers, encoding, body), or trickles it, or never answers. What the app
receives from it must end in a typed error, never a traceback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    body: bytes = b"{}"
    trickle: float = 0.0  # seconds between bytes (0: all at once)
    stall: bool = False  # read the request, then say nothing at all

    def raw(self) -> bytes:
        head = [f"HTTP/1.1 {self.status} X"]
        headers = {"Content-Length": str(len(self.body)), **self.headers}
        head += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + self.body


class HostileGateway:
    """`answer(path) -> Answer` decides each response; `requests` counts them."""

    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.answer = answer
        self.requests = 0
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.base_url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip() or 0)
                while len(rest) < length:
                    rest += conn.recv(65536)
                path = head.split(b" ")[1].decode("latin-1")
                self.requests += 1
                answer = self.answer(path)
                if answer.stall:
                    self._closed.wait(30)
                    return
                raw = answer.raw()
                if answer.trickle:
                    for byte in raw:
                        if self._closed.is_set():
                            return
                        conn.sendall(bytes([byte]))
                        time.sleep(answer.trickle)
                else:
                    conn.sendall(raw)
            except OSError:
                return

    def close(self) -> None:
        self._closed.set()
        self._server.close()
