"""Sending one webhook request: URL checks against server-side request forgery (at save and at
delivery, with the connection pinned to the checked address), no redirects, a timeout, and a short
excerpt of the answer for the delivery log."""

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from webhooks import conf

EXCERPT = 500

# IPv6 prefixes that carry an IPv4 address in their last 32 bits: the address is as public as
# the IPv4 one it reaches (64:ff9b::a9fe:a9fe is 169.254.169.254 through a NAT64 gateway).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# RFC 8215 local-use NAT64: where the IPv4 address sits depends on the operator's prefix length,
# and the range is for local networks only, so it is never public.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(ValueError):
    """A URL PRM refuses to call; the message says why."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
    (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:aabb:ccdd::)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def is_public_address(address: IPAddress) -> bool:
    """Whether PRM may call ``address`` while private networks are not allowed: globally
    routable unicast, judged on the IPv4 address inside IPv6 translation and tunnel forms
    (mapped, compatible, NAT64, 6to4, both of Teredo's), so no spelling of 127.0.0.1 or
    169.254.169.254 gets through."""
    if address.version == 6:
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
        if address in _LOCAL_NAT64:
            return False
        if address.teredo is not None and not all(map(is_public_address, address.teredo)):
            return False
    return address.is_global and not address.is_multicast


def _parts(url: str):
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise UnsafeURL("The URL needs a host name.")
    if parts.username or parts.password:
        raise UnsafeURL("Put no credentials in the URL; verify the signature instead.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(_("The URL's port is not a number from 0 to 65535.")) from exc
    return parts, port


def _public_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, each checked; refused if any one is not public (a
    client could otherwise pick the private one)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"The host {host} does not resolve.") from exc
    addresses = []
    for info in infos:
        text = info[4][0].split("%")[0]
        address = ipaddress.ip_address(text)
        if not is_public_address(address):
            raise UnsafeURL(f"{host} resolves to a private or reserved address ({address}).")
        if text not in addresses:
            addresses.append(text)
    return addresses


def check_url(url: str, *, resolve: bool | None = None) -> list[str]:
    """http(s) only, a host, no credentials in the URL; unless private networks are allowed
    (PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS), every address the host resolves to must be public
    (``is_public_address``). Returns the checked addresses ([] when not resolved): ``post``
    connects to one of them, never resolving the name again (DNS rebinding)."""
    parts, port = _parts(url)
    if resolve is None:
        resolve = not conf.allow_private_networks()
    if not resolve:
        return []
    return _public_addresses(parts.hostname, port)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is reported as the answer, never followed (it could point inside)


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass
class Answer:
    status_code: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, host name checked (tests trust their own CA here)."""
    return ssl.create_default_context()


def _pinned_connection(parts, port: int, addresses: list[str], timeout: float):
    """An HTTP(S) connection to the URL's host whose socket goes to one of the checked
    ``addresses`` (tried in order) instead of a new lookup of the name. The host name is still
    what the request says: ``Host`` header, TLS SNI and certificate verification."""

    def connect(_address, timeout_, source_address=None):
        error: OSError | None = None
        for address in addresses:
            try:
                return socket.create_connection((address, port), timeout_, source_address)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=tls_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    # http.client opens its socket through this attribute (HTTPSConnection then wraps it with
    # server_hostname = the host name), so only the address changes.
    connection._create_connection = connect
    return connection


def _proxied(url: str) -> bool:
    """Whether urllib would send this URL through a proxy from the environment."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    return parts.scheme in proxies and not urllib.request.proxy_bypass(parts.hostname)


def _post_pinned(url: str, addresses: list[str], body: bytes, headers: dict):
    parts, port = _parts(url)
    connection = _pinned_connection(parts, port, addresses, conf.timeout_seconds())
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        # A 3xx is reported as the answer, never followed (it could point inside).
        return response.status, response.read(EXCERPT).decode("utf-8", "replace")
    finally:
        connection.close()


def post(url: str, *, body: bytes, headers: dict) -> Answer:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        addresses = check_url(url)
    except UnsafeURL as exc:
        return Answer(None, elapsed(), error=str(exc)[:300])
    try:
        if addresses and not _proxied(url):
            status, text = _post_pinned(url, addresses, body, headers)
            return Answer(status, elapsed(), text)
        # Private networks allowed (nothing to pin: the name is resolved when connecting), or an
        # egress proxy from the environment (HTTPS_PROXY, ...) connects for us and is the one that
        # must refuse internal addresses (docs/webhooks.md).
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
        with _opener.open(request, timeout=conf.timeout_seconds()) as response:
            text = response.read(EXCERPT).decode("utf-8", "replace")
            return Answer(response.status, elapsed(), text)
    except urllib.error.HTTPError as exc:
        text = exc.read(EXCERPT).decode("utf-8", "replace") if exc.fp else ""
        return Answer(exc.code, elapsed(), text)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(None, elapsed(), error=f"{type(exc).__name__}: {reason}"[:300])
