"""Deliveries from recorded events: the ``webhooks.deliveries`` consumer (``events.consumers``)
runs inside the recording transaction, in its own savepoint, with the new events of the kinds in
``KIND_TO_TYPE``; deliveries are created there (one per endpoint and event key, so a catch-up
makes none twice) and enqueued after commit."""

from webhooks.choices import KIND_TO_TYPE


def on_events_recorded(events) -> None:
    items = [(KIND_TO_TYPE[e.kind], e) for e in events if e.kind in KIND_TO_TYPE]
    if not items:
        return
    from webhooks.services import deliveries_create

    deliveries_create(items=items)
