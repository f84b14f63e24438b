"""The outbox's tasks (schedule in prm/schedule.py). Thin: ``kernel.outbox`` locks and counts."""

import logging
import math

from celery import shared_task
from django.utils import timezone

from kernel import enqueue
from kernel.outbox import BACKOFF_BASE, BATCH, emails_due, emails_send

logger = logging.getLogger(__name__)


@shared_task
def send_emails(email_ids: list[int]) -> int:
    """Send a batch of outbox rows; what a mail server error left is queued again for the time
    the rows plan (backoff and cap live in the rows, shared with the sweep). Sent, failed or
    missing rows are skipped, so a redelivered message sends nothing twice."""
    outcome = emails_send(email_ids=email_ids)
    if outcome.retry_ids:
        at = outcome.retry_at or timezone.now() + BACKOFF_BASE
        wait = max(math.ceil((at - timezone.now()).total_seconds()) + 1, 1)
        logger.warning("%d emails not sent yet; next attempt in %s s", len(outcome.retry_ids), wait)
        enqueue.send(send_emails, outcome.retry_ids, countdown=wait)
    return outcome.sent


@shared_task
def send_due_emails() -> int:
    """Send pending emails whose task was lost (broker down at commit time, worker killed) or
    whose retry is overdue; stops at a mail server error (the next run tries again)."""
    due = emails_due()
    sent = 0
    for start in range(0, len(due), BATCH):
        outcome = emails_send(email_ids=due[start : start + BATCH])
        sent += outcome.sent
        if outcome.server_down:
            logger.warning("the mail server looks down; the next sweep tries again")
            break
    if sent:
        logger.info("sent %d overdue emails", sent)
    return sent
