"""The outbox's tasks (schedule in prm/schedule.py). Thin: ``kernel.outbox`` locks and counts."""

import logging
import math

from celery import shared_task
from django.utils import timezone

from kernel import enqueue
from kernel.outbox import EmailNotSent, email_send, emails_due

logger = logging.getLogger(__name__)


@shared_task
def send_email(email_id: int) -> bool:
    """Send one outbox row; after a failed attempt, queue the next one at the time the row plans
    (backoff and cap live in the row, shared with the sweep). A sent, failed or missing row is
    skipped, so a redelivered message sends nothing twice."""
    try:
        return email_send(email_id=email_id)
    except EmailNotSent as exc:
        if exc.retry_at is not None:
            wait = math.ceil((exc.retry_at - timezone.now()).total_seconds()) + 1
            logger.warning("%s; next attempt in %s s", exc, wait)
            enqueue.send(send_email, email_id, countdown=max(wait, 1))
        return False


@shared_task
def send_due_emails() -> int:
    """Send pending emails whose task was lost (broker down at commit time, worker killed)."""
    sent = 0
    for email_id in emails_due():
        try:
            sent += email_send(email_id=email_id)
        except EmailNotSent as exc:
            if exc.retry_at is not None:
                logger.warning("%s; the mail server looks down, next sweep tries again", exc)
                break  # do not spend every row's attempts on one outage
    if sent:
        logger.info("sent %d overdue emails", sent)
    return sent
