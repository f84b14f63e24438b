"""Reads of the checklist builder (``onboarding.builder`` writes): the template list with how many
partners are on each, a template's steps (its draft while there is one), the picker's choices,
what publishing would change and whom a migration would move. Vendor staff only (the views
check). Each function runs a fixed number of queries, whatever the data size."""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from events.choices import EventKind
from onboarding.builder import migrate_candidates
from onboarding.choices import StepKind, StepStatus
from onboarding.models import (
    Agreement,
    ChecklistStep,
    ChecklistTemplate,
    PartnerChecklist,
    StepDefinition,
)
from partners.readers import step_subject_choices

# The step kinds whose object is picked from a list, and the value prefix in the picker.
PICKED_KINDS = (StepKind.COURSE, StepKind.CERTIFICATION, StepKind.AGREEMENT)


def template_list():
    """Every template with its published step count, partners on it and partners mid-way
    (started, not completed). One query."""
    return (
        ChecklistTemplate.objects.select_related("program", "partner_type", "tier")
        .annotate(
            step_count=Count("steps", distinct=True),
            partner_count=Count("checklists", distinct=True),
            midway_count=Count(
                "checklists", filter=Q(checklists__completed_at__isnull=True), distinct=True
            ),
            behind_count=Count(
                "checklists",
                filter=Q(
                    checklists__completed_at__isnull=True,
                    checklists__version__lt=F("version"),
                ),
                distinct=True,
            ),
        )
        .order_by("name", "pk")
    )


def template_get(*, pk: int) -> ChecklistTemplate:
    template = (
        ChecklistTemplate.objects.select_related("program", "partner_type", "tier")
        .filter(pk=pk)
        .first()
    )
    if template is None:
        raise Http404("No such checklist template.")
    return template


def template_steps(*, template: ChecklistTemplate) -> list[StepDefinition]:
    """The steps the builder shows: the draft's while there is one, else the published ones."""
    if template.draft_changed_at is not None:
        return list(template.draft_steps.order_by("position", "pk"))
    return list(template.steps.order_by("position", "pk"))


def template_partner_counts(*, template: ChecklistTemplate) -> dict:
    """Partners on the template: all, mid-way (started, not completed) and mid-way on an older
    version (those a migration would move). One query."""
    return PartnerChecklist.objects.filter(template=template).aggregate(
        total=Count("pk"),
        midway=Count("pk", filter=Q(completed_at__isnull=True)),
        behind=Count("pk", filter=Q(completed_at__isnull=True, version__lt=template.version)),
    )


def audience_of(template: ChecklistTemplate) -> dict:
    return {
        "program_id": template.program_id,
        "partner_type_id": template.partner_type_id,
        "tier": template.tier,
    }


def subject_choices(*, template: ChecklistTemplate) -> dict[str, list[tuple[str, str]]]:
    """What a step of this template may name, per kind: the courses and certifications open to
    its partners (from the registry enablement fills) and every agreement version, as
    ``(value, label)`` with ids as values. Three queries."""
    audience = audience_of(template)
    choices = {}
    for kind in (StepKind.COURSE, StepKind.CERTIFICATION):
        if kind in step_subject_choices:
            lister = step_subject_choices.get(kind)
            choices[kind] = [(str(s.pk), s.name) for s in lister(audience=audience)]
        else:
            choices[kind] = []
    choices[StepKind.AGREEMENT] = [(str(a.pk), str(a)) for a in Agreement.objects.all()]
    return choices


def event_kind_choices() -> list[tuple[str, str]]:
    """The registry's event kinds (``events.choices.EventKind``), by label."""
    return sorted(
        ((value, f"{label} ({value})") for value, label in EventKind.choices),
        key=lambda c: c[1].lower(),
    )


def subject_label(step: StepDefinition, choices: dict) -> str:
    """The name of what a step names (its id when the picker no longer lists it), '' for any."""
    if not step.subject_id:
        return ""
    names = dict(choices.get(step.kind, []))
    return names.get(step.subject_id, f"#{step.subject_id}")


# --- Publishing: what changes ---------------------------------------------------------------------

_COMPARED = tuple(f for f in StepDefinition.DEFINITION_FIELDS if f != "position")


def publish_impact(*, template: ChecklistTemplate) -> dict:
    """What publishing the draft changes: steps added, removed and changed (by key), whether the
    order changed, and the partners on the template (all; mid-way). Three queries."""
    published = list(template.steps.order_by("position", "pk"))
    drafts = list(template.draft_steps.order_by("position", "pk"))
    old = {s.key: s for s in published}
    new = {s.key: s for s in drafts}
    changed = [
        s
        for s in drafts
        if s.key in old and any(getattr(s, f) != getattr(old[s.key], f) for f in _COMPARED)
    ]
    return {
        "added": [s for s in drafts if s.key not in old],
        "removed": [s for s in published if s.key not in new],
        "changed": changed,
        "reordered": [k for k in (s.key for s in published) if k in new]
        != [k for k in (s.key for s in drafts) if k in old],
        "partners": template_partner_counts(template=template),
        "steps": drafts,
    }


# --- Migrating: who moves, what they keep ---------------------------------------------------------


def migrate_preview(*, template: ChecklistTemplate, limit: int = 500) -> dict:
    """Per partner on an older version of ``template`` (not complete): the done steps it keeps
    (their key is in the new version), the steps it gets, the pending steps it loses and the
    done steps that stay as optional (the new version dropped them). Three queries."""
    checklists = list(
        migrate_candidates(template=template)
        .select_related("partner")
        .order_by("partner__name", "pk")[:limit]
    )
    steps_by_checklist: dict[int, list] = {c.pk: [] for c in checklists}
    for step in ChecklistStep.objects.filter(checklist__in=[c.pk for c in checklists]).only(
        "checklist_id", "key", "title", "status", "position"
    ):
        steps_by_checklist[step.checklist_id].append(step)
    target = list(template.steps.order_by("position", "pk"))
    target_keys = {s.key for s in target}
    rows = []
    for checklist in checklists:
        mine = {s.key: s for s in steps_by_checklist[checklist.pk]}
        rows.append(
            {
                "checklist": checklist,
                "partner": checklist.partner,
                "kept_done": [
                    s for k, s in mine.items() if k in target_keys and s.status == StepStatus.DONE
                ],
                "new": [s for s in target if s.key not in mine],
                "dropped": [
                    s
                    for k, s in mine.items()
                    if k not in target_keys and s.status != StepStatus.DONE
                ],
                "kept_optional": [
                    s
                    for k, s in mine.items()
                    if k not in target_keys and s.status == StepStatus.DONE
                ],
            }
        )
    return {"rows": rows, "total": migrate_candidates(template=template).count()}


# --- Preview as a partner -------------------------------------------------------------------------


def preview_steps(*, template: ChecklistTemplate, now=None) -> list[ChecklistStep]:
    """The steps a partner starting now would get, as unsaved checklist steps (due dates from
    now, all to do), to render like the partner's own checklist. One query."""
    now = now or timezone.now()
    return [
        ChecklistStep(
            due_at=now + timedelta(days=step.due_days),
            status=StepStatus.PENDING,
            **{name: getattr(step, name) for name in StepDefinition.DEFINITION_FIELDS},
        )
        for step in template.steps.order_by("position", "pk")
    ]
