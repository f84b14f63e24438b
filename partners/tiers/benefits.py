"""The benefits of a partner's current tier, typed so other apps can apply them."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from partners.choices import BenefitKind
from partners.models import TierBenefit


@dataclass(frozen=True)
class PartnerBenefits:
    """What the partner's tier gives. ``None``/``False`` when the tier does not grant it."""

    items: list[TierBenefit] = field(default_factory=list)  # everything, for display
    tier_name: str = ""
    deal_protection_days: int | None = None
    discount_percent: Decimal | None = None
    mdf_eligible: bool = False
    mdf_allocation: Decimal | None = None  # in ``currency``, per ``mdf_period``
    mdf_period: str = ""  # a BenefitPeriod value, or "" when not given
    currency: str = ""
    content_access: list[TierBenefit] = field(default_factory=list)


def benefits_for_tier(tier_id: int | None) -> PartnerBenefits:
    if tier_id is None:
        return PartnerBenefits(currency=settings.PRM_TIER_CURRENCY)
    items = list(
        TierBenefit.objects.filter(tier_id=tier_id)
        .select_related("tier")
        .order_by("position", "name")
    )
    by_kind = {b.kind: b for b in items}
    days = by_kind.get(BenefitKind.DEAL_PROTECTION_DAYS)
    discount = by_kind.get(BenefitKind.DISCOUNT_PERCENT)
    allocation = by_kind.get(BenefitKind.MDF_ALLOCATION)
    allocation_amount = allocation.amount if allocation is not None else None
    return PartnerBenefits(
        items=items,
        tier_name=items[0].tier.name if items else "",
        deal_protection_days=int(days.amount) if days is not None and days.amount else None,
        discount_percent=discount.amount if discount is not None else None,
        mdf_eligible=BenefitKind.MDF_ELIGIBLE in by_kind or bool(allocation_amount),
        mdf_allocation=allocation_amount,
        mdf_period=allocation.period if allocation is not None else "",
        currency=settings.PRM_TIER_CURRENCY,
        content_access=[b for b in items if b.kind == BenefitKind.CONTENT_ACCESS],
    )


def partner_benefits(partner) -> PartnerBenefits:
    """The typed benefits of ``partner``'s current tier (one query). The caller has already
    checked that the user may see this partner.

    Used by deals (protection days on approval, the discount on the registration pages), by
    incentives (``mdf_eligible`` and ``mdf_allocation`` per ``mdf_period``, money in
    ``currency`` = ``PRM_TIER_CURRENCY``) and by the partner home.
    """
    return benefits_for_tier(partner.tier_id)
