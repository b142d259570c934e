"""The Maton API key: in the OS keyring (Secret Service, Windows Credential Locker, macOS
Keychain), or the MATON_API_KEY environment variable, which takes precedence.

Never a plain-text file: a keyring backend that would write one (keyrings.alt) is refused, and
a missing or locked keyring is reported as KeyringUnavailable, not papered over.
"""

from __future__ import annotations

import os
from typing import Any

from .core.errors import KeyringUnavailable

SERVICE = "trayapp"
ACCOUNT = "maton-api-key"
ENV_VAR = "MATON_API_KEY"
NO_KEYRING = "no keyring available"  # what backend_name() says when none is usable

_UNSAFE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


def _keyring() -> Any:
    # Imported on first use: it costs ~50 ms, and MATON_API_KEY users never need it.
    import keyring
    import keyring.errors

    return keyring


def _backend() -> Any:
    backend = _keyring().get_keyring()
    parts = getattr(backend, "backends", None) or [backend]  # a ChainerBackend wraps several
    safe = [b for b in parts if not type(b).__module__.startswith(_UNSAFE_MODULES)]
    if not safe:
        raise KeyringUnavailable()
    return safe[0]


def backend_name() -> str:
    """A human name for where the key is kept, for the settings window."""
    try:
        backend = _backend()
    except KeyringUnavailable:
        return NO_KEYRING
    return getattr(backend, "name", type(backend).__name__)


def from_environment() -> bool:
    return bool(os.environ.get(ENV_VAR, "").strip())


def get_key() -> str | None:
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    errors = _keyring().errors
    try:
        return _backend().get_password(SERVICE, ACCOUNT) or None
    except errors.KeyringError as exc:
        raise KeyringUnavailable(_reason(exc)) from None


def set_key(value: str) -> None:
    value = value.strip()
    if not value:
        raise ValueError("empty key")
    errors = _keyring().errors
    try:
        _backend().set_password(SERVICE, ACCOUNT, value)
    except errors.KeyringError as exc:
        raise KeyringUnavailable(_reason(exc)) from None


def delete_key() -> None:
    errors = _keyring().errors
    try:
        _backend().delete_password(SERVICE, ACCOUNT)
    except errors.PasswordDeleteError:
        pass  # nothing stored: already the goal
    except errors.KeyringError as exc:
        raise KeyringUnavailable(_reason(exc)) from None


def _reason(exc: Exception) -> str:
    # The backend's own text (never contains the secret), shortened for a dialog.
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return f"The system keyring cannot be used: {text}"
