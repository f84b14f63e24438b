"""A draft's contents: goals, initiatives, the vendor's commitments (see ``plans.services``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventKind
from events.services import record_event
from kernel.bounds import validate_business_date
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from plans.choices import CommitmentKind, InitiativeStatus, PlanStatus, Side
from plans.models import (
    TEXT_MAX,
    BusinessPlan,
    Commitment,
    Goal,
    Initiative,
)
from plans.permissions import (
    can_draft,
    can_edit,
    can_write_commitments,
    check,
    side_of,
)
from plans.services._common import (
    GOAL_FIELDS,
    GOALS_MAX,
    PlanError,
    _decimal,
    _locked,
    _text,
    _touch,
    clean_goal,
)


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
    values = clean_goal(
        measure=measure, subject_id=subject_id, target=target, text=text, partner=plan.partner
    )
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
                                  text=text, partner=plan.partner).items():  # fmt: skip
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
