"""The benefits of a partner's current tier, typed so other apps can apply them."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from partners.choices import BenefitKind
from partners.models import TierBenefit

MDF_KINDS = (BenefitKind.MDF_ELIGIBLE, BenefitKind.MDF_ALLOCATION)


@dataclass(frozen=True)
class PartnerBenefits:
    """What the partner's tier gives. ``None``/``False`` when the tier does not grant it.

    ``mdf_eligible`` is ``None`` when no tier of the partner's program has an MDF benefit (the
    program does not gate funds by tier: the MDF allocation alone decides), else True/False.
    """

    items: list[TierBenefit] = field(default_factory=list)  # everything, for display
    tier_name: str = ""
    deal_protection_days: int | None = None
    discount_percent: Decimal | None = None
    mdf_eligible: bool | None = None
    mdf_allocation: Decimal | None = None  # in ``currency``, per ``mdf_period``
    mdf_period: str = ""  # a BenefitPeriod value, or "" when not given
    currency: str = ""
    content_access: list[TierBenefit] = field(default_factory=list)


def benefits_for_tier(tier_id: int | None, *, program_id: int | None = None) -> PartnerBenefits:
    """One query: the tier's benefits, plus the MDF benefits of the other tiers of ``program_id``
    (to tell "this tier has no MDF" from "this program does not gate MDF by tier")."""
    if tier_id is None:
        return PartnerBenefits(currency=settings.PRM_TIER_CURRENCY)
    scope = Q(tier_id=tier_id)
    if program_id is not None:
        scope |= Q(tier__program_id=program_id, kind__in=MDF_KINDS)
    rows = list(
        TierBenefit.objects.filter(scope).select_related("tier").order_by("position", "name")
    )
    items = [b for b in rows if b.tier_id == tier_id]
    program_gates_mdf = any(b.kind in MDF_KINDS for b in rows)
    by_kind = {b.kind: b for b in items}
    days = by_kind.get(BenefitKind.DEAL_PROTECTION_DAYS)
    discount = by_kind.get(BenefitKind.DISCOUNT_PERCENT)
    allocation = by_kind.get(BenefitKind.MDF_ALLOCATION)
    allocation_amount = allocation.amount if allocation is not None else None
    eligible = BenefitKind.MDF_ELIGIBLE in by_kind or bool(allocation_amount)
    return PartnerBenefits(
        items=items,
        tier_name=items[0].tier.name if items else "",
        deal_protection_days=int(days.amount) if days is not None and days.amount else None,
        discount_percent=discount.amount if discount is not None else None,
        mdf_eligible=eligible if program_gates_mdf or program_id is None else None,
        mdf_allocation=allocation_amount,
        mdf_period=allocation.period if allocation is not None else "",
        currency=settings.PRM_TIER_CURRENCY,
        content_access=[b for b in items if b.kind == BenefitKind.CONTENT_ACCESS],
    )


def partner_benefits(partner) -> PartnerBenefits:
    """The typed benefits of ``partner``'s current tier (one query). The caller has already
    checked that the user may see this partner.

    Used by deals (protection days on approval, the discount on the registration pages), by
    incentives (``mdf_eligible``: True/False, or None when the program does not gate MDF by
    tier; ``mdf_allocation`` per ``mdf_period``, money in ``currency`` = ``PRM_TIER_CURRENCY``)
    and by the partner home.
    """
    return benefits_for_tier(partner.tier_id, program_id=partner.program_id)
