"""Periodic deal jobs (schedule in prm/schedule.py). Thin and idempotent: the services re-check
each deal under a row lock; their emails go through the outbox (kernel.outbox)."""

import logging

from celery import shared_task

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
