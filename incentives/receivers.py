"""Awards follow the event log: whichever app records an event, matching rules award it here.
No app imports incentives to make this happen (registered in ``incentives.apps``)."""


def award_from_events(events) -> None:
    """Runs inside the recording transaction, in its own savepoint (``events.consumers``): a
    failure is logged and never undoes the event (a deal submitted stays submitted); the events
    are handed over again by ``events.consumers.consumers_catch_up``, and the watermark catch-up
    (``incentives.tasks.award_catch_up``) evaluates every event above it as well."""
    from incentives.services import awards_for_new_events

    awards_for_new_events(list(events))
