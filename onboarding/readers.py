"""Onboarding's facts for metric definitions, registered in ``partners.readers.readers`` from
``OnboardingConfig.ready()`` (the reader contract is in ``partners/readers.py``): metrics reads
checklist progress through these, never onboarding's models."""

from django.db.models import Count, Max, Min, Q

from onboarding.choices import StepStatus
from onboarding.models import ChecklistStep
from partners.readers import readers


def step_funnel(*, partners) -> list[dict]:
    """Per checklist step ``key`` over the checklists of ``partners`` (versions add up): its
    ``title`` and ``position`` (the largest title and smallest position over versions), whether
    it is ``required`` in any version, and how many of the ``partners`` completed it
    (``partners``: distinct partners with the step done). Unordered. One grouped query."""
    rows = (
        ChecklistStep.objects.filter(checklist__partner__in=partners)
        .order_by()
        .values("key")
        .annotate(
            partners=Count("checklist__partner", distinct=True, filter=Q(status=StepStatus.DONE)),
            title=Max("title"),
            position=Min("position"),
            required=Count("pk", filter=Q(required=True)),
        )
    )
    return [{**row, "required": row["required"] > 0} for row in rows]


def last_step_done(*, partners) -> dict[int, object]:
    """``{partner id: when its last checklist step was completed}`` for the ``partners`` with a
    completed step (none completed: not in the dict). One grouped query."""
    return dict(
        ChecklistStep.objects.filter(
            checklist__partner__in=partners, status=StepStatus.DONE, completed_at__isnull=False
        )
        .order_by()
        .values("checklist__partner_id")
        .annotate(last=Max("completed_at"))
        .values_list("checklist__partner_id", "last")
    )


def register() -> None:
    readers.register("onboarding.step_funnel", step_funnel)
    readers.register("onboarding.last_step_done", last_step_done)
