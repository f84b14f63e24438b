"""Builders shared by the tier tests: a three-tier ladder and the data that meets it."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from deals import measures as deal_measures
from deals.choices import DealStatus
from deals.models import Deal
from enablement import measures as enablement_measures
from enablement.tests.factories import CertificateFactory, CertificationFactory, CourseFactory
from metrics import measures as metric_measures
from partners.choices import BenefitKind, BenefitPeriod, MemberRole, PartnerStatus
from partners.models import Tier, TierBenefit
from partners.tests.factories import MembershipFactory, PartnerFactory, ProgramFactory
from tiers import measures as tier_measures
from tiers.models import TierRequirement


class M:
    """The keys of the measures the apps register (``partners.measures``), as the tests name them."""

    CERTIFIED_USERS = enablement_measures.CERTIFIED_USERS
    COMPLETED_COURSES = enablement_measures.COMPLETED_COURSES
    WON_DEALS_12M = deal_measures.WON_DEALS_12M
    REVENUE_12M = deal_measures.REVENUE_12M
    ADOPTION_SCORE_90D = metric_measures.ADOPTION_SCORE_90D
    ACTIVE_USERS_30D = metric_measures.ACTIVE_USERS_30D
    ACTIVATED = tier_measures.ACTIVATED


T0 = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # a nightly run


@dataclass
class Ladder:
    program: object
    registered: Tier
    silver: Tier
    gold: Tier
    certification: object
    course: object


def build_ladder() -> Ladder:
    """Registered (no requirement) < Silver (2 certified people in the SE certification and
    $100k won) < Gold (3 certified people, $250k won, 3 won deals, activation done)."""
    program = ProgramFactory(name="Tiered", slug="tiered")
    registered = Tier.objects.create(program=program, rank=1, name="Registered")
    silver = Tier.objects.create(program=program, rank=2, name="Silver")
    gold = Tier.objects.create(program=program, rank=3, name="Gold")
    course = CourseFactory(title="Sales engineer essentials", slug="se-essentials")
    certification = CertificationFactory(name="Certified Sales Engineer", slug="cse")
    certification.courses.add(course)
    TierRequirement.objects.create(
        tier=silver, metric=M.CERTIFIED_USERS, subject_id=certification.pk, minimum=2
    )
    TierRequirement.objects.create(tier=silver, metric=M.REVENUE_12M, minimum=100_000)
    TierRequirement.objects.create(tier=gold, metric=M.CERTIFIED_USERS, minimum=3)
    TierRequirement.objects.create(tier=gold, metric=M.REVENUE_12M, minimum=250_000)
    TierRequirement.objects.create(tier=gold, metric=M.WON_DEALS_12M, minimum=3)
    TierRequirement.objects.create(tier=gold, metric=M.ACTIVATED, minimum=1)
    for tier, days, discount in ((registered, 60, 10), (silver, 90, 20), (gold, 120, 30)):
        TierBenefit.objects.create(
            tier=tier, kind=BenefitKind.DEAL_PROTECTION_DAYS, name="Deal protection", amount=days
        )
        TierBenefit.objects.create(
            tier=tier, kind=BenefitKind.DISCOUNT_PERCENT, name="Discount", amount=discount
        )
    TierBenefit.objects.create(tier=silver, kind=BenefitKind.MDF_ELIGIBLE, name="MDF")
    TierBenefit.objects.create(
        tier=gold,
        kind=BenefitKind.MDF_ALLOCATION,
        name="MDF",
        amount=Decimal("50000"),
        period=BenefitPeriod.YEAR,
    )
    return Ladder(program, registered, silver, gold, certification, course)


def active_partner(ladder: Ladder, *, tier=None, at=T0, **kwargs):
    joined = at - timedelta(days=400)
    return PartnerFactory(
        program=ladder.program,
        tier=tier or ladder.registered,
        status=PartnerStatus.ACTIVE,
        joined_at=joined,
        activated_at=joined + timedelta(days=20),
        **kwargs,
    )


def certify(partner, certification, n: int, *, at=T0):
    """``n`` people of ``partner`` with a valid certificate (an admin first)."""
    users = []
    for i in range(n):
        role = MemberRole.ADMIN if i == 0 else MemberRole.USER
        user = MembershipFactory(partner=partner, role=role).user
        CertificateFactory(
            certification=certification,
            user=user,
            partner=partner,
            earned_at=at - timedelta(days=10),
            expires_at=at + timedelta(days=355),
        )
        users.append(user)
    return users


def won(partner, amount, *, closed_at=T0 - timedelta(days=30), currency="USD", n: int = 1):
    creator = partner.memberships.first().user if partner.memberships.exists() else None
    if creator is None:
        creator = MembershipFactory(partner=partner, role=MemberRole.ADMIN).user
    for _ in range(n):
        Deal.objects.create(
            partner=partner,
            created_by=creator,
            status=DealStatus.WON,
            customer_name="Globex",
            currency=currency,
            amount=Decimal(amount),
            final_amount=Decimal(amount),
            closed_at=closed_at,
            submitted_at=closed_at - timedelta(days=40),
        )
