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
