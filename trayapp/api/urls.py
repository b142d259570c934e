"""Which gateway addresses are allowed. Kept apart from gateway.py so that reading settings
does not import the HTTP stack (start-up time)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

DEFAULT_GATEWAY_URL = "https://api.maton.ai"


_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def _checked_host(host: str) -> str | None:
    """The host as it goes on the wire (an IP literal, or an ASCII DNS name, IDN encoded), or
    None when it is neither: httpx would refuse it later, or worse, read it differently."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        return f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
    name = host.lower()
    if not name.isascii() or "xn--" in name:  # an international name: as httpx reads it
        import idna  # httpx's own dependency; only loaded for such names

        try:
            name = idna.encode(name).decode("ascii")
            idna.decode(name)
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    labels = name.split(".")
    if len(name) > 253 or labels[-1].isdigit():  # 1.2.3.999 is no address and no name
        return None
    return name if all(_LABEL.fullmatch(label) for label in labels) else None


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    if "@" in text:  # user:password@ (however malformed): no place in a gateway address
        # Never repeat it: it holds a password.
        raise ValueError("Gateway URL must not contain a user name or password.")
    shown = repr(text)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"Gateway URL {shown} must be only scheme://host[:port].")
    if port == 0:
        raise ValueError(f"Gateway URL {shown} has no usable port.")
    address = _checked_host(host)
    if address is None:
        raise ValueError(f"Gateway URL {shown} does not name a valid host.")
    scheme = parts.scheme.lower()
    # Rebuilt from the checked parts: what httpx is given is what was checked.
    plain = f"{scheme}://{address}" + (f":{port}" if port is not None else "")
    if scheme == "https":
        return plain
    if scheme == "http" and _is_loopback(host):
        return plain
    raise ValueError(
        f"Gateway URL {shown} is not allowed: use https://, or http:// to a loopback address."
    )


# What RFC 3986 allows in an address; anything else is percent-encoded.
_URL_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                            "-._~:/?#[]@!$&'()*+,;=%")


def check_sign_in_url(url: str) -> str:
    """The sign-in page Maton returned, fit to open in the browser, or ValueError saying why
    not. Only https://, or plain http:// to a loopback address (the emulator's own page): a
    file://, smb:// or other address would have the browser, or the desktop, open something
    that is not a web page. No user name (https://maton.ai@example.com is not Maton's), and
    only the characters of RFC 3986: a real address is percent-encoded, so no space, no
    control character and no markup."""
    if not url or not set(url) <= _URL_CHARACTERS:
        raise ValueError("It holds characters that no web address has.")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # ValueError when it is not a number from 0 to 65535
    except ValueError:
        raise ValueError("It is not a valid web address.") from None
    if "@" in parts.netloc:
        raise ValueError("It holds a user name, which a sign-in page has no use for.")
    scheme = parts.scheme.lower()
    if scheme == "https" and host:
        return url
    if scheme == "http" and _is_loopback(host):
        return url
    raise ValueError("Only https:// pages are opened.")
