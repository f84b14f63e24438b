"""Thin, idempotent periodic jobs (scheduled in prm/schedule.py). Rerunning any of them sends
nothing twice: every reminder is claimed by a unique SentReminder row before it is sent."""

import logging

from celery import shared_task

from accounts.models import User
from onboarding import builder, services

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


@shared_task(acks_late=True)
def migrate_checklists(template_id: int, checklist_ids: list[int], actor_id: int) -> int:
    """The checklist builder's migration of many partners (onboarding.builder): each checklist
    is migrated in its own transaction and one already moved is skipped, so a retry is safe."""
    actor = User.objects.filter(pk=actor_id).first()
    if actor is None:
        logger.warning("migrate_checklists: user %s is gone, nothing migrated", actor_id)
        return 0
    moved = builder.checklists_migrate(
        actor=actor, template_id=template_id, checklist_ids=checklist_ids
    )
    logger.info("checklist template %s: %s partners migrated", template_id, moved)
    return moved
