"""Incentive jobs (schedule in prm/schedule.py). Thin: the services are idempotent."""

import logging

from celery import shared_task

from incentives.services import awards_catch_up

logger = logging.getLogger(__name__)


@shared_task
def award_catch_up() -> int:
    """Award what the live path missed (events above the watermark); reruns award nothing twice."""
    created = awards_catch_up()
    if created:
        logger.info("catch-up created %d awards", created)
    return created
