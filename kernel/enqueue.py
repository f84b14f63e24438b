"""Enqueue Celery tasks without letting a broker outage lose work or answer 500.

Every enqueue site keeps a durable record of the work in the database first (a pending
``WebhookDelivery``, an unsent ``kernel.OutboundEmail`` row, the rollup watermark), so the
message is only a wake-up call: when the broker (Redis) is down, :func:`send` logs a warning and
returns False, and the periodic sweep of that app (``prm/schedule.py``) enqueues it again later.
The tasks themselves claim or lock their row, so a sweep that re-enqueues work whose first
message did arrive sends nothing twice.
"""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def send(task, *args, countdown: int | None = None) -> bool:
    """``task.apply_async(args)``; False (logged) when the broker cannot be reached. In eager mode
    (tests, ``CELERY_TASK_ALWAYS_EAGER``) the task runs here and its errors propagate."""
    if task.app.conf.task_always_eager:
        task.apply_async(args, countdown=countdown)
        return True
    try:
        task.apply_async(args, countdown=countdown)
    except (OperationalError, OSError) as exc:
        logger.warning(
            "broker unreachable, %s%r not queued (its periodic sweep will queue it): %s",
            task.name,
            args,
            exc,
        )
        return False
    return True


def send_on_commit(task, *args) -> None:
    """:func:`send` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send(task, *args))
