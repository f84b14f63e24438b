"""Incentive jobs (schedule in prm/schedule.py). Thin: the services are idempotent."""

import logging
from smtplib import SMTPException

from celery import shared_task

from incentives.notifications import email_send, emails_pending
from incentives.services import awards_catch_up

logger = logging.getLogger(__name__)


@shared_task
def award_catch_up() -> int:
    """Award what the live path missed (events above the watermark); reruns award nothing twice."""
    created = awards_catch_up()
    if created:
        logger.info("catch-up created %d awards", created)
    return created


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_mdf_email(email_id: int) -> bool:
    """One MDF outbox row (``incentives.models.MdfEmail``); a sent or missing row is skipped."""
    return email_send(email_id=email_id)


@shared_task
def send_pending_mdf_emails() -> int:
    """Send outbox rows whose task never ran (e.g. the broker was down at commit time)."""
    sent = 0
    for email_id in emails_pending():
        try:
            sent += email_send(email_id=email_id)
        except (SMTPException, OSError):
            logger.warning("MDF email %s could not be sent; will retry", email_id)
            break  # the mail server is down: the next run tries again
    if sent:
        logger.info("sent %d pending MDF emails", sent)
    return sent
