"""Sending one webhook request: URL checks against server-side request forgery, no redirects,
a timeout, and a short excerpt of the answer for the delivery log."""

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from webhooks import conf

EXCERPT = 500


class UnsafeURL(ValueError):
    """A URL PRM refuses to call; the message says why."""


def check_url(url: str, *, resolve: bool | None = None) -> None:
    """http(s) only, a host, no credentials in the URL; unless private networks are allowed
    (PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS), every address the host resolves to must be public.

    The address check runs at registration and again before each request (DNS can change); a
    rebinding between the check and the connection is not prevented (see docs/webhooks.md)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise UnsafeURL("The URL needs a host name.")
    if parts.username or parts.password:
        raise UnsafeURL("Put no credentials in the URL; verify the signature instead.")
    if resolve is None:
        resolve = not conf.allow_private_networks()
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"The host {parts.hostname} does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise UnsafeURL(
                f"{parts.hostname} resolves to a private or reserved address ({address})."
            )


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


def post(url: str, *, body: bytes, headers: dict) -> Answer:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_url(url)
    except UnsafeURL as exc:
        return Answer(None, elapsed(), error=str(exc)[:300])
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
    try:
        with _opener.open(request, timeout=conf.timeout_seconds()) as response:
            text = response.read(EXCERPT).decode("utf-8", "replace")
            return Answer(response.status, elapsed(), text)
    except urllib.error.HTTPError as exc:
        text = exc.read(EXCERPT).decode("utf-8", "replace") if exc.fp else ""
        return Answer(exc.code, elapsed(), text)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(None, elapsed(), error=f"{type(exc).__name__}: {reason}"[:300])
