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
