"""Server-side request forgery: every spelling of an internal address is refused, at save and at
delivery, and a delivery connects to the address it checked (a DNS answer that changes between
the check and the connection cannot send it inside)."""

import datetime
import ipaddress
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from webhooks import services, transport
from webhooks.models import WebhookDelivery
from webhooks.tests.server import Receiver, start

pytestmark = pytest.mark.django_db

EMBEDDED_PRIVATE = [
    "http://[::127.0.0.1]/",  # IPv4-compatible loopback
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254 (cloud metadata)
    "http://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[::ffff:10.0.0.1]:8080/",  # IPv4-mapped private
    "http://[64:ff9b::10.1.2.3]/",  # NAT64 of a private address
    "http://[64:ff9b:1::808:808]/",  # local-use NAT64 (RFC 8215), whatever it embeds
    "http://[2002:c0a8:101::1]/",  # 6to4 of 192.168.1.1
    "http://[2001:0:a9fe:a9fe::1]/",  # Teredo whose server is 169.254.169.254
    "http://[ff02::1]/",  # multicast
    "http://224.0.0.1/",  # multicast
    "http://[::]/",
    "http://0.0.0.0/",
    "http://100.64.0.1/",  # carrier-grade NAT
]


@pytest.mark.parametrize("url", EMBEDDED_PRIVATE)
def test_an_internal_address_spelled_any_way_is_refused_when_saving(settings, url):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(services.WebhookError, match="private or reserved"):
        services.endpoint_create(url=url, event_types=["deal.won"])


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("::127.0.0.1", False),
        ("::1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("2002:a9fe:a9fe::", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo (documentation client)
        ("fe80::1", False),
        ("fc00::1", False),
        ("169.254.169.254", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
    ],
)
def test_only_globally_routable_unicast_addresses_are_public(address, public):
    assert transport.is_public_address(ipaddress.ip_address(address)) is public


def test_a_delivery_connects_to_the_address_it_checked_not_a_rebound_one(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The name answers with the "public" address for the checks, then rebinds to an internal
    one: the request still goes to the checked address, with the name in its Host header."""
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    settings.PRM_WEBHOOK_MAX_ATTEMPTS = 1
    settings.PRM_WEBHOOK_TIMEOUT_SECONDS = 5
    outside, inside = Receiver(), Receiver()
    servers = [start(outside, "127.0.0.1")]
    port = servers[0].server_address[1]
    servers.append(start(inside, "127.0.0.2", port))
    # Loopback stands in for the internet here: 127.0.0.1 is the "public" side.
    monkeypatch.setattr(transport, "is_public_address", lambda a: str(a) == "127.0.0.1")
    answers = iter(["127.0.0.1", "127.0.0.1"])  # at save, at the delivery's check; then rebound
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host != "hooks.example":
            return real_getaddrinfo(host, *args, **kwargs)
        address = next(answers, "127.0.0.2")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        issued = services.endpoint_create(
            url=f"http://hooks.example:{port}/hooks/prm", event_types=["deal.won"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_send_test(endpoint=issued.endpoint)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert inside.requests == []
    [received] = outside.requests
    assert received.headers["host"] == f"hooks.example:{port}"
    assert received.path == "/hooks/prm"
    assert WebhookDelivery.objects.get().log.get().status_code == 200


def _certificate(tmp_path, host: str):
    """A self-signed certificate for ``host``: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_a_pinned_https_delivery_sends_the_host_name_for_sni_and_verifies_it(
    world, settings, monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    settings.PRM_WEBHOOK_MAX_ATTEMPTS = 1
    settings.PRM_WEBHOOK_TIMEOUT_SECONDS = 5
    cert_file, key_file = _certificate(tmp_path, "hooks.example")
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    names = []
    server_tls.sni_callback = lambda sock, name, context: names.append(name)
    receiver = Receiver()
    server = start(receiver, "127.0.0.1", tls=server_tls)
    port = server.server_address[1]
    monkeypatch.setattr(transport, "is_public_address", lambda a: str(a) == "127.0.0.1")
    monkeypatch.setattr(
        transport, "tls_context", lambda: ssl.create_default_context(cafile=cert_file)
    )
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host != "hooks.example":
            return real_getaddrinfo(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    try:
        issued = services.endpoint_create(
            url=f"https://hooks.example:{port}/hooks/prm", event_types=["deal.won"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_send_test(endpoint=issued.endpoint)
    finally:
        server.shutdown()
        server.server_close()
    attempt = WebhookDelivery.objects.get().log.get()
    assert (attempt.status_code, attempt.error) == (200, "")
    assert names and set(names) == {"hooks.example"}
    [received] = receiver.requests
    assert received.headers["host"] == f"hooks.example:{port}"


def test_a_proxy_from_the_environment_is_still_used_for_public_hosts(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "skip.example")
    assert transport._proxied("https://hooks.example/x")
    assert not transport._proxied("https://skip.example/x")
    assert not transport._proxied("http://hooks.example/x")
