"""TLS to the gateway over a real loopback socket: the cheap trust choices of api/trust.py
still verify. A certificate signed by a CA the user names in SSL_CERT_FILE is accepted; the
same server is refused (at once, in one sentence, with the key never sent) otherwise."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from trayapp.api import trust
from trayapp.api.gateway import Gateway
from trayapp.core import errors as e

from ..conftest import TEST_KEY


def make_ca_and_server_cert(folder: Path, with_address: bool = True
                            ) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for localhost (and 127.0.0.1) that it signed."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trayapp test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost")]
                + ([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))] if with_address else [])),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


class Handler(BaseHTTPRequestHandler):
    seen_keys: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Handler.seen_keys.append(self.headers.get("Authorization", ""))
        body = json.dumps({"connections": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=[True])
def tls_gateway(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    ca_file, cert_file, key_file = make_ca_and_server_cert(tmp_path, request.param)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    Handler.seen_keys = []
    try:
        yield f"https://localhost:{server.server_address[1]}", ca_file
    finally:
        server.shutdown()
        server.server_close()


def test_a_ca_named_in_ssl_cert_file_is_trusted(tls_gateway, monkeypatch):
    url, ca_file = tls_gateway
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with Gateway(TEST_KEY, url, sleep=lambda s: None) as gateway:
        assert gateway.request("GET", "/connections").data == {"connections": []}
    assert Handler.seen_keys == [f"Bearer {TEST_KEY}"]


def test_an_unknown_ca_is_refused_at_once_in_one_sentence(tls_gateway, monkeypatch):
    url, _ = tls_gateway
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with Gateway(TEST_KEY, url, sleep=pytest.fail) as gateway:  # no retry, no waiting
        with pytest.raises(e.NetworkError) as raised:
            gateway.request("GET", "/connections")
    message = str(raised.value)
    assert "certificate this computer does not trust" in message
    assert "SSL_CERT_FILE" in message and "\n" not in message
    assert Handler.seen_keys == []  # the key never left


def test_the_system_folder_is_used_only_when_openssl_can_look_up_in_it(tmp_path, monkeypatch):
    paths = ssl.get_default_verify_paths()
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "some-ca.pem").write_text("")
    monkeypatch.setattr(ssl, "get_default_verify_paths",
                        lambda: paths._replace(capath=str(plain)))
    assert trust.system_folder() is None  # e.g. a distribution without the hashed links
    (plain / "5a3f0ff8.0").write_text("")
    assert trust.system_folder() is None  # a local certificate or two: not a CA store
    for number in range(trust.ENOUGH):
        (plain / f"{number:08x}.0").write_text("")
    assert trust.system_folder() == str(plain)


def test_every_choice_verifies_the_certificate_and_the_host(tmp_path, monkeypatch, tls_gateway):
    _, ca_file = tls_gateway
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    remote = trust.context_for("https://api.maton.ai")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    loopback = trust.context_for("http://127.0.0.1:8080")
    assert loopback.cert_store_stats()["x509"] == 0  # trusts no one, loads nothing
    named = trust.context_for("https://api.maton.ai")
    assert named.cert_store_stats()["x509_ca"] == 1
    for context in (loopback, remote, named):
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize("tls_gateway", [False], indirect=True)
def test_a_certificate_for_another_host_is_said_so(tls_gateway, monkeypatch):
    """Trusted, but not for the address asked (127.0.0.1 here): not a trust problem, so the
    message does not send the user to SSL_CERT_FILE."""
    url, ca_file = tls_gateway
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    by_address = url.replace("localhost", "127.0.0.1")
    with Gateway(TEST_KEY, by_address, sleep=pytest.fail) as gateway:
        with pytest.raises(e.NetworkError) as raised:
            gateway.request("GET", "/connections")
    assert "is for another host" in str(raised.value)
    assert "SSL_CERT_FILE" not in str(raised.value)
    assert Handler.seen_keys == []
