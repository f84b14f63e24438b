"""Incentive jobs (schedule in prm/schedule.py). Thin: the services are idempotent."""

import logging
from smtplib import SMTPException

from celery import shared_task

from incentives.notifications import send
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
def send_mdf_email(request_id: int, kind: str) -> bool:
    """One MDF email; a missing request is skipped."""
    return send(request_id=request_id, kind=kind)
