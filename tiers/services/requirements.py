"""A tier's requirements: at least a minimum of a registered measure."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.setup_log import ADDED, CHANGED, DELETED, snapshot
from partners.measures import Unit, number_text
from partners.models import Tier
from tiers.models import TierRequirement
from tiers.services.common import clean_text, log_change, require_editor

REQUIREMENT_FIELDS = ("tier", "metric", "subject_id", "minimum", "note")
MAX_MINIMUM = Decimal("999999999999.99")  # what the column holds (14 digits, 2 decimals)


# --- Requirements -------------------------------------------------------------------------------


def _validate_requirement(requirement: TierRequirement) -> None:
    """Every rule of a requirement, each on its field; raises the first field's errors."""
    measure = requirement.measure
    if measure is None:
        raise ValidationError({"metric": _("Choose one of the measures on offer.")})
    if requirement.subject_id and not measure.subject:
        raise ValidationError(
            {"metric": _("%(measure)s counts everything: it cannot be narrowed.")
             % {"measure": measure.label}}
        )  # fmt: skip
    if requirement.subject_id:
        found = measure.subjects([requirement.subject_id]) if measure.subjects else {}
        if requirement.subject_id not in found:
            raise ValidationError(
                {measure.subject: _("Choose one of the %(subject)s options on offer.")
                 % {"subject": measure.subject}}
            )  # fmt: skip
    minimum = requirement.minimum
    if minimum is None:
        raise ValidationError({"minimum": _("Give the minimum a partner must reach.")})
    if minimum < 0 or minimum > MAX_MINIMUM:
        raise ValidationError(
            {"minimum": _("Give a minimum from 0 to %(max)s.") % {"max": number_text(MAX_MINIMUM)}}
        )
    if measure.unit in (Unit.COUNT, Unit.FLAG) and minimum != minimum.to_integral_value():
        raise ValidationError({"minimum": _("%(measure)s is counted in whole numbers.")
                               % {"measure": measure.label}})  # fmt: skip
    if minimum == 0:
        raise ValidationError(
            {"minimum": _("A minimum of 0 is met by every partner: give a higher one.")}
        )
    if measure.maximum is not None and minimum > measure.maximum:
        raise ValidationError(
            {"minimum": _("%(measure)s is at most %(max)s.")
             % {"measure": measure.label, "max": number_text(measure.maximum)}}
        )  # fmt: skip
    same = TierRequirement.objects.filter(tier_id=requirement.tier_id, metric=requirement.metric)
    if requirement.pk:
        same = same.exclude(pk=requirement.pk)
    if requirement.subject_id:
        if same.filter(subject_id=requirement.subject_id).exists():
            raise ValidationError(
                {measure.subject: _("This tier already asks for this %(subject)s.")
                 % {"subject": measure.subject}}
            )  # fmt: skip
    elif same.filter(subject_id__isnull=True).exists():
        raise ValidationError({"metric": _("This tier already has a requirement on this measure.")})
    errors = requirement.unreachable_errors()
    if errors:
        raise ValidationError(errors)
    requirement.full_clean(exclude=["tier"], validate_constraints=False)


def _requirement(requirement, *, metric, minimum, subject_id, note) -> TierRequirement:
    requirement.metric = (metric or "").strip()
    requirement.minimum = Decimal(minimum) if minimum is not None else None
    requirement.subject_id = subject_id or None
    requirement.note = clean_text(note, field="note", max_length=200)
    _validate_requirement(requirement)
    return requirement


@transaction.atomic
def requirement_create(
    *, actor, tier: Tier, metric: str, minimum, subject_id: int | None = None, note: str = ""
) -> TierRequirement:
    """A new requirement of ``tier``: at least ``minimum`` of the registered measure ``metric``
    (narrowed to ``subject_id`` for a measure that takes a subject)."""
    require_editor(actor)
    tier = Tier.objects.select_for_update().select_related("program").get(pk=tier.pk)
    requirement = _requirement(
        TierRequirement(tier=tier), metric=metric, minimum=minimum, subject_id=subject_id,
        note=note,
    )  # fmt: skip
    requirement.save()
    log_change(
        actor=actor, obj=requirement, action=ADDED,
        after=snapshot(requirement, REQUIREMENT_FIELDS), summary=_("Tier requirement added"),
    )  # fmt: skip
    return requirement


@transaction.atomic
def requirement_update(
    *, actor, requirement: TierRequirement, metric: str, minimum, subject_id: int | None = None,
    note: str = "",
) -> TierRequirement:  # fmt: skip
    require_editor(actor)
    requirement = (
        TierRequirement.objects.select_for_update()
        .select_related("tier", "tier__program")
        .get(pk=requirement.pk)
    )
    before = snapshot(requirement, REQUIREMENT_FIELDS)
    _requirement(requirement, metric=metric, minimum=minimum, subject_id=subject_id, note=note)
    requirement.save()
    log_change(
        actor=actor, obj=requirement, action=CHANGED, before=before,
        after=snapshot(requirement, REQUIREMENT_FIELDS), summary=_("Tier requirement changed"),
    )  # fmt: skip
    return requirement


@transaction.atomic
def requirement_delete(*, actor, requirement: TierRequirement) -> None:
    require_editor(actor)
    requirement = (
        TierRequirement.objects.select_for_update().select_related("tier").get(pk=requirement.pk)
    )
    log_change(
        actor=actor, obj=requirement, action=DELETED,
        before=snapshot(requirement, REQUIREMENT_FIELDS), summary=_("Tier requirement removed"),
    )  # fmt: skip
    requirement.delete()
