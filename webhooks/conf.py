"""Webhook settings, read from Django settings (which read the environment, see .env.example)."""

from django.conf import settings


def max_attempts() -> int:
    return settings.PRM_WEBHOOK_MAX_ATTEMPTS


def backoff_seconds(attempt: int) -> int:
    """Wait after failed attempt ``attempt`` (1-based): base * 2^(attempt-1), capped."""
    base = settings.PRM_WEBHOOK_BACKOFF_BASE_SECONDS
    return int(min(base * 2 ** (attempt - 1), settings.PRM_WEBHOOK_BACKOFF_MAX_SECONDS))


def disable_after() -> int:
    return settings.PRM_WEBHOOK_DISABLE_AFTER_FAILURES


def timeout_seconds() -> float:
    return settings.PRM_WEBHOOK_TIMEOUT_SECONDS


def allow_private_networks() -> bool:
    return settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS
