"""Plans: create, edit, submit, approve, send back, revise, comment (see ``plans.services``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventKind
from events.services import record_event
from kernel.setup_log import CHANGED, log_setup_change, snapshot
from plans import periods
from plans.choices import PlanStatus
from plans.models import (
    COMMENT_MAX,
    NOTE_MAX,
    OPEN_STATUSES,
    BusinessPlan,
    Comment,
    Commitment,
    Goal,
    Initiative,
)
from plans.permissions import (
    can_decide,
    can_draft,
    can_edit,
    check,
    side_of,
)
from plans.services._common import (
    PlanError,
    _locked,
    _tell_other_side,
    _text,
)


# --- Plans ----------------------------------------------------------------------------------------
@transaction.atomic
def plan_create(
    *, actor, partner, fiscal_year: int, quarter: int, summary: str = ""
) -> BusinessPlan:
    check(can_draft(actor, partner.pk))
    try:
        period = periods.period_of(int(fiscal_year), int(quarter))
    except (TypeError, ValueError):
        raise ValidationError({"period": _("Pick a period from the list.")}) from None
    if not 2000 <= period.fiscal_year <= 2100:
        raise ValidationError({"period": _("Pick a period from the list.")})
    existing = BusinessPlan.objects.filter(
        partner=partner, fiscal_year=period.fiscal_year, quarter=period.quarter
    )
    if existing.exists():
        raise ValidationError(
            {
                "period": _("%(partner)s already has a plan for %(period)s: open it instead.")
                % {"partner": partner.name, "period": period.label}
            }
        )
    try:
        with transaction.atomic():
            plan = BusinessPlan.objects.create(
                partner=partner,
                fiscal_year=period.fiscal_year,
                quarter=period.quarter,
                summary=_text(summary, field="summary", maximum=NOTE_MAX),
                created_by=actor,
            )
    except IntegrityError:  # a concurrent create of the same period won
        raise ValidationError({"period": _("A plan for this period was just created.")}) from None
    _record_created(plan, actor)
    return plan


def _record_created(plan: BusinessPlan, actor) -> None:
    record_event(
        kind=EventKind.PLAN_CREATED,
        key=f"plan.created:{plan.pk}",
        partner=plan.partner,
        user=actor,
        subject=plan,
        occurred_at=plan.created_at,
        properties={
            "fiscal_year": plan.fiscal_year,
            "quarter": plan.quarter,
            "version": plan.version,
        },
    )


@transaction.atomic
def plan_update(*, actor, plan: BusinessPlan, summary: str) -> BusinessPlan:
    plan = _locked(plan.pk)
    check(can_edit(actor, plan), _("Only a draft can be changed."))
    before = snapshot(plan, ["summary"])
    plan.summary = _text(summary, field="summary", maximum=NOTE_MAX)
    plan.updated_at = timezone.now()
    plan.save(update_fields=["summary", "updated_at"])
    log_setup_change(actor=actor, obj=plan, action=CHANGED, before=before,
                     after=snapshot(plan, ["summary"]), summary=_("Business plan edited"))  # fmt: skip
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: BusinessPlan) -> BusinessPlan:
    plan = _locked(plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise PlanError(_("Only a draft can be submitted."))
    check(can_edit(actor, plan))
    if not plan.goals.exists():
        raise PlanError(_("Add at least one goal before submitting the plan."))
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_by, plan.submitted_at = actor, timezone.now()
    plan.submitted_side = side_of(actor, plan.partner_id)
    plan.updated_at = plan.submitted_at
    plan.save(
        update_fields=["status", "submitted_by", "submitted_at", "submitted_side", "updated_at"]
    )
    record_event(
        kind=EventKind.PLAN_SUBMITTED,
        key=f"plan.submitted:{plan.pk}:{plan.submitted_at.isoformat()}",
        partner=plan.partner,
        user=actor,
        subject=plan,
        occurred_at=plan.submitted_at,
        properties={"version": plan.version, "side": plan.submitted_side},
    )
    _tell_other_side(plan=plan, actor=actor, what="submitted",
                     key=f"plans.submitted:{plan.pk}:{plan.submitted_at.isoformat()}")  # fmt: skip
    return plan


@transaction.atomic
def plan_approve(*, actor, plan: BusinessPlan) -> BusinessPlan:
    """Approve a submitted plan (the side that did not submit it). The version it revises, if
    still in force, is superseded in the same transaction."""
    plan = _locked(plan.pk)
    if plan.status != PlanStatus.SUBMITTED:
        raise PlanError(_("Only a submitted plan can be approved."))
    check(can_decide(actor, plan), _("The other side approves a plan."))
    BusinessPlan.objects.filter(
        partner_id=plan.partner_id, fiscal_year=plan.fiscal_year, quarter=plan.quarter,
        status=PlanStatus.APPROVED,
    ).update(status=PlanStatus.SUPERSEDED, updated_at=timezone.now())  # fmt: skip
    plan.status = PlanStatus.APPROVED
    plan.approved_by, plan.approved_at = actor, timezone.now()
    plan.updated_at = plan.approved_at
    plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    record_event(
        kind=EventKind.PLAN_APPROVED,
        key=f"plan.approved:{plan.pk}",
        partner=plan.partner,
        user=actor,
        subject=plan,
        occurred_at=plan.approved_at,
        properties={"version": plan.version, "goals": plan.goals.count()},
    )
    _tell_other_side(plan=plan, actor=actor, what="approved", key=f"plans.approved:{plan.pk}")
    return plan


@transaction.atomic
def plan_send_back(*, actor, plan: BusinessPlan, note: str = "") -> BusinessPlan:
    """Return a submitted plan to draft: the other side asks for changes (with a comment), or
    the submitter takes it back."""
    plan = _locked(plan.pk)
    if plan.status != PlanStatus.SUBMITTED:
        raise PlanError(_("Only a submitted plan can be sent back."))
    check(can_draft(actor, plan.partner_id))
    note = _text(note, field="note", maximum=COMMENT_MAX)
    if note:
        Comment.objects.create(plan=plan, author=actor, body=note)
    submitted_at = plan.submitted_at
    plan.status = PlanStatus.DRAFT
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "updated_at"])
    record_event(
        kind=EventKind.PLAN_SENT_BACK,
        key=f"plan.sent_back:{plan.pk}:{submitted_at.isoformat()}",
        partner=plan.partner,
        user=actor,
        subject=plan,
        occurred_at=plan.updated_at,
        properties={"version": plan.version, "side": side_of(actor, plan.partner_id) or ""},
    )
    if side_of(actor, plan.partner_id) != plan.submitted_side:
        _tell_other_side(plan=plan, actor=actor, what="returned", note=note,
                         key=f"plans.returned:{plan.pk}:{submitted_at.isoformat()}")  # fmt: skip
    return plan


@transaction.atomic
def plan_revise(*, actor, plan: BusinessPlan) -> BusinessPlan:
    """A new draft version of an approved plan, with its goals, initiatives and commitments
    copied; the approved one stays in force. The open version is returned if there is one."""
    plan = _locked(plan.pk)
    if plan.status != PlanStatus.APPROVED:
        raise PlanError(_("Only the approved plan can be revised."))
    check(can_draft(actor, plan.partner_id))
    same_period = BusinessPlan.objects.filter(
        partner_id=plan.partner_id, fiscal_year=plan.fiscal_year, quarter=plan.quarter
    )
    open_version = same_period.filter(status__in=OPEN_STATUSES).first()
    if open_version is not None:
        return open_version
    last = same_period.order_by("-version").values_list("version", flat=True).first()
    draft = BusinessPlan.objects.create(
        partner_id=plan.partner_id, fiscal_year=plan.fiscal_year, quarter=plan.quarter,
        version=last + 1, previous=plan, summary=plan.summary, created_by=actor,
    )  # fmt: skip
    Goal.objects.bulk_create(
        Goal(plan=draft, measure=g.measure, subject_id=g.subject_id, target=g.target,
             text=g.text, done=g.done, position=g.position)
        for g in plan.goals.all()
    )  # fmt: skip
    Initiative.objects.bulk_create(
        Initiative(plan=draft, title=i.title, owner_side=i.owner_side, owner_id=i.owner_id,
                   due_on=i.due_on, status=i.status)
        for i in plan.initiatives.all()
    )  # fmt: skip
    Commitment.objects.bulk_create(
        Commitment(plan=draft, kind=c.kind, amount=c.amount, sessions=c.sessions, text=c.text)
        for c in plan.commitments.all()
    )  # fmt: skip
    draft.partner = plan.partner
    _record_created(draft, actor)
    record_event(
        kind=EventKind.PLAN_REVISED,
        key=f"plan.revised:{draft.pk}",
        partner=plan.partner,
        user=actor,
        subject=draft,
        occurred_at=draft.created_at,
        properties={"previous": plan.pk, "version": draft.version},
    )
    return draft


@transaction.atomic
def comment_add(*, actor, plan: BusinessPlan, body: str) -> Comment:
    check(can_draft(actor, plan.partner_id), _("Partner admins and vendor staff comment."))
    body = _text(body, field="body", maximum=COMMENT_MAX, required=True)
    comment = Comment.objects.create(plan=plan, author=actor, body=body)
    plan = BusinessPlan.objects.select_related("partner__owner").get(pk=plan.pk)
    _tell_other_side(plan=plan, actor=actor, what="commented", note=body,
                     key=f"plans.comment:{comment.pk}")  # fmt: skip
    return comment
