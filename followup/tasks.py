"""Thin, idempotent periodic job (scheduled in prm/schedule.py): a rerun sends nothing twice, each
reminder is claimed by the task's sent-reminder marker before it is queued."""

import logging

from celery import shared_task

from followup import services

logger = logging.getLogger(__name__)


@shared_task
def send_task_reminders() -> int:
    sent = services.reminders_send()
    if sent:
        logger.info("task reminders sent: %s", sent)
    return sent
