"""Deliveries from recorded events: ``metrics.services.event_recorded`` fires inside the recording
transaction with the new events only; deliveries are created there and enqueued after commit."""

from webhooks.choices import KIND_TO_TYPE


def on_events_recorded(sender, events, **kwargs) -> None:
    items = [(KIND_TO_TYPE[e.kind], e) for e in events if e.kind in KIND_TO_TYPE]
    if not items:  # the common case (usage ingestion): no query at all
        return
    from webhooks.services import deliveries_create

    deliveries_create(items=items)
