import logging

from celery import shared_task

from events import consumers
from events.partitions import ensure_event_partitions

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def create_event_partitions() -> dict:
    """Create the event table's monthly partitions ahead of time (``events.partitions``)."""
    result = ensure_event_partitions()
    return {"created": result.created}


@shared_task
def catch_up_event_consumers() -> int:
    """Hand each event consumer the events it failed on (``events.consumers``); a consumer still
    failing keeps them for the next run. Safe to run twice at once (skip-locked rows)."""
    handled = consumers.consumers_catch_up()
    if handled:
        logger.info("event consumers caught up on %d missed events", handled)
    waiting = consumers.misses_pending()
    if waiting:
        logger.warning("events still missed by their consumers: %s", waiting)
    return handled


@shared_task
def dispatch_pending_events() -> int:
    """The consumers' share of events recorded off the request path (ingestion: ``events.consumers
    .dispatch_later``); woken after each such batch commits, and swept periodically."""
    return consumers.dispatch_pending()
