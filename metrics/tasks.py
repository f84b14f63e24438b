import logging

from celery import shared_task

from metrics import dashboard_cache
from metrics.partitions import ensure_event_partitions
from metrics.rollups import rollup_incremental
from metrics.scores import scores_refresh

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def rollup_metrics() -> dict:
    """Fold new events into the summary tables, then refresh the adoption scores they affect.
    Safe to deliver twice or run concurrently: both steps recompute whole buckets or scores from
    stored data, and a second run gives up on the lock instead of waiting."""
    rollup = rollup_incremental()
    scores = scores_refresh()
    # After the scores: the pages rebuilt now must read the summaries this run committed.
    rebuilds = dashboard_cache.after_rollup(rollup, scores)
    if rollup.events:
        logger.info(
            "metrics rollup: %d events, %d buckets in %d ms; %d scores in %d ms",
            rollup.events,
            rollup.buckets,
            rollup.duration_ms,
            scores.buckets,
            scores.duration_ms,
        )
    return {
        "ran": rollup.ran,
        "events": rollup.events,
        "scores": scores.buckets,
        "reason": rollup.reason or scores.reason,
        "dashboard_rebuilds": rebuilds,
    }


@shared_task(acks_late=True)
def rebuild_dashboard_page(querystring: str, user_id: int | None = None) -> str:
    """Build one program dashboard page into the cache (queued when a request found it stale, and
    after each rollup that changed data). Safe twice: a page already current is left alone."""
    return dashboard_cache.rebuild(dashboard_cache.PageRequest(querystring, user_id))


@shared_task(acks_late=True)
def create_event_partitions() -> dict:
    """Create the event table's monthly partitions ahead of time (``metrics.partitions``)."""
    result = ensure_event_partitions()
    return {"created": result.created}
