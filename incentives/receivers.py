"""Awards follow the event log: whichever app records an event, matching rules award it here.
No app imports incentives to make this happen."""

import logging

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)


def award_from_events(sender, events, **kwargs):
    """Runs inside the recording transaction. A failure here must not undo the event (a deal
    submitted must stay submitted), so the work runs in a savepoint and errors are logged; the
    catch-up task (incentives.tasks.award_catch_up) evaluates the event again later."""
    from incentives.services import awards_for_new_events

    try:
        with transaction.atomic():
            awards_for_new_events(list(events))
    except (DatabaseError, ValueError):
        logger.exception(
            "awarding points from %d events failed; the catch-up will retry", len(events)
        )
