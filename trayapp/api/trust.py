"""The certificates the gateway's TLS connection trusts, chosen so that they cost little.

httpx's default loads certifi's whole bundle (about 140 certificates) into every new client:
about 30 ms before the first request and a megabyte or two held for good. Instead, in order:

- a plain-http gateway (the emulator on loopback): a context that trusts nothing, since it is
  never used and must fail if it were;
- `SSL_CERT_FILE` or `SSL_CERT_DIR` set: what they name, as httpx does (a company's own CA);
- the system's hashed certificate folder (Linux distributions: /etc/ssl/certs), which
  OpenSSL reads lazily, only the issuer a handshake asks for (about 2 ms), and which also
  holds a CA the administrator added;
- otherwise certifi's bundle, as httpx would (Windows, macOS, a distribution without the
  hashed folder).

Every context verifies the certificate and the host name (ssl.create_default_context).
"""

from __future__ import annotations

import os
import re
import ssl
from urllib.parse import urlsplit

HASHED_NAME = re.compile(r"[0-9a-f]{8}\.\d+")  # what c_rehash / update-ca-certificates make
# A distribution's store holds over a hundred; a folder with a few local certificates only
# would make every handshake fail where certifi's bundle would have worked.
ENOUGH = 20


def context_for(base_url: str) -> ssl.SSLContext:
    if urlsplit(base_url).scheme == "http":
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, and trusts no one
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    folder = system_folder()
    if folder is not None:
        return ssl.create_default_context(capath=folder)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def system_folder() -> str | None:
    """The system's certificate folder when OpenSSL can look certificates up in it (a
    distribution's whole store, hashed)."""
    folder = ssl.get_default_verify_paths().capath
    if not folder:
        return None
    try:
        with os.scandir(folder) as entries:
            hashed = sum(1 for entry in entries if HASHED_NAME.fullmatch(entry.name))
    except OSError:
        return None
    return folder if hashed >= ENOUGH else None
