import logging

from celery import shared_task

from partners.services import invitation_expire_stale

logger = logging.getLogger(__name__)


@shared_task
def expire_invitations() -> int:
    expired = invitation_expire_stale()
    if expired:
        logger.info("expired %d partner invitations", expired)
    return expired


@shared_task
def evaluate_tiers() -> dict:
    """Nightly: promotions, demotion warnings and demotions (partners.tiers.evaluation)."""
    from partners.tiers.evaluation import tiers_evaluate

    result = tiers_evaluate()
    return {"evaluated": result.evaluated, **result.counts}
