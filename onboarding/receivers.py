"""Onboarding listens to the event log: whichever app records an event (a course completed, a deal
registered, a colleague joined), matching checklist steps of that partner complete themselves.
No app imports onboarding to make this happen."""


def complete_steps_from_events(sender, events, **kwargs):
    from onboarding.services.checklists import checklists_start_for_events, events_apply

    checklists_start_for_events(events=events)
    events_apply(events=events)
