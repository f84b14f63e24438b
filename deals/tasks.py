"""Periodic deal jobs (schedule in prm/schedule.py). Thin and idempotent: the services re-check
each deal under a row lock and record every email they send."""

import logging
from smtplib import SMTPException

from celery import shared_task

from deals.notifications import notice_send, notices_pending
from deals.services import deal_expire_lapsed, deal_send_expiry_warnings

logger = logging.getLogger(__name__)


@shared_task
def send_expiry_warnings() -> int:
    sent = deal_send_expiry_warnings()
    if sent:
        logger.info("sent %d deal expiry warnings", sent)
    return sent


@shared_task
def expire_deals() -> int:
    expired = deal_expire_lapsed()
    if expired:
        logger.info("expired %d deal registrations", expired)
    return expired


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_deal_notice(notice_id: int) -> bool:
    """Deliver one deal email (a no-op when it was already delivered or no longer exists)."""
    return notice_send(notice_id=notice_id)


@shared_task
def send_pending_notices() -> int:
    """Deliver notices whose task never ran (e.g. the broker was down at commit time)."""
    sent = 0
    for notice_id in notices_pending():
        try:
            sent += notice_send(notice_id=notice_id)
        except (SMTPException, OSError):
            logger.warning("deal notice %s could not be sent; will retry", notice_id)
            break  # the mail server is down: the next run tries again
    if sent:
        logger.info("sent %d pending deal notices", sent)
    return sent
