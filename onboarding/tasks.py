"""Thin, idempotent periodic jobs (scheduled in prm/schedule.py). Rerunning any of them sends
nothing twice: every reminder is claimed by a unique SentReminder row before it is sent."""

import logging

from celery import shared_task

from onboarding import services

logger = logging.getLogger(__name__)


@shared_task
def send_onboarding_reminders() -> dict:
    sent = services.reminders_send()
    if any(sent.values()):
        logger.info("onboarding reminders sent: %s", sent)
    return sent


@shared_task
def flag_stalled_partners() -> dict:
    counts = services.stalls_flag()
    if any(counts.values()):
        logger.info("stalled onboardings: %s", counts)
    return counts
