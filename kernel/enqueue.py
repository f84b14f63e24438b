"""Enqueue Celery tasks without letting a broker outage lose work or answer 500.

Every enqueue site keeps a durable record of the work in the database first (a pending
``WebhookDelivery``, an unsent ``kernel.OutboundEmail`` row, the rollup watermark), so the
message is only a wake-up call: when the broker (Redis) is down, :func:`send` logs a warning and
returns False, and the periodic sweep of that app (``prm/schedule.py``) enqueues it again later.
The tasks themselves claim or lock their row, so a sweep that re-enqueues work whose first
message did arrive sends nothing twice.

A task may be named instead of passed (``send("webhooks.tasks.deliver_webhook", pk)``): an app's
services enqueue their tasks by name, so ``services`` does not import ``tasks`` while ``tasks``
imports ``services`` (no module cycle inside the app; tests/test_architecture.py keeps it so).
"""

from __future__ import annotations

import importlib
import logging

from celery import Task, current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def task_named(name: str) -> Task:
    """The registered task ``name`` (``<app>.tasks.<function>``, Celery's default name). A task
    is registered when its module is imported, which a web process may not have done yet: then
    its module is imported here. An unknown name raises ``LookupError`` (in tests too)."""
    if name not in current_app.tasks:
        module = name.rpartition(".")[0]
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise LookupError(f"no Celery task {name!r}: {exc}") from exc
    try:
        return current_app.tasks[name]
    except KeyError:
        raise LookupError(f"no Celery task {name!r} in {name.rpartition('.')[0]}") from None


def send(task: Task | str, *args, countdown: int | None = None) -> bool:
    """``task.apply_async(args)``; False (logged) when the broker cannot be reached. In eager mode
    (tests, ``CELERY_TASK_ALWAYS_EAGER``) the task runs here and its errors propagate. ``task``
    is the task or its name (:func:`task_named`)."""
    if isinstance(task, str):
        task = task_named(task)
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


def send_on_commit(task: Task | str, *args) -> None:
    """:func:`send` once the current transaction commits (at once outside a transaction). A name
    is looked up now, so a wrong one fails in the caller's transaction, not after it."""
    if isinstance(task, str):
        task = task_named(task)
    transaction.on_commit(lambda: send(task, *args))
