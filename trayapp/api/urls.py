"""Which gateway addresses are allowed. Kept apart from gateway.py so that reading settings
does not import the HTTP stack (start-up time)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DEFAULT_GATEWAY_URL = "https://api.maton.ai"


def check_gateway_url(url: str) -> str:
    """Accept only https://, or plain http:// to a loopback address (the emulator)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.strip().rstrip("/")
    if parts.scheme == "http" and host:
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return url.strip().rstrip("/")
    raise ValueError(
        f"Gateway URL {url!r} is not allowed: use https://, or http:// to a loopback address."
    )
