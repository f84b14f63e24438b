"""Domain rows the metrics read besides the summaries: checklist steps and registered deals."""

from datetime import UTC, date, datetime, timedelta

import time_machine

from deals.tests.factories import make_deal
from onboarding.choices import StepKind, StepStatus
from onboarding.models import ChecklistStep, PartnerChecklist
from partners.choices import MemberRole
from partners.tests.factories import MembershipFactory


def checklist(partner, steps, *, started: date | None = None) -> PartnerChecklist:
    """A checklist for ``partner`` with ``steps``: (key, title, position, required, done_on or
    None). Rows are written directly: the metric reads them, whatever service made them."""
    start = datetime.combine(started or partner.joined_at.date(), datetime.min.time(), UTC)
    checklist = PartnerChecklist.objects.create(
        partner=partner, template_name="Standard", version=1, started_at=start
    )
    for key, title, position, required, done_on in steps:
        done_at = None if done_on is None else datetime(*done_on.timetuple()[:3], 12, tzinfo=UTC)
        ChecklistStep.objects.create(
            checklist=checklist,
            key=key,
            title=title,
            position=position,
            required=required,
            kind=StepKind.CUSTOM,
            due_at=start + timedelta(days=30),
            status=StepStatus.DONE if done_at else StepStatus.PENDING,
            completed_at=done_at,
        )
    return checklist


def deal_submitted(partner, day: date, *, hour: int = 9, **details):
    """A deal of ``partner`` registered (submitted) at ``day`` ``hour``:00 UTC, through the real
    deal services."""
    member = partner.memberships.filter(role=MemberRole.ADMIN).first() or MembershipFactory(
        partner=partner, role=MemberRole.ADMIN
    )
    with time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False):
        return make_deal(user=member.user, submit=True, **details)
