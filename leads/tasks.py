"""Thin, idempotent periodic job (scheduled in prm/schedule.py): each overdue offer is claimed by
a conditional UPDATE before its lead moves on, so a rerun or a second worker reassigns nothing
twice."""

import logging

from celery import shared_task

from leads import services

logger = logging.getLogger(__name__)


@shared_task
def expire_lead_offers() -> int:
    expired = services.offers_expire()
    if expired:
        logger.info("lead offers expired and passed on: %s", expired)
    return expired


@shared_task
def remind_lead_offers() -> int:
    sent = services.offers_remind()
    if sent:
        logger.info("lead offer reminders sent: %s", sent)
    return sent
