"""Writes for onboarding, one function per transition; each records its event.

Split by area: ``applications`` (the public form and its review), ``checklists`` (templates,
per-partner checklists, steps, activation, agreement, documents), ``followup`` (reminders, stalls,
the survey). Import from here: ``from onboarding import services``.
"""

from onboarding.services.applications import (
    application_approve,
    application_reject,
    application_submit,
    owner_pick,
)
from onboarding.services.base import OnboardingError
from onboarding.services.checklists import (
    agreement_accept,
    checklist_migrate,
    checklist_start,
    document_upload,
    events_apply,
    step_complete,
    step_verify,
    template_bump_version,
)
from onboarding.services.followup import (
    reminders_send,
    stalls_flag,
    survey_answer,
    survey_send,
)

__all__ = [
    "OnboardingError",
    "agreement_accept",
    "application_approve",
    "application_reject",
    "application_submit",
    "checklist_migrate",
    "checklist_start",
    "document_upload",
    "events_apply",
    "owner_pick",
    "reminders_send",
    "stalls_flag",
    "step_complete",
    "step_verify",
    "survey_answer",
    "survey_send",
    "template_bump_version",
]
