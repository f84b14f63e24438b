"""Generated data for the program ROI (metrics.definitions.roi, the console's ROI page): two
programs, tiers, won deals in several currencies (one without a rate), MDF paid and not paid,
points inside and outside the range. The expected figures are worked out by hand in EXPECTED
(rates: USD 1, EUR 1.5, GBP 2; JPY has none)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from accounts.tests.factories import ChannelManagerFactory
from deals import services as deal_services
from deals.tests.factories import make_deal
from incentives.choices import MdfStatus
from incentives.models import Award, AwardRule, MdfAllocation, MdfRequest
from partners.choices import MemberRole, Region
from partners.tests.factories import MembershipFactory, PartnerFactory, ProgramFactory, TierFactory

RATES = {"USD": 1.0, "EUR": 1.5, "GBP": 2.0}
SINCE, UNTIL = date(2026, 4, 1), date(2026, 6, 30)
NOW = datetime(2026, 7, 2, 12, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class RoiWorld:
    alpha: object
    beta: object
    silver: object
    gold: object
    a: object  # Alpha, Gold
    b: object  # Alpha, Silver
    c: object  # Beta, no tier
    d: object  # Alpha, Gold, APAC
    manager: object


def won(partner, manager, *, currency: str, amount: str, closed: datetime, n: int):
    """A deal of ``partner`` registered, approved and won at ``closed`` (real services)."""
    member = partner.memberships.filter(role=MemberRole.ADMIN).first()
    with time_machine.travel(at(2026, 1, 5, 9), tick=False):
        deal = make_deal(
            user=member.user,
            submit=True,
            currency=currency,
            customer_domain=f"roi{partner.pk}-{n}.example",
            customer_name=f"Customer {partner.pk}-{n}",
        )
        deal = deal_services.deal_approve(deal=deal, actor=manager)
    return deal_services.deal_mark_won(
        deal=deal, actor=member.user, final_amount=Decimal(amount), at=closed
    )


def mdf(partner, *, currency: str, amount: str, status: str, decided: datetime | None):
    """An MDF request of ``partner`` in ``status``; a paid one's claim approved at ``decided``."""
    allocation, _ = MdfAllocation.objects.get_or_create(
        partner=partner,
        period=f"2026-{currency}",
        defaults={
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
            "currency": currency,
            "amount": Decimal("100000"),
        },
    )
    value = Decimal(amount)
    paid = status == MdfStatus.PAID
    MdfAllocation.objects.filter(pk=allocation.pk).update(
        committed=allocation.committed + value, paid=allocation.paid + (value if paid else 0)
    )
    allocation.refresh_from_db()
    member = partner.memberships.filter(role=MemberRole.ADMIN).first()
    return MdfRequest.objects.create(
        allocation=allocation,
        partner=partner,
        status=status,
        title="Webinar",
        description="A webinar series.",
        activity_starts_on=date(2026, 2, 1),
        activity_ends_on=date(2026, 2, 28),
        requested_amount=value,
        approved_amount=value,
        claimed_amount=value,
        requested_by=member.user,
        requested_at=at(2026, 1, 10),
        decided_at=at(2026, 1, 11),
        claimed_at=at(2026, 2, 28),
        claim_decided_at=decided,
    )


def points(partner, rule, *, points: int, occurred: datetime, event_id: int):
    return Award.objects.create(
        rule=rule,
        event_id=event_id,
        event_kind="deal.won",
        partner=partner,
        points=points,
        occurred_at=occurred,
    )


def build() -> RoiWorld:
    alpha = ProgramFactory(name="Roi Alpha", slug="roi-alpha")
    beta = ProgramFactory(name="Roi Beta", slug="roi-beta")
    silver = TierFactory(program=alpha, rank=1, name="Silver")
    gold = TierFactory(program=alpha, rank=2, name="Gold")
    manager = ChannelManagerFactory(email="roi-manager@vendor.example")

    def partner(name, program, tier, region=Region.EMEA):
        p = PartnerFactory(name=name, program=program, tier=tier, region=region, owner=manager)
        MembershipFactory(partner=p, role=MemberRole.ADMIN)
        return p

    a = partner("Aardvark IT", alpha, gold)
    b = partner("Badger Consulting", alpha, silver)
    c = partner("Coyote Cloud", beta, None)
    d = partner("Dingo Systems", alpha, gold, Region.APAC)

    # Won deals. Inside the range: its first instant and its last day.
    won(a, manager, currency="USD", amount="10000.00", closed=at(2026, 4, 1, 0, 0), n=1)
    won(a, manager, currency="EUR", amount="2000.00", closed=at(2026, 5, 10, 12), n=2)  # 3000
    won(a, manager, currency="USD", amount="5000.00", closed=at(2026, 3, 31, 23, 59, 59), n=3)
    won(b, manager, currency="GBP", amount="1000.00", closed=at(2026, 6, 30, 23, 59), n=1)  # 2000
    won(b, manager, currency="JPY", amount="100000.00", closed=at(2026, 6, 1), n=2)  # no rate
    won(b, manager, currency="USD", amount="7000.00", closed=at(2026, 7, 1, 0, 0), n=3)  # after
    won(c, manager, currency="USD", amount="4000.00", closed=at(2026, 5, 1), n=1)
    won(d, manager, currency="EUR", amount="1000.00", closed=at(2026, 5, 1), n=1)  # 1500
    # approved, never won: not revenue
    with time_machine.travel(at(2026, 1, 5, 9), tick=False):
        open_deal = make_deal(
            user=c.memberships.first().user,
            submit=True,
            currency="USD",
            customer_domain="open-deal.example",
        )
        deal_services.deal_approve(deal=open_deal, actor=manager)

    # MDF: paid in the range, paid before it, claimed but not paid, in EUR.
    mdf(a, currency="USD", amount="1000.00", status=MdfStatus.PAID, decided=at(2026, 5, 1))
    mdf(a, currency="USD", amount="300.00", status=MdfStatus.PAID, decided=at(2026, 3, 15))
    mdf(a, currency="USD", amount="500.00", status=MdfStatus.CLAIMED, decided=None)
    mdf(b, currency="EUR", amount="400.00", status=MdfStatus.PAID, decided=at(2026, 6, 15))  # 600
    mdf(d, currency="USD", amount="500.00", status=MdfStatus.PAID, decided=at(2026, 6, 1))

    rule = AwardRule.objects.create(name="Deal won", event_kind="deal.won", points=10)
    points(a, rule, points=50, occurred=at(2026, 5, 2), event_id=900001)
    points(a, rule, points=20, occurred=at(2026, 3, 1), event_id=900002)  # before
    points(b, rule, points=10, occurred=at(2026, 6, 30, 22), event_id=900003)
    return RoiWorld(alpha, beta, silver, gold, a, b, c, d, manager)


D = Decimal
# partner → (revenue, won deals, MDF paid, paid claims, points)
EXPECTED = {
    "a": (D("13000.00"), 2, D("1000.00"), 1, 50),
    "b": (D("2000.00"), 1, D("600.00"), 1, 10),
    "c": (D("4000.00"), 1, D("0"), 0, 0),
    "d": (D("1500.00"), 1, D("500.00"), 1, 0),
}
