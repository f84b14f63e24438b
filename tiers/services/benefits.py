"""A tier's benefits, by kind (``partners.benefits`` applies them)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.setup_log import ADDED, CHANGED, DELETED, snapshot
from partners.choices import TYPED_BENEFIT_KINDS, BenefitKind
from partners.models import Tier, TierBenefit
from tiers.services.common import clean_text, log_change, require_editor

BENEFIT_FIELDS = ("tier", "kind", "name", "amount", "period", "value", "description", "position",
                  "translations")  # fmt: skip
MAX_PROTECTION_DAYS = 3650
MAX_MDF_AMOUNT = Decimal("999999999999.99")


# --- Benefits -----------------------------------------------------------------------------------


def _validate_benefit(benefit: TierBenefit) -> None:
    if benefit.kind not in BenefitKind.values:
        raise ValidationError({"kind": _("Choose one of the kinds on offer.")})
    amount = benefit.amount
    if benefit.kind in TYPED_BENEFIT_KINDS and amount is None:
        raise ValidationError({"amount": _("This kind of benefit needs an amount.")})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if benefit.kind == BenefitKind.DEAL_PROTECTION_DAYS and (
        amount != amount.to_integral_value() or not 1 <= amount <= MAX_PROTECTION_DAYS
    ):
        raise ValidationError(
            {"amount": _("Give whole days from 1 to %(n)s.") % {"n": MAX_PROTECTION_DAYS}}
        )
    if benefit.kind == BenefitKind.DISCOUNT_PERCENT and amount > 100:
        raise ValidationError({"amount": _("A discount is at most 100%.")})
    if benefit.kind == BenefitKind.MDF_ALLOCATION:
        if amount > MAX_MDF_AMOUNT:
            raise ValidationError({"amount": _("This amount is too large.")})
        if not benefit.period:
            raise ValidationError({"period": _("Say per which period the funds are allocated.")})
    elif benefit.period:
        raise ValidationError({"period": _("Only an MDF allocation has a period.")})
    if benefit.kind in (*TYPED_BENEFIT_KINDS, BenefitKind.MDF_ELIGIBLE):
        same = TierBenefit.objects.filter(tier_id=benefit.tier_id, kind=benefit.kind)
        if benefit.pk:
            same = same.exclude(pk=benefit.pk)
        if same.exists():
            raise ValidationError({"kind": _("This tier already has a benefit of this kind.")})
    try:
        benefit.full_clean(exclude=["tier"], validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _benefit(
    benefit, *, kind, name, amount, period, value, description, position, translations
) -> TierBenefit:
    benefit.kind = kind
    if translations is not None:
        benefit.translations = translations
    benefit.name = clean_text(name, field="name", max_length=120, required=True)
    benefit.amount = Decimal(amount) if amount is not None else None
    benefit.period = period or ""
    benefit.value = clean_text(value, field="value", max_length=120)
    benefit.description = clean_text(description, field="description", max_length=2000)
    if position is None or not 0 <= int(position) <= 1000:
        raise ValidationError({"position": _("Give a position from 0 to 1000.")})
    benefit.position = int(position)
    _validate_benefit(benefit)
    return benefit


@transaction.atomic
def benefit_create(
    *, actor, tier: Tier, kind: str, name: str, amount=None, period: str = "", value: str = "",
    description: str = "", position: int = 0, translations: dict | None = None,
) -> TierBenefit:  # fmt: skip
    """A new benefit of ``tier``. Deal protection days, discount percent and an MDF allocation
    (with its period) carry their number in ``amount`` and apply at once (``partners.benefits``);
    a tier holds each of those kinds once."""
    require_editor(actor)
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    benefit = _benefit(
        TierBenefit(tier=tier), kind=kind, name=name, amount=amount, period=period, value=value,
        description=description, position=position, translations=translations,
    )  # fmt: skip
    benefit.save()
    log_change(
        actor=actor, obj=benefit, action=ADDED, after=snapshot(benefit, BENEFIT_FIELDS),
        summary=_("Tier benefit added"),
    )  # fmt: skip
    return benefit


@transaction.atomic
def benefit_update(
    *, actor, benefit: TierBenefit, kind: str, name: str, amount=None, period: str = "",
    value: str = "", description: str = "", position: int = 0, translations: dict | None = None,
) -> TierBenefit:  # fmt: skip
    require_editor(actor)
    benefit = TierBenefit.objects.select_for_update().select_related("tier").get(pk=benefit.pk)
    before = snapshot(benefit, BENEFIT_FIELDS)
    _benefit(
        benefit, kind=kind, name=name, amount=amount, period=period, value=value,
        description=description, position=position, translations=translations,
    )  # fmt: skip
    benefit.save()
    log_change(
        actor=actor, obj=benefit, action=CHANGED, before=before,
        after=snapshot(benefit, BENEFIT_FIELDS), summary=_("Tier benefit changed"),
    )  # fmt: skip
    return benefit


@transaction.atomic
def benefit_delete(*, actor, benefit: TierBenefit) -> None:
    require_editor(actor)
    benefit = TierBenefit.objects.select_for_update().select_related("tier").get(pk=benefit.pk)
    log_change(
        actor=actor, obj=benefit, action=DELETED, before=snapshot(benefit, BENEFIT_FIELDS),
        summary=_("Tier benefit removed"),
    )  # fmt: skip
    benefit.delete()
