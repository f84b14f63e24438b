import logging

from celery import shared_task

from customers.rollups import adoption_rollup

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def rollup_user_adoption() -> dict:
    """Fold newly ingested usage events into the user-adoption summary. Idempotent (see
    customers.rollups); an overlapping run gives up instead of waiting."""
    result = adoption_rollup()
    if result.events:
        logger.info("user adoption rollup: %d events, %d buckets", result.events, result.buckets)
    return {"ran": result.ran, "events": result.events, "reason": result.reason}
