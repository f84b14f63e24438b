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
def partner_import_run(import_id: int) -> None:
    """Check or apply a partner import (its stage says which); runs once per message however
    often it is delivered (``partners.imports.services.run`` claims the job)."""
    from partners.imports.services import run

    run(import_id=import_id)
