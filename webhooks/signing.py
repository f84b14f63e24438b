"""Webhook signatures, as Stripe does them.

Each delivery carries ``PRM-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256, keyed with the endpoint's secret, over ``"<t>." + <raw request body>``. A receiver
recomputes it over the exact bytes it received, compares in constant time, and rejects a
timestamp older than its tolerance (5 minutes is usual) so a captured request cannot be replayed.
"""

import hashlib
import hmac
import time

HEADER = "PRM-Signature"


def sign(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(*, secret: str, header: str, body: bytes, tolerance: int = 300, now=None) -> bool:
    """What a receiver does (documented; used by our tests of real deliveries)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
