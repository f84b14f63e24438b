"""What the plan services share: validation, the row lock, notices to the other side."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import outbox
from kernel.text import clean_free_text
from partners.measures import measures
from partners.selectors import partner_admins_by_partner
from plans.choices import Side
from plans.models import (
    TEXT_MAX,
    BusinessPlan,
)
from plans.permissions import (
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


def clean_goal(*, measure: str, subject_id, target, text: str, partner=None) -> dict:
    """A measured goal (a registered measure, an optional subject it can be narrowed to, a target
    above 0 and within the measure's maximum) or a free-text goal (text, no measure, no target).
    A measure that needs a subject (an offering) gets one, and one open to ``partner`` when the
    measure says which are (``subject_choices_for``: its program's offerings)."""
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
        if definition.subject_required:
            raise ValidationError(
                {"subject_id": _("Pick the %(subject)s this goal is about.")
                 % {"subject": definition.subject}}
            )  # fmt: skip
    else:
        if not definition.subject or definition.subjects is None:
            raise ValidationError({"subject_id": _("This measure cannot be narrowed.")})
        try:
            subject_id = int(subject_id)
        except (TypeError, ValueError):
            raise ValidationError({"subject_id": _("Pick one from the list.")}) from None
        if subject_id <= 0 or subject_id not in definition.subjects([subject_id]):
            raise ValidationError({"subject_id": _("Pick one from the list.")})
        open_to = definition.subject_choices_for
        if partner is not None and open_to is not None and subject_id not in dict(open_to(partner)):
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
        subject=lambda: (
            subjects[what] % {"period": plan.period.label, "partner": plan.partner.name}
        ),
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
