"""The Maton API key: in the OS keyring (Secret Service, Windows Credential Locker, macOS
Keychain), or the MATON_API_KEY environment variable, which takes precedence.

Never a plain-text file: a keyring backend that would write one (keyrings.alt) is refused, and
a missing or locked keyring is reported as KeyringUnavailable, not papered over.

The long-running app asks the keyring from a short-lived child process (`isolate`): keyring
with its Secret Service backend loads about 24 MB (cryptography, importlib-metadata, its
backends) that would stay resident all day for a read at start-up and a few in Settings. The
child is this same program (`trayapp __keyring__ get`); the key comes back over a pipe, never
through the command line or the environment.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .core.errors import KeyringUnavailable
from .core.text import printable

log = logging.getLogger(__name__)

SERVICE = "trayapp"
ACCOUNT = "maton-api-key"
ENV_VAR = "MATON_API_KEY"
NO_KEYRING = "no keyring available"  # what backend_name() says when none is usable

_UNSAFE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")
HELPER = "__keyring__"  # the command line of the child that does the keyring's work
# An unlock prompt waits for the user; a keyring that never answers ends here.
HELPER_TIMEOUT = 120.0
_isolated = False
_name: str | None = None  # the keyring's name, once a child has said it
# The name and key a child said last: Settings looks each time it is shown, and only this
# process changes them (set_key and delete_key forget it).
_known: tuple[str, str | None] | None = None


def isolate() -> None:
    """From now on, do the keyring's work in a child process (see the module's docstring).
    On Linux only: the Secret Service backend is the heavy one (Windows' and macOS' are
    light), and there the keyring has no per-program access rule that a child of ours could
    get around."""
    global _isolated
    _isolated = sys.platform.startswith("linux")


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
    if _isolated:
        return name_and_key(with_key=False)[0]
    try:
        backend = _backend()
    except KeyringUnavailable:
        return NO_KEYRING
    return getattr(backend, "name", type(backend).__name__)


def name_and_key(with_key: bool = True) -> tuple[str, str | None]:
    """Where the key is kept and the key, in one look (one child process when isolated).
    The name is NO_KEYRING when no keyring can be used; the key raises KeyringUnavailable
    when it cannot be read."""
    global _name, _known
    if not _isolated:
        name = backend_name()
        return name, (get_key() if with_key and name != NO_KEYRING else None)
    if _name is not None and not with_key:
        return _name, None
    if _known is not None and with_key:
        return _known
    try:
        answer = _ask("info" if with_key else "name")
    except KeyringUnavailable:
        if with_key:
            raise
        return NO_KEYRING, None
    name = str(answer.get("name") or NO_KEYRING)
    if name != NO_KEYRING:
        _name = name  # the backend does not change while the app runs
    key = answer.get("key")
    looked = name, key if isinstance(key, str) and key else None
    if with_key and name != NO_KEYRING:
        _known = looked
    return looked


def from_environment() -> bool:
    return bool(os.environ.get(ENV_VAR, "").strip())


def get_key() -> str | None:
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    if _isolated:
        key = _ask("get").get("key")
        return key if isinstance(key, str) and key else None
    errors = _keyring().errors
    try:
        return _backend().get_password(SERVICE, ACCOUNT) or None
    except errors.KeyringError as exc:
        raise KeyringUnavailable(_reason(exc)) from None


def set_key(value: str) -> None:
    value = value.strip()
    if not value:
        raise ValueError("empty key")
    if _isolated:
        _forget()
        _ask("set", value)
        return
    errors = _keyring().errors
    try:
        _backend().set_password(SERVICE, ACCOUNT, value)
    except errors.KeyringError as exc:
        raise KeyringUnavailable(_reason(exc)) from None


def delete_key() -> None:
    if _isolated:
        _forget()
        _ask("delete")
        return
    errors = _keyring().errors
    try:
        _backend().delete_password(SERVICE, ACCOUNT)
    except errors.PasswordDeleteError:
        pass  # nothing stored: already the goal
    except errors.KeyringError as exc:
        raise KeyringUnavailable(_reason(exc)) from None


def _forget() -> None:
    global _known
    _known = None


def _reason(exc: Exception) -> str:
    # The backend's own text (never contains the secret), shortened for a dialog.
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return f"The system keyring cannot be used: {text}"


# -- the child process ----------------------------------------------------------------------------

def _ask(operation: str, value: str = "") -> dict[str, Any]:
    """Run one keyring operation in the child; its answer, or KeyringUnavailable."""
    program = [sys.executable] if getattr(sys, "frozen", False) else \
        [sys.executable, "-m", "trayapp"]
    try:
        # In the folder that holds trayapp: `-m` puts the working folder first on the path,
        # and a keyring.py lying in the user's would run with the key.
        done = subprocess.run([*program, HELPER, operation], input=value.encode("utf-8"),
                              capture_output=True, timeout=HELPER_TIMEOUT, check=False,
                              cwd=Path(__file__).resolve().parent.parent,
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except subprocess.TimeoutExpired:
        raise KeyringUnavailable("The system keyring did not answer within two minutes.") \
            from None
    except OSError as exc:
        raise KeyringUnavailable(f"The keyring helper could not start: {exc.strerror}.") \
            from None
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        log.warning("keyring helper: exit %s: %s", done.returncode,
                    printable(said[-1][:300]) if said else "nothing said")
        raise KeyringUnavailable(f"The keyring helper failed (exit {done.returncode}).")
    if "unavailable" in answer:
        raise KeyringUnavailable(str(answer["unavailable"]))
    return answer


def helper(arguments: list[str]) -> int:
    """The child's side: one operation, its answer as one line of JSON on stdout."""
    operation = arguments[0] if len(arguments) == 1 else ""
    answer: dict[str, Any] = {}
    try:
        if operation in ("name", "info"):
            answer["name"] = backend_name()
        if operation in ("get", "info") and answer.get("name") != NO_KEYRING:
            answer["key"] = get_key()
        elif operation == "set":
            set_key(sys.stdin.buffer.read().decode("utf-8"))
        elif operation == "delete":
            delete_key()
        elif operation not in ("name", "info", "get"):
            print(f"trayapp: {HELPER} takes one of: name, info, get, set, delete.",
                  file=sys.stderr)
            return 2
    except KeyringUnavailable as exc:
        answer = {"unavailable": exc.message}
    except ValueError as exc:  # an empty key
        answer = {"unavailable": str(exc)}
    print(json.dumps(answer))
    return 0
