"""Writes of business plans: keyword-only, atomic, refusing bad input with ValidationError keyed
by field and a move the plan's status does not allow with ``PlanError``. Who may act is checked
here too (``plans.permissions``), so every door (page, future API, task) gets the same rules.

Lifecycle: draft → submitted → approved (or sent back to draft). An approved plan is locked; a
change to it starts a new draft version (``plan_revise``) and the approved one stays in force
until the new one is approved, when it becomes superseded. Goal changes are written to the audit
trail (``kernel.setup_log``) and recorded as ``plan.goal_changed`` events; the other side hears
of submissions, approvals, send-backs and comments by email (``kernel.outbox``, which
notifications turns into notices).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventKind
from events.services import record_event
from kernel import outbox
from kernel.bounds import validate_business_date
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from kernel.text import clean_free_text
from partners.measures import measures
from partners.selectors import partner_admins_by_partner
from plans import periods
from plans.choices import CommitmentKind, InitiativeStatus, PlanStatus, Side
from plans.models import (
    COMMENT_MAX,
    NOTE_MAX,
    OPEN_STATUSES,
    TEXT_MAX,
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
    can_write_commitments,
    check,
    side_of,
)

TARGET_MAX = Decimal("1000000000000")  # a target above a trillion is a typo
GOAL_FIELDS = ("measure", "subject_id", "target", "text", "done")
GOALS_MAX = 30


class PlanError(Exception):
    """A move the plan's status does not allow (the view shows the message, 409)."""


# --- Validation -----------------------------------------------------------------------------------
def _text(value, *, field: str, maximum: int, required: bool = False) -> str:
    text = (
        " ".join(clean_free_text(value or "").split())
        if maximum <= TEXT_MAX
        else (clean_free_text(value or "").strip())
    )
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > maximum:
        raise ValidationError({field: _("Keep it under %(max)s characters.") % {"max": maximum}})
    return text


def _decimal(value, *, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or number <= 0 or number > TARGET_MAX:
        raise ValidationError({field: _("Enter a number above 0 and at most a trillion.")})
    return number.quantize(Decimal("0.01"))


def clean_goal(*, measure: str, subject_id, target, text: str) -> dict:
    """A measured goal (a registered measure, an optional subject it can be narrowed to, a target
    above 0 and within the measure's maximum) or a free-text goal (text, no measure, no target)."""
    measure = (measure or "").strip()
    text = _text(text, field="text", maximum=TEXT_MAX)
    if not measure:
        if not text:
            raise ValidationError({"text": _("Describe the goal, or pick a measure.")})
        return {"measure": "", "subject_id": None, "target": None, "text": text}
    if measure not in measures:
        raise ValidationError({"measure": _("Pick a measure from the list.")})
    definition = measures.get(measure)
    number = _decimal(target, field="target")
    if number is None:
        raise ValidationError({"target": _("Give a target for the period.")})
    if definition.maximum is not None and number > definition.maximum:
        raise ValidationError(
            {"target": _("This measure is at most %(max)s.") % {"max": definition.maximum}}
        )
    if subject_id in ("", None):
        subject_id = None
    else:
        if not definition.subject or definition.subjects is None:
            raise ValidationError({"subject_id": _("This measure cannot be narrowed.")})
        try:
            subject_id = int(subject_id)
        except (TypeError, ValueError):
            raise ValidationError({"subject_id": _("Pick one from the list.")}) from None
        if subject_id <= 0 or subject_id not in definition.subjects([subject_id]):
            raise ValidationError({"subject_id": _("Pick one from the list.")})
    return {"measure": measure, "subject_id": subject_id, "target": number, "text": text}


# --- Notices to the other side ----------------------------------------------------------------------
def _recipients(plan: BusinessPlan, side: str) -> list[str]:
    if side == Side.PARTNER:
        admins = partner_admins_by_partner(partner_ids=[plan.partner_id]).get(plan.partner_id, [])
        return [u.email for u in admins]
    owner = plan.partner.owner
    return [owner.email] if owner is not None and owner.is_active else []


def _tell_other_side(*, plan: BusinessPlan, actor, what: str, key: str, note: str = "") -> None:
    side = side_of(actor, plan.partner_id)
    other = Side.VENDOR if side == Side.PARTNER else Side.PARTNER
    url_name = "plans:manage_detail" if other == Side.VENDOR else "plans:detail"
    subjects = {
        "submitted": _("Business plan %(period)s submitted for approval (%(partner)s)"),
        "approved": _("Business plan %(period)s approved (%(partner)s)"),
        "returned": _("Business plan %(period)s sent back for changes (%(partner)s)"),
        "commented": _("New comment on business plan %(period)s (%(partner)s)"),
    }
    outbox.email_queue(
        key=key,
        to=_recipients(plan, other),
        subject=subjects[what] % {"period": plan.period.label, "partner": plan.partner.name},
        template="plans_plan_update",
        context={
            "what": what,
            "actor_name": actor.display_name,
            "partner_name": plan.partner.name,
            "period": plan.period.label,
            "version": plan.version,
            "note": note,
            "url": reverse(url_name, args=[plan.pk]),
        },
    )


def _locked(plan_id: int) -> BusinessPlan:
    return (
        BusinessPlan.objects.select_for_update(of=("self",))
        .select_related("partner__owner")
        .get(pk=plan_id)
    )


def _touch(plan: BusinessPlan) -> None:
    plan.updated_at = timezone.now()
    plan.save(update_fields=["updated_at"])


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


# --- Goals ----------------------------------------------------------------------------------------
def _goal_event(*, goal: Goal, plan: BusinessPlan, actor, change: str) -> None:
    now = timezone.now()
    record_event(
        kind=EventKind.PLAN_GOAL_CHANGED,
        key=f"plan.goal_changed:{goal.pk}:{change}:{now.isoformat()}",
        partner=plan.partner,
        user=actor,
        subject=plan,
        occurred_at=now,
        properties={"goal_id": goal.pk, "change": change, "measure": goal.measure},
    )


@transaction.atomic
def goal_add(*, actor, plan: BusinessPlan, measure: str = "", subject_id=None, target=None,
             text: str = "") -> Goal:  # fmt: skip
    plan = _locked(plan.pk)
    check(can_edit(actor, plan), _("Only a draft can be changed."))
    values = clean_goal(measure=measure, subject_id=subject_id, target=target, text=text)
    count = plan.goals.count()
    if count >= GOALS_MAX:
        raise ValidationError(
            {"measure": _("A plan has at most %(max)s goals.") % {"max": GOALS_MAX}}
        )
    goal = Goal.objects.create(plan=plan, position=count, **values)
    log_setup_change(actor=actor, obj=goal, action=ADDED, after=snapshot(goal, GOAL_FIELDS),
                     summary=_("Goal added to %(plan)s") % {"plan": plan})  # fmt: skip
    _goal_event(goal=goal, plan=plan, actor=actor, change="added")
    _touch(plan)
    return goal


@transaction.atomic
def goal_update(*, actor, goal: Goal, measure: str = "", subject_id=None, target=None,
                text: str = "") -> Goal:  # fmt: skip
    plan = _locked(goal.plan_id)
    check(can_edit(actor, plan), _("Only a draft can be changed."))
    goal = Goal.objects.get(pk=goal.pk, plan=plan)
    before = snapshot(goal, GOAL_FIELDS)
    for name, value in clean_goal(measure=measure, subject_id=subject_id, target=target,
                                  text=text).items():  # fmt: skip
        setattr(goal, name, value)
    goal.save()
    if log_setup_change(actor=actor, obj=goal, action=CHANGED, before=before,
                        after=snapshot(goal, GOAL_FIELDS),
                        summary=_("Goal changed in %(plan)s") % {"plan": plan}):  # fmt: skip
        _goal_event(goal=goal, plan=plan, actor=actor, change="changed")
        _touch(plan)
    return goal


@transaction.atomic
def goal_remove(*, actor, goal: Goal) -> None:
    plan = _locked(goal.plan_id)
    check(can_edit(actor, plan), _("Only a draft can be changed."))
    goal = Goal.objects.get(pk=goal.pk, plan=plan)
    log_setup_change(actor=actor, obj=goal, action=DELETED, before=snapshot(goal, GOAL_FIELDS),
                     summary=_("Goal removed from %(plan)s") % {"plan": plan})  # fmt: skip
    _goal_event(goal=goal, plan=plan, actor=actor, change="removed")
    goal.delete()
    _touch(plan)


@transaction.atomic
def goal_set_done(*, actor, goal: Goal, done: bool) -> Goal:
    """Tick a free-text goal done (or not): progress, not a change of the plan, so allowed on
    the approved plan too (not on a superseded one)."""
    plan = _locked(goal.plan_id)
    check(can_draft(actor, plan.partner_id) and plan.status != PlanStatus.SUPERSEDED)
    goal = Goal.objects.get(pk=goal.pk, plan=plan)
    if goal.is_measured:
        raise PlanError(_("A measured goal's progress comes from the data."))
    before = snapshot(goal, GOAL_FIELDS)
    goal.done = bool(done)
    goal.save(update_fields=["done"])
    if log_setup_change(actor=actor, obj=goal, action=CHANGED, before=before,
                        after=snapshot(goal, GOAL_FIELDS),
                        summary=_("Goal ticked in %(plan)s") % {"plan": plan}):  # fmt: skip
        _goal_event(goal=goal, plan=plan, actor=actor, change="done" if done else "undone")
    return goal


# --- Initiatives and commitments ------------------------------------------------------------------
@transaction.atomic
def initiative_add(*, actor, plan: BusinessPlan, title: str, owner_side: str, owner=None,
                   due_on: datetime.date | None = None,
                   status: str = InitiativeStatus.PLANNED) -> Initiative:  # fmt: skip
    plan = _locked(plan.pk)
    check(can_edit(actor, plan), _("Only a draft can be changed."))
    errors = {}
    title = _text(title, field="title", maximum=TEXT_MAX, required=True)
    if owner_side not in Side.values:
        errors["owner_side"] = _("Pick a side.")
    if status not in InitiativeStatus.values:
        errors["status"] = _("Pick a status.")
    if owner is not None and side_of(owner, plan.partner_id) != owner_side:
        errors["owner"] = _("The owner must be on the side chosen.")
    if due_on is not None:
        try:
            validate_business_date(due_on)
        except ValidationError as exc:
            errors["due_on"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    initiative = Initiative.objects.create(plan=plan, title=title, owner_side=owner_side,
                                           owner=owner, due_on=due_on, status=status)  # fmt: skip
    log_setup_change(actor=actor, obj=initiative, action=ADDED,
                     after=snapshot(initiative, ["title", "owner_side", "owner", "due_on", "status"]),
                     summary=_("Initiative added to %(plan)s") % {"plan": plan})  # fmt: skip
    _touch(plan)
    return initiative


@transaction.atomic
def initiative_set_status(*, actor, initiative: Initiative, status: str) -> Initiative:
    """Move an initiative along (planned, in progress, done, dropped): progress, not a change of
    the plan, so allowed on the approved plan too (not on a superseded one)."""
    plan = _locked(initiative.plan_id)
    check(can_draft(actor, plan.partner_id) and plan.status != PlanStatus.SUPERSEDED)
    if status not in InitiativeStatus.values:
        raise ValidationError({"status": _("Pick a status.")})
    initiative = Initiative.objects.get(pk=initiative.pk, plan=plan)
    before = snapshot(initiative, ["status"])
    initiative.status = status
    initiative.save(update_fields=["status"])
    log_setup_change(actor=actor, obj=initiative, action=CHANGED, before=before,
                     after=snapshot(initiative, ["status"]),
                     summary=_("Initiative moved in %(plan)s") % {"plan": plan})  # fmt: skip
    return initiative


@transaction.atomic
def initiative_remove(*, actor, initiative: Initiative) -> None:
    plan = _locked(initiative.plan_id)
    check(can_edit(actor, plan), _("Only a draft can be changed."))
    initiative = Initiative.objects.get(pk=initiative.pk, plan=plan)
    log_setup_change(actor=actor, obj=initiative, action=DELETED,
                     before=snapshot(initiative, ["title", "owner_side", "due_on", "status"]),
                     summary=_("Initiative removed from %(plan)s") % {"plan": plan})  # fmt: skip
    initiative.delete()
    _touch(plan)


@transaction.atomic
def commitment_add(*, actor, plan: BusinessPlan, kind: str, amount=None, sessions=None,
                   text: str = "") -> Commitment:  # fmt: skip
    plan = _locked(plan.pk)
    check(can_write_commitments(actor, plan), _("Vendor staff write the vendor's commitments."))
    text = _text(text, field="text", maximum=TEXT_MAX)
    if kind not in CommitmentKind.values:
        raise ValidationError({"kind": _("Pick a kind.")})
    values = {"amount": None, "sessions": None}
    if kind == CommitmentKind.MDF:
        values["amount"] = _decimal(amount, field="amount")
        if values["amount"] is None:
            raise ValidationError({"amount": _("Give the amount planned.")})
    elif kind == CommitmentKind.ENABLEMENT:
        try:
            values["sessions"] = int(sessions)
        except (TypeError, ValueError):
            raise ValidationError({"sessions": _("Give the number of sessions.")}) from None
        if not 1 <= values["sessions"] <= 500:
            raise ValidationError({"sessions": _("Give 1 to 500 sessions.")})
    elif not text:
        raise ValidationError({"text": _("Describe the commitment.")})
    commitment = Commitment.objects.create(plan=plan, kind=kind, text=text, **values)
    log_setup_change(actor=actor, obj=commitment, action=ADDED,
                     after=snapshot(commitment, ["kind", "amount", "sessions", "text"]),
                     summary=_("Vendor commitment added to %(plan)s") % {"plan": plan})  # fmt: skip
    _touch(plan)
    return commitment


@transaction.atomic
def commitment_remove(*, actor, commitment: Commitment) -> None:
    plan = _locked(commitment.plan_id)
    check(can_write_commitments(actor, plan), _("Vendor staff write the vendor's commitments."))
    commitment = Commitment.objects.get(pk=commitment.pk, plan=plan)
    log_setup_change(actor=actor, obj=commitment, action=DELETED,
                     before=snapshot(commitment, ["kind", "amount", "sessions", "text"]),
                     summary=_("Vendor commitment removed from %(plan)s") % {"plan": plan})  # fmt: skip
    commitment.delete()
    _touch(plan)
