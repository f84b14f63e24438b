"""Onboarding's facts for metric definitions, registered in ``partners.readers.readers`` from
``OnboardingConfig.ready()`` (the reader contract is in ``partners/readers.py``): metrics reads
checklist progress through these, never onboarding's models."""

from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding.choices import StepKind, StepStatus
from onboarding.models import ChecklistStep, TemplateDraftStep, TemplateStep
from partners.readers import (
    PartnerListFilter,
    certification_referrers,
    course_referrers,
    partner_list_filters,
    readers,
)


def step_funnel(*, partners) -> list[dict]:
    """Per checklist step ``key`` over the checklists of ``partners`` (versions add up): its
    ``title`` and ``position`` (the largest title and smallest position over versions), whether
    it is ``required`` in any version, and how many of the ``partners`` completed it
    (``partners``: distinct partners with the step done). Unordered. One grouped query.

    A partner has one checklist (one-to-one) and a checklist one step per key (unique), so the
    partners with a step done are its done rows: counted as rows, not as a distinct count (which
    sorts every step row of the cohort by key and partner)."""
    rows = (
        ChecklistStep.objects.filter(checklist__partner__in=partners)
        .order_by()
        .values("key")
        .annotate(
            partners=Count("pk", filter=Q(status=StepStatus.DONE)),
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


def _steps_naming(kind: str, pk: int) -> list[str]:
    """The checklist templates' steps of ``kind`` that name object ``pk``, and how many partners'
        own checklists (their copies of a template) still name it; a step of a template's unpublished
    draft (the checklist builder) counts too. Three queries."""
    lines = [
        _("Checklist “%(template)s” step “%(step)s”") % {"template": template, "step": title}
        for template, title in TemplateStep.objects.filter(kind=kind, subject_id=str(pk))
        .order_by("template__name", "position")
        .values_list("template__name", "title")
    ]
    drafts = (
        TemplateDraftStep.objects.filter(
            kind=kind, subject_id=str(pk), template__draft_changed_at__isnull=False
        )
        .order_by("template__name", "position")
        .values_list("template__name", "title")
    )
    lines += [
        _("Draft of checklist “%(template)s” step “%(step)s”")
        % {"template": template, "step": title}
        for template, title in drafts
    ]
    partners = (
        ChecklistStep.objects.filter(kind=kind, subject_id=str(pk))
        .values("checklist__partner")
        .distinct()
        .count()
    )
    if partners:
        lines.append(
            ngettext(
                "A step of %(n)s partner's checklist",
                "A step of %(n)s partners' checklists",
                partners,
            )
            % {"n": partners}
        )
    return lines


def steps_naming_course(pk: int) -> list[str]:
    """Reference reader (``partners.readers.course_referrers``): checklist steps that ask for the
    course."""
    return _steps_naming(StepKind.COURSE, pk)


def steps_naming_certification(pk: int) -> list[str]:
    """Reference reader (``partners.readers.certification_referrers``): checklist steps that ask
    for the certification."""
    return _steps_naming(StepKind.CERTIFICATION, pk)


def register() -> None:
    readers.register("onboarding.step_funnel", step_funnel)
    readers.register("onboarding.last_step_done", last_step_done)
    course_referrers.register("onboarding.checklist_steps", steps_naming_course)
    certification_referrers.register("onboarding.checklist_steps", steps_naming_certification)
    register_list_filters()


# --- The partner list's "activation step" filter (partners.readers.partner_list_filters) ---------
def _step_filter_choices() -> list[tuple[str, str]]:
    """The steps of the active checklist templates, by their stable key (a partner's snapshot
    keeps the key across template versions), titled as the template says. One query."""
    choices: dict[str, str] = {}
    rows = (
        TemplateStep.objects.filter(template__is_active=True)
        .order_by("title", "key")
        .values_list("key", "title")
    )
    for key, title in rows:
        choices.setdefault(key, title)
    return sorted(choices.items(), key=lambda item: item[1].lower())


def _step_filter_condition(*, value: str, state=None):
    """``state`` "done": partners whose checklist has step ``value`` done; "not": the others
    (the step still to do, or no such step on their checklist)."""
    done = Exists(
        ChecklistStep.objects.filter(
            checklist__partner=OuterRef("pk"), key=value, status=StepStatus.DONE
        )
    )
    return ~done if state == "not" else done


def register_list_filters() -> None:
    partner_list_filters.register(
        "step",
        PartnerListFilter(
            choices=_step_filter_choices,
            condition=_step_filter_condition,
            choice_models=("onboarding.templatestep", "onboarding.checklisttemplate"),
        ),
    )
