from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners import selectors
from partners.choices import BenefitKind, BenefitPeriod
from partners.models import TierBenefit
from tiers.models import TierRequirement
from tiers.tests.tiers_helpers import M, active_partner, build_ladder

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    return build_ladder()


def test_partner_benefits_are_typed_for_the_partners_current_tier(ladder):
    gold = selectors.partner_benefits(active_partner(ladder, tier=ladder.gold))
    silver = selectors.partner_benefits(active_partner(ladder, tier=ladder.silver))
    registered = selectors.partner_benefits(active_partner(ladder))

    assert (gold.deal_protection_days, gold.discount_percent) == (120, Decimal("30"))
    assert (gold.mdf_eligible, gold.mdf_allocation, gold.mdf_period, gold.currency) == (
        True,
        Decimal("50000"),
        BenefitPeriod.YEAR,
        "USD",
    )
    assert (silver.mdf_eligible, silver.mdf_allocation) == (True, None)
    assert (registered.mdf_eligible, registered.deal_protection_days) == (False, 60)
    assert gold.tier_name == "Gold"


def test_a_partner_without_a_tier_has_no_benefits(ladder):
    partner = active_partner(ladder)
    partner.tier = None

    benefits = selectors.partner_benefits(partner)

    assert (benefits.items, benefits.mdf_eligible, benefits.discount_percent) == ([], None, None)


def test_mdf_eligibility_is_undecided_when_no_tier_of_the_program_grants_mdf(world):
    """A program that does not gate funds by tier leaves the decision to the MDF allocation."""
    benefits = selectors.partner_benefits(world.partner_a)

    assert benefits.mdf_eligible is None


def test_benefit_text_is_derived_from_the_amount_unless_given(ladder):
    mdf = TierBenefit.objects.get(tier=ladder.gold, kind=BenefitKind.MDF_ALLOCATION)
    days = TierBenefit.objects.get(tier=ladder.gold, kind=BenefitKind.DEAL_PROTECTION_DAYS)

    assert (mdf.display_value, days.display_value) == ("$50,000 per year", "120 days")
    days.value = "Four months"
    assert str(days) == "Deal protection: Four months"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": BenefitKind.DISCOUNT_PERCENT, "amount": None}, "amount"),
        ({"kind": BenefitKind.DISCOUNT_PERCENT, "amount": Decimal("120")}, "amount"),
    ],
)
def test_a_typed_benefit_without_a_valid_amount_is_refused(ladder, fields, field):
    benefit = TierBenefit(tier=ladder.silver, name="Bad", **fields)

    with pytest.raises(ValidationError) as exc:
        benefit.full_clean()
    assert field in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        benefit.save()


def test_a_tier_holds_each_typed_benefit_once(ladder):
    with pytest.raises(IntegrityError), transaction.atomic():
        TierBenefit.objects.create(
            tier=ladder.silver, kind=BenefitKind.DISCOUNT_PERCENT, name="More", amount=5
        )


def test_a_certification_narrows_only_the_certified_people_requirement(ladder):
    requirement = TierRequirement(
        tier=ladder.gold, metric=M.WON_DEALS_12M, subject_id=ladder.certification.pk, minimum=1
    )

    with pytest.raises(ValidationError):
        requirement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        requirement.save()
