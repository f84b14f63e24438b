"""Program ROI (metrics.definitions.roi) on generated data: every figure per program, tier and
partner equals the value worked out by hand (console/tests/roi_data.py), the range's bounds, the
filters, excluded currencies and the query count."""

from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from console.tests import roi_data
from console.tests.roi_data import EXPECTED, RATES, SINCE, UNTIL
from metrics import definitions as d
from partners.choices import Region

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def rates():
    with override_settings(PRM_TIER_CURRENCY="USD", PRM_TIER_FX_RATES=RATES):
        yield


@pytest.fixture
def rw():
    with time_machine.travel(roi_data.NOW, tick=False):
        return roi_data.build()


def figures(f: d.RoiFigures):
    return (f.revenue, f.won_deals, f.mdf_paid, f.mdf_claims, f.points)


def test_every_partner_figure_is_the_hand_computed_one(rw):
    result = d.program_roi(since=SINCE, until=UNTIL, top=None)
    by_name = {r.name: r for r in result.partners}
    for key, expected in EXPECTED.items():
        partner = getattr(rw, key)
        assert figures(by_name[partner.name].figures) == expected, key
    assert result.currency == "USD"
    assert [r.name for r in result.partners] == [
        "Aardvark IT",  # 13000
        "Coyote Cloud",  # 4000
        "Badger Consulting",  # 2000
        "Dingo Systems",  # 1500
    ]


def test_roi_and_multiple_follow_the_formula_and_are_none_without_cost(rw):
    result = d.program_roi(since=SINCE, until=UNTIL, top=None)
    rows = {r.name: r.figures for r in result.partners}
    a, b, c = rows["Aardvark IT"], rows["Badger Consulting"], rows["Coyote Cloud"]
    assert (a.cost, a.roi, a.multiple) == (D("1000.00"), D("12.0000"), D("13.0000"))
    # (2000 - 600) / 600 and 2000 / 600
    assert (b.roi, b.multiple) == (D("2.3333"), D("3.3333"))
    assert (c.cost, c.roi, c.multiple) == (D("0"), None, None)
    total = result.total
    assert figures(total) == (D("20500.00"), 5, D("2100.00"), 3, 60)
    assert total.partners == 4
    # (20500 - 2100) / 2100 = 8.76190…, 20500 / 2100 = 9.76190…
    assert (total.roi, total.multiple) == (D("8.7619"), D("9.7619"))


def test_programs_and_tiers_add_up_their_partners(rw):
    result = d.program_roi(since=SINCE, until=UNTIL)
    programs = {r.name: r.figures for r in result.programs}
    assert [r.name for r in result.programs] == ["Roi Alpha", "Roi Beta"]
    assert figures(programs["Roi Alpha"]) == (D("16500.00"), 4, D("2100.00"), 3, 60)
    assert programs["Roi Alpha"].partners == 3
    assert figures(programs["Roi Beta"]) == (D("4000.00"), 1, D("0"), 0, 0)
    tiers = [(r.program_name, r.name, r.pk, figures(r.figures)) for r in result.tiers]
    assert tiers == [
        ("Roi Alpha", "Silver", rw.silver.pk, (D("2000.00"), 1, D("600.00"), 1, 10)),
        ("Roi Alpha", "Gold", rw.gold.pk, (D("14500.00"), 3, D("1500.00"), 2, 50)),
        ("Roi Beta", "", None, (D("4000.00"), 1, D("0"), 0, 0)),
    ]
    assert result.tiers[2].program_id == rw.beta.pk


def test_a_currency_without_a_rate_is_excluded_and_counted_never_summed(rw):
    result = d.program_roi(since=SINCE, until=UNTIL)
    assert result.excluded == [d.Excluded("deals", "JPY", 1, D("100000.00"))]
    # an MDF claim in a currency without a rate is excluded the same way
    with override_settings(PRM_TIER_FX_RATES={"USD": 1.0, "GBP": 2.0}):
        no_eur = d.program_roi(since=SINCE, until=UNTIL)
    assert no_eur.excluded == [
        d.Excluded("deals", "EUR", 2, D("3000.00")),
        d.Excluded("deals", "JPY", 1, D("100000.00")),
        d.Excluded("mdf", "EUR", 1, D("400.00")),
    ]
    assert no_eur.total.revenue == D("16000.00")  # 10000 + 2000 (GBP) + 4000
    assert no_eur.total.mdf_paid == D("1500.00")


def test_top_partners_are_listed_and_the_rest_counted(rw):
    result = d.program_roi(since=SINCE, until=UNTIL, top=2)
    assert [r.name for r in result.partners] == ["Aardvark IT", "Coyote Cloud"]
    assert result.rest.partners == 2
    assert (result.rest.revenue, result.rest.mdf_paid) == (D("3500.00"), D("1100.00"))
    assert result.total.revenue == sum(r.figures.revenue for r in result.partners) + D("3500.00")


def test_the_range_includes_its_first_instant_and_its_whole_last_day(rw):
    # 1 April 00:00 is in; 31 March 23:59:59 is not; 30 June 23:59 is in; 1 July 00:00 is not.
    only_march = d.program_roi(
        since=SINCE.replace(month=3, day=31), until=SINCE.replace(month=3, day=31)
    )
    assert figures(only_march.total) == (D("5000.00"), 1, D("0"), 0, 0)
    first_day = d.program_roi(since=SINCE, until=SINCE)
    assert figures(first_day.total) == (D("10000.00"), 1, D("0"), 0, 0)
    last_day = d.program_roi(since=UNTIL, until=UNTIL)
    assert figures(last_day.total) == (D("2000.00"), 1, D("0"), 0, 10)
    july = d.program_roi(since=UNTIL.replace(month=7, day=1), until=UNTIL.replace(month=7, day=1))
    assert figures(july.total) == (D("7000.00"), 1, D("0"), 0, 0)


def test_the_dashboard_filters_narrow_every_figure(rw):
    apac = d.program_roi(since=SINCE, until=UNTIL, region=Region.APAC)
    assert [r.name for r in apac.partners] == ["Dingo Systems"]
    assert figures(apac.total) == EXPECTED["d"]
    gold = d.program_roi(since=SINCE, until=UNTIL, tier=rw.gold)
    assert figures(gold.total) == (D("14500.00"), 3, D("1500.00"), 2, 50)
    assert [r.name for r in gold.tiers] == ["Gold"]
    beta = d.program_roi(since=SINCE, until=UNTIL, program=rw.beta.pk)
    assert figures(beta.total) == EXPECTED["c"]
    assert beta.excluded == []
    nobody = d.program_roi(since=SINCE, until=UNTIL, owner=rw.a.pk * 1000)
    assert (nobody.partners, nobody.programs, nobody.total.revenue) == ([], [], 0)


def test_the_metric_runs_five_queries_whatever_the_number_of_partners(
    rw, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        d.program_roi(since=SINCE, until=UNTIL)
