"""A real loopback HTTP/1.1 server for the emulator, and the `python -m trayapp.emulator` entry.

Written on `http.server` rather than `wsgiref` because the faults need control of the socket:
"refuse" resets the connection, "drop" closes it after the request was committed. Keep-alive is
supported (httpx pools connections), so every response carries a Content-Length.
"""

from __future__ import annotations

import argparse
import io
import selectors
import signal
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from .app import Emulator
from .faults import DropConnection, RefuseConnection

__all__ = ["EmulatorServer", "main", "serve"]


class _Body(io.RawIOBase):
    """The request body, read on demand so a refused request is never read."""

    def __init__(self, rfile: Any, length: int) -> None:
        self._rfile = rfile
        self.remaining = length

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = self._rfile.read(size) if size else b""
        self.remaining -= len(data)
        return data

    def drain(self) -> None:
        while self.remaining > 0 and self.read(65536):
            pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    _in_flight = False
    _headers_buffer: list[bytes]  # the base class's own (filled by send_header), not typed

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def parse_request(self) -> bool:
        # The request line is read: from here until the answer is out, it is in flight.
        if not self._in_flight:
            self._in_flight = True
            self.server.app.activity.enter()
        return super().parse_request()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            if self._in_flight:
                self._in_flight = False
                self.server.app.activity.leave()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read the emulator's request log instead

    def do_GET(self) -> None:
        self._run()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _environ(self) -> tuple[dict[str, Any], _Body]:
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = self._read_chunked()
            body = _Body(io.BytesIO(data), len(data))
        else:
            body = _Body(self.rfile, int(self.headers.get("Content-Length") or 0))
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, encoding="latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(body.remaining),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": body,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[f"HTTP_{key}"] = value
        return environ, body

    def _run(self) -> None:
        environ, body = self._environ()
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            started["status"], started["headers"] = status, headers

        try:
            payload = b"".join(self.server.app(environ, start_response))
        except RefuseConnection:
            self._reset()
            return
        except DropConnection:
            body.drain()
            self.close_connection = True  # FIN without a response: "server disconnected"
            return
        except Exception as exc:  # a bug in the emulator: answer 500 rather than hang
            started = {"status": "500 Internal Server Error",
                       "headers": [("Content-Type", "text/plain")]}
            payload = f"emulator error: {exc!r}".encode()
        body.drain()  # leave the connection at the next request
        self._write(started["status"], started["headers"], payload)

    def _write(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        code, _, phrase = status.partition(" ")
        try:
            self.send_response(int(code), phrase)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            if self.close_connection:
                self.send_header("Connection", "close")
            # Headers and body in one send: two small writes meet Nagle + delayed ACK (40 ms).
            self._headers_buffer.append(b"\r\n")
            if self.command != "HEAD":
                self._headers_buffer.append(payload)
            self.flush_headers()
        except OSError:
            # The client gave up (e.g. a "delay" fault outlived its timeout).
            self.close_connection = True

    def _reset(self) -> None:
        """Abort with a TCP reset (SO_LINGER 0), the closest thing to a refused connection."""
        self.close_connection = True
        try:
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            # Release the file wrappers first so close() really closes now (RST, no FIN).
            self.wfile.close()
            self.rfile.close()
            self.connection.close()
            # The stdlib still flushes/closes these after us; give it harmless stand-ins.
            self.wfile, self.rfile = io.BytesIO(), io.BytesIO()
        except OSError:
            pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Emulator) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), slow on some boxes.
        TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def server_activate(self) -> None:
        super().server_activate()
        # accept() never blocks: a connection the poll saw may be gone when it is accepted,
        # and a blocked accept would hold close() (and a test's teardown) for ever.
        self.socket.setblocking(False)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = self.socket.accept()  # BlockingIOError: nothing waits, poll again
        conn.setblocking(True)
        return conn, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients vanishing mid-connection (timeouts, resets) are routine here, not errors.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def has_pending(self) -> bool:
        """A connection waits to be accepted, or bytes (a request, or a client's close) wait
        to be read: the emulator is not idle yet."""
        with self._open_lock:
            sockets = [self.socket, *self._open]
        try:
            with selectors.DefaultSelector() as selector:
                for sock in sockets:
                    if sock.fileno() >= 0:  # a "refuse" closes its socket early
                        selector.register(sock, selectors.EVENT_READ)
                return bool(selector.select(0))
        except (OSError, ValueError):
            return True  # a socket closed while we looked: look again

    def close_open_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class EmulatorServer:
    """A running emulator server: `base_url`, `close()`, usable as a context manager."""

    def __init__(self, app: Emulator, host: str, port: int) -> None:
        self.app = app
        self._httpd = _HTTPServer((host, port), app)
        self.host = host
        self.port = int(self._httpd.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"emulator-{self.port}", daemon=True,
        )
        self._thread.start()
        app.activity.watch(self._httpd.has_pending)

    def close(self) -> None:
        self.app.activity.unwatch(self._httpd.has_pending)
        self._httpd.shutdown()
        self._httpd.close_open_connections()  # wake keep-alive threads waiting for a request
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(app: Emulator, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    """Serve `app` on host:port (0 = any free port) in a daemon thread."""
    return EmulatorServer(app, host, port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trayapp.emulator",
        description="Local Maton gateway + Toggl Track v9 + Clockify v1 emulator.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--key", default="demo-key", help="the Maton API key to accept")
    parser.add_argument("--no-seed", action="store_true", help="start with empty accounts")
    args = parser.parse_args(argv)

    server = serve(Emulator(api_key=args.key, seed=not args.no_seed), args.host, args.port)
    print(server.base_url, flush=True)  # the first line of stdout is the contract
    print(f"emulator serving on {server.base_url} (Ctrl+C to stop)", file=sys.stderr, flush=True)

    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
