"""An https endpoint whose certificate the CA bundle does not trust (a self-signed one
here, made by the test; a corporate proxy's, for a user) is one line and exit 5 at the
first attempt: no retry can mend it, and botocore's retries took 6-19 s for it to end
in its own "SSL validation failed" text."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import in_process

pytestmark = pytest.mark.e2e


class TlsServer:
    """TLS on a port of 127.0.0.1 with the certificate at ``cert``: it counts the
    connections and answers none (a client that trusts nothing never gets that far)."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                conn.close()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.sock.close()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: the PEM files of both."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[tuple[TlsServer, Path]]:
    cert, key = _self_signed(tmp_path)
    server = TlsServer(cert, key)
    try:
        yield server, cert
    finally:
        server.stop()


KEYS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1"}


@pytest.mark.parametrize(
    ("host", "trusted", "why"),
    [
        ("127.0.0.1", False, "self-signed certificate"),
        # Its CA trusted, for another host: urllib3's own check of the name.
        ("localhost", True, "doesn't match '127.0.0.1'"),
    ],
    ids=["untrusted-ca", "other-host"],
)
def test_an_untrusted_certificate_is_one_line_at_the_first_attempt(
    tls: tuple[TlsServer, Path], host: str, trusted: bool, why: str
) -> None:
    server, cert = tls
    url = f"https://{host}:{server.port}"
    env = {**KEYS, "AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "3"}
    if trusted:
        env["AWS_CA_BUNDLE"] = str(cert)
    done = in_process(None, "list", "-s", "rds", **env)
    assert done.returncode == 5, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(
        f"exportctl: error: Amazon RDS: the TLS certificate of {url} is not trusted ("
    )
    assert why in done.stderr and "AWS_CA_BUNDLE" in done.stderr
    assert server.connections == 1


def test_a_trusted_certificate_is_not_said_to_be_untrusted(
    tls: tuple[TlsServer, Path],
) -> None:
    server, cert = tls
    url = f"https://127.0.0.1:{server.port}"
    env = {**KEYS, "AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "1", "AWS_CA_BUNDLE": str(cert)}
    done = in_process(None, "list", "-s", "rds", **env)
    # The handshake is made; the server then closes without an answer.
    assert done.returncode == 5, (done.returncode, done.stderr)
    assert "not trusted" not in done.stderr and "TLS certificate" not in done.stderr


@pytest.mark.parametrize("where", ["variable", "profile"])
def test_an_empty_ca_bundle_still_checks_certificates(
    tls: tuple[TlsServer, Path], tmp_path: Path, where: str
) -> None:
    # botocore reads an empty bundle as "check nothing": a CI template's
    # `AWS_CA_BUNDLE=$UNSET` would turn verification off without a word.
    server, _ = tls
    url = f"https://127.0.0.1:{server.port}"
    env = {**KEYS, "AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "1"}
    if where == "variable":
        env["AWS_CA_BUNDLE"] = ""
    else:
        config = tmp_path / "config"
        config.write_text("[default]\nca_bundle =\n")
        env["AWS_CONFIG_FILE"] = str(config)
    done = in_process(None, "list", "-s", "rds", **env)
    assert done.returncode == 5, (done.returncode, done.stderr)
    assert "self-signed certificate" in done.stderr, done.stderr


def test_an_empty_variable_leaves_the_profiles_bundle_in_use(
    tls: tuple[TlsServer, Path], tmp_path: Path
) -> None:
    # Empty is as if unset: the profile's ca_bundle, not the system's CAs.
    server, cert = tls
    config = tmp_path / "config"
    config.write_text(f"[default]\nca_bundle = {cert}\n")
    url = f"https://127.0.0.1:{server.port}"
    env = {**KEYS, "AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "1", "AWS_CA_BUNDLE": ""}
    done = in_process(None, "list", "-s", "rds", AWS_CONFIG_FILE=str(config), **env)
    assert done.returncode == 5, (done.returncode, done.stderr)
    assert "not trusted" not in done.stderr and "TLS certificate" not in done.stderr


@pytest.mark.parametrize(
    ("where", "named"),
    [
        ("option", "--endpoint-url"),
        ("variable", "AWS_ENDPOINT_URL"),
        ("service-variable", "AWS_ENDPOINT_URL_RDS"),
        ("profile", "the endpoint_url of profile 'default'"),
    ],
)
def test_an_untrusted_certificate_names_where_the_endpoint_was_set(
    tls: tuple[TlsServer, Path], tmp_path: Path, where: str, named: str
) -> None:
    # It named --endpoint-url whichever setting the endpoint came from.
    server, _ = tls
    url = f"https://127.0.0.1:{server.port}"
    args: list[str] = []
    env = {**KEYS, "AWS_MAX_ATTEMPTS": "1"}
    if where == "option":
        args = ["--endpoint-url", url]
    elif where == "variable":
        env["AWS_ENDPOINT_URL"] = url
    elif where == "service-variable":
        env["AWS_ENDPOINT_URL_RDS"] = url
    else:
        config = tmp_path / "config"
        config.write_text(f"[default]\nendpoint_url = {url}\n")
        env["AWS_CONFIG_FILE"] = str(config)
    done = in_process(None, *args, "list", "-s", "rds", **env)
    assert done.returncode == 5, (done.returncode, done.stderr)
    assert done.stderr.endswith(f", or check {named} and any proxy in the way\n"), done.stderr
