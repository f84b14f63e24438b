import logging

from celery import shared_task

from kernel import enqueue
from webhooks import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> dict:
    """One attempt of a delivery; on failure the next attempt is queued with the countdown the
    service chose (exponential, capped; the service gives up after PRM_WEBHOOK_MAX_ATTEMPTS).
    A new message rather than ``self.retry``: the same thing on a broker, and eager mode (tests,
    CELERY_TASK_ALWAYS_EAGER) runs it at once instead of raising ``Retry``. A redelivered or
    duplicate task sends nothing twice: the service claims the row first and refuses an attempt
    that is not due."""
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        # the row keeps next_attempt_at: if the broker is down, the sweep queues the retry
        enqueue.send(deliver_webhook, delivery_id, countdown=outcome.retry_in)
    return {"sent": outcome.sent, "ok": outcome.ok, "retry_in": outcome.retry_in}


@shared_task(acks_late=True)
def send_due_deliveries() -> int:
    """Safety net: enqueue pending deliveries whose task was lost."""
    queued = 0
    for pk in services.deliveries_due():
        if not enqueue.send(deliver_webhook, pk):
            break  # still down: the next run tries again
        queued += 1
    if queued:
        logger.info("webhooks: re-enqueued %d due deliveries", queued)
    return queued
