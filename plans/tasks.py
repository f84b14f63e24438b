"""Thin, idempotent periodic job (scheduled in prm/schedule.py): the email keys name the ISO week,
so a rerun the same week sends nothing twice."""

import logging

from celery import shared_task

from plans import notices

logger = logging.getLogger(__name__)


@shared_task
def send_off_pace_notices() -> int:
    plans = notices.off_pace_notices_send()
    if plans:
        logger.info("business plans off pace: %s", plans)
    return plans
