"""Event log settings, read from Django settings: each is declared once, with its default and its
environment variable, in prm/settings/base.py (documented in .env.example). The helpers here
only check ranges."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def strict_payloads() -> bool:
    """``PRM_EVENTS_STRICT``: an event whose payload does not match its declaration raises (tests)
    instead of being logged and recorded all the same (production)."""
    return bool(settings.PRM_EVENTS_STRICT)


def bound_lock_timeout_ms() -> int:
    """``PRM_ROLLUP_LOCK_TIMEOUT_MS``: how long a reader of the log keeps retrying (NOWAIT) to see
    no event writer in flight before giving up on a safe bound this time (Postgres;
    ``events.cursor.safe_upper_bound``, used by the metrics rollup and every other cursor)."""
    value = int(settings.PRM_ROLLUP_LOCK_TIMEOUT_MS)
    if value < 0:
        raise ImproperlyConfigured(
            f"PRM_ROLLUP_LOCK_TIMEOUT_MS must be a non-negative integer, not {value!r}."
        )
    return value
