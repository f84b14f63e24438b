"""The scorecard: goals with pace, tier requirements and anonymous program benchmarks."""

import datetime
from datetime import UTC
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.choices import PartnerStatus
from partners.models import Tier
from partners.tests.factories import PartnerFactory
from plans.scorecard import percentile_rank, scorecard_for_partner
from plans.tests.factories import approved_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db


def test_percentile_counts_peers_below_and_ties_as_half():
    values = [Decimal(v) for v in (0, 1, 2, 3)]
    assert percentile_rank(Decimal(2), values) == 63  # 2 below + 1 tie / 2 = 2.5 of 4
    assert percentile_rank(Decimal(10), values) == 100
    assert percentile_rank(Decimal(-1), values) == 0
    assert percentile_rank(Decimal(1), []) is None


def _peers(world, deals_each, tiers=None):
    joined = timezone.now() - datetime.timedelta(days=400)
    names = []
    for i, n in enumerate(deals_each):
        peer = PartnerFactory(
            program=world.partner_a.program, name=f"Peer Nine {i}",
            tier=(tiers[i] if tiers else world.partner_a.tier),
            status=PartnerStatus.ACTIVE, joined_at=joined, activated_at=joined,
        )  # fmt: skip
        if n:
            won(peer, 100, closed_at=datetime.datetime(timezone.now().year, 1, 2, tzinfo=UTC), n=n)
        names.append(peer.name)
    return names


def test_the_goal_stands_among_its_program_peers_without_naming_them(client_as, world):
    year = timezone.localdate().year
    approved_plan(partner_admin=world.users["partner_a_admin"], manager=world.users["manager_owner"],
                  partner=world.partner_a, fiscal_year=year,
                  goals=[{"measure": M.WON_DEALS_12M, "target": "10"}, {"text": "Webinar"}])  # fmt: skip
    won(world.partner_a, 100, closed_at=datetime.datetime(year, 1, 3, tzinfo=UTC), n=2)
    silver = Tier.objects.get(program=world.partner_a.program, rank=2)
    names = _peers(
        world, [0, 1, 3, 5], tiers=[world.partner_a.tier, silver, world.partner_a.tier, silver]
    )

    card = scorecard_for_partner(partner=world.partner_a)
    row = card.rows[0]
    assert row.progress.actual == 2
    assert (row.benchmark.percentile, row.benchmark.median, row.benchmark.peers) == (
        50,
        Decimal(2),
        4,
    )
    assert card.rows[1].benchmark is None  # a free-text goal has no benchmark

    page = client_as("partner_a_user").get(reverse("plans:scorecard"))
    html = page.content.decode()
    assert page.status_code == 200 and "Program percentile" in html
    assert not any(name in html for name in names)
    assert 'media="print"' in html and "data-print" in html


def test_the_scorecard_holds_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    year = timezone.localdate().year
    goals = [{"measure": M.WON_DEALS_12M, "target": "10"}, {"measure": M.REVENUE_12M, "target": "900"},
             {"measure": M.COMPLETED_COURSES, "target": "3"}, {"text": "Webinar"}]  # fmt: skip
    approved_plan(partner_admin=world.users["partner_a_admin"], manager=world.users["manager_owner"],
                  partner=world.partner_a, fiscal_year=year, goals=goals)  # fmt: skip
    _peers(world, [1, 2, 3, 4, 5, 6])
    client = client_as("manager_other")
    with django_assert_max_num_queries(24):
        page = client.get(reverse("plans:manage_scorecard", args=[world.partner_a.pk]))
    assert page.status_code == 200
