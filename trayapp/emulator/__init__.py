"""A faithful local Maton gateway + Toggl Track v9 + Clockify v1, for tests and the demo.

Stdlib only and Qt-free. `Emulator` is a WSGI app (usable with `httpx.WSGITransport`);
`serve()` runs it on a real loopback socket so network faults can be injected for real.
The behaviours emulated, and why, are in docs `reference/api-facts.md`.
"""

from .app import Emulator, LoggedRequest
from .server import EmulatorServer, main, serve

__all__ = ["Emulator", "EmulatorServer", "LoggedRequest", "main", "serve"]
