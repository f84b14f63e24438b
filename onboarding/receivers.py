"""Onboarding listens to the event log: whichever app records an event (a course completed, a deal
registered, a colleague joined), matching checklist steps of that partner complete themselves.
No app imports onboarding to make this happen (registered in ``onboarding.apps``)."""


def complete_steps_from_events(events) -> None:
    """Runs inside the recording transaction, in its own savepoint (``events.consumers``), so a
    step completes atomically with the action that completed it; a failure is logged and the
    events are handed over again by the catch-up (both calls below are safe to repeat)."""
    from onboarding.services.checklists import checklists_start_for_events, events_apply

    checklists_start_for_events(events=events)
    events_apply(events=events)
