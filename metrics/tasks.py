import logging

from celery import shared_task

from metrics.rollups import rollup_incremental

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def rollup_metrics() -> dict:
    """Fold new events into the summary tables. Safe to deliver twice or run concurrently: the
    rollup recomputes whole buckets from raw events and a second run gives up on the lock."""
    result = rollup_incremental()
    if result.ran and result.events:
        logger.info(
            "metrics rollup: %d events, %d buckets in %d ms",
            result.events,
            result.buckets,
            result.duration_ms,
        )
    return {"ran": result.ran, "events": result.events, "reason": result.reason}
