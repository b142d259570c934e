"""The Maton key in the OS keyring: a real Secret Service round trip (gnome-keyring on the
private session bus in CI), the environment variable's precedence, and no plain-text fallback."""

from __future__ import annotations

import keyring
import keyring.backend
import pytest
from keyring.backends import fail

from trayapp import secrets
from trayapp.core.errors import KeyringUnavailable


@pytest.fixture
def restore_keyring():
    old = keyring.get_keyring()
    yield
    keyring.set_keyring(old)


def test_secret_service_round_trip(session_bus, restore_keyring, monkeypatch):
    from keyring.backends import SecretService

    monkeypatch.delenv("MATON_API_KEY", raising=False)
    keyring.set_keyring(SecretService.Keyring())
    secrets.delete_key()
    assert secrets.get_key() is None
    secrets.set_key("  sk-round-trip  ")
    assert secrets.get_key() == "sk-round-trip"
    assert "Secret" in secrets.backend_name() or "secret" in secrets.backend_name().lower()
    # Really in the Secret Service, not in our process: ask it directly.
    assert SecretService.Keyring().get_password(secrets.SERVICE, secrets.ACCOUNT) == "sk-round-trip"
    secrets.delete_key()
    assert secrets.get_key() is None
    secrets.delete_key()  # deleting twice is fine


def test_environment_variable_wins(monkeypatch, restore_keyring):
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("MATON_API_KEY", " from-env ")
    assert secrets.get_key() == "from-env" and secrets.from_environment()


def test_missing_keyring_is_reported_never_a_file(monkeypatch, restore_keyring, tmp_path):
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable) as info:
        secrets.set_key("sk-nowhere")
    assert "MATON_API_KEY" in info.value.text
    with pytest.raises(KeyringUnavailable):
        secrets.get_key()
    assert secrets.backend_name() == "no keyring available"


def test_plaintext_backends_are_refused(monkeypatch, restore_keyring):
    class PlaintextKeyring(keyring.backend.KeyringBackend):
        priority = 1
        stored: dict = {}

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    keyring.set_keyring(PlaintextKeyring())
    with pytest.raises(KeyringUnavailable):
        secrets.set_key("sk-plain")
    assert PlaintextKeyring.stored == {}


def _isolated(code: str, **env: str) -> None:
    """Run `code` with secrets.isolate(), as the app does, in a fresh process."""
    import os
    import subprocess
    import sys

    prelude = "import sys\nfrom trayapp import secrets\nsecrets.isolate()\n"
    environment = {k: v for k, v in os.environ.items() if k != "MATON_API_KEY"} | env
    subprocess.run([sys.executable, "-c", prelude + code], env=environment, check=True,
                   timeout=120)


def test_the_app_keeps_the_key_through_a_child_process(session_bus):
    """The app's way (secrets.isolate): the real Secret Service, every operation, and neither
    keyring nor cryptography loaded in the app's own process."""
    _isolated(
        "secrets.delete_key()\n"
        "assert secrets.get_key() is None\n"
        "secrets.set_key('  sk-from-a-child  ')\n"
        "assert secrets.get_key() == 'sk-from-a-child'\n"
        "name, key = secrets.name_and_key()  # Settings' one look: one child\n"
        "assert key == 'sk-from-a-child' and 'secret' in name.lower(), name\n"
        "assert 'secret' in secrets.backend_name().lower(), secrets.backend_name()\n"
        "secrets.delete_key()\n"
        "assert secrets.get_key() is None\n"
        "assert secrets.name_and_key()[1] is None  # what Settings showed is forgotten\n"
        "secrets.set_key('sk-again')\n"
        "assert secrets.name_and_key()[1] == 'sk-again'\n"
        "secrets.delete_key()\n"
        "heavy = [m for m in ('keyring', 'secretstorage', 'cryptography') if m in sys.modules]\n"
        "assert not heavy, heavy\n",
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
    # And it is where the in-process keyring finds it (the one-shot commands' way).
    from keyring.backends import SecretService

    assert SecretService.Keyring().get_password(secrets.SERVICE, secrets.ACCOUNT) is None


def test_a_missing_keyring_is_reported_through_the_child_too():
    _isolated(
        "from trayapp.core.errors import KeyringUnavailable\n"
        "for act in (secrets.get_key, lambda: secrets.set_key('sk-x')):\n"
        "    try:\n"
        "        act()\n"
        "    except KeyringUnavailable as exc:\n"
        "        assert 'MATON_API_KEY' in exc.text, exc.text\n"
        "    else:\n"
        "        raise AssertionError('no error')\n"
        "assert secrets.backend_name() == secrets.NO_KEYRING\n",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
