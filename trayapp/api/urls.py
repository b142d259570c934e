"""Which gateway addresses are allowed. Kept apart from gateway.py so that reading settings
does not import the HTTP stack (start-up time)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DEFAULT_GATEWAY_URL = "https://api.maton.ai"


def check_gateway_url(url: str) -> str:
    """The address in its plain form (scheme://host[:port]), or ValueError saying why not.

    Only https://, or plain http:// to a loopback address (the emulator). No user name or
    password (the key is the only credential, sent as a Bearer header), no path, query or
    fragment (the service paths are appended to it), and a port that exists."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError when it is not a number from 0 to 65535
        host = parts.hostname or ""
    except ValueError:
        raise ValueError("Gateway URL is not a valid address.") from None
    if parts.username is not None or parts.password is not None:
        # Never repeat it: it holds a password.
        raise ValueError("Gateway URL must not contain a user name or password.")
    shown = repr(text)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"Gateway URL {shown} must be only scheme://host[:port].")
    if port == 0:
        raise ValueError(f"Gateway URL {shown} has no usable port.")
    plain = f"{parts.scheme}://{parts.netloc}"
    if parts.scheme == "https" and host:
        return plain
    if parts.scheme == "http" and host:
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return plain
    raise ValueError(
        f"Gateway URL {shown} is not allowed: use https://, or http:// to a loopback address."
    )
