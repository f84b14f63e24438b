"""Fiscal periods and the progress of measured goals: a goal's actual is the tier measure for the
plan's period (docs/metrics.md "Business plan progress")."""

import datetime
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from plans import periods
from plans.progress import progress_for_plans
from plans.selectors import plan_get_for_user
from plans.tests.factories import draft_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db


def test_a_calendar_fiscal_year_and_its_quarters():
    year = periods.period_of(2026)
    assert (year.start, year.end, year.days) == (
        datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 365,
    )  # fmt: skip
    q2 = periods.period_of(2026, 2)
    assert (q2.start, q2.end) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert q2.key == "2026-Q2" and periods.parse_key("2026-q2") == q2


@override_settings(PRM_FISCAL_YEAR_START_MONTH=4)
def test_a_fiscal_year_starting_in_april_is_named_by_the_year_it_starts_in():
    year = periods.period_of(2026)
    assert (year.start, year.end) == (datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
    q4 = periods.period_of(2026, 4)
    assert (q4.start, q4.end) == (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))
    assert periods.period_containing(datetime.date(2027, 2, 10), quarterly=True) == q4
    assert (
        periods.period_containing(datetime.date(2026, 3, 31), quarterly=False).fiscal_year == 2025
    )


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-Q0", "1999", "abcd", "2026-Q"])
def test_a_period_key_that_is_no_period_parses_to_none(text):
    assert periods.parse_key(text) is None


def test_elapsed_share_counts_today_and_is_bounded_by_the_period():
    q1 = periods.period_of(2026, 1)  # 90 days
    assert q1.elapsed_share(datetime.date(2025, 12, 31)) == 0
    assert q1.elapsed_share(datetime.date(2026, 1, 1)) == Decimal(1) / Decimal(90)
    assert q1.elapsed_share(datetime.date(2026, 2, 14)) == Decimal(45) / Decimal(90)
    assert q1.elapsed_share(datetime.date(2026, 7, 1)) == 1


def _plan_with_goal(world, goal, quarter=1):
    admin = world.users["partner_a_admin"]
    plan = draft_plan(actor=admin, partner=world.partner_a, quarter=quarter, goals=[goal])
    return plan_get_for_user(user=admin, pk=plan.pk)


def test_won_revenue_counts_the_deals_closed_inside_the_period_to_the_day(world):
    partner = world.partner_a
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    won(partner, 1000, closed_at=start - timedelta(seconds=1))  # 31 Dec 23:59:59: last year
    won(partner, 200, closed_at=start + timedelta(seconds=1))  # first day
    won(partner, 30, closed_at=datetime.datetime(2026, 3, 31, 23, 59, tzinfo=UTC))  # last day
    won(partner, 4000, closed_at=datetime.datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC))  # Q2
    plan = _plan_with_goal(world, {"measure": M.REVENUE_12M, "target": "1000"})
    goal = plan.goals.all()[0]

    after = datetime.datetime(2026, 6, 1, tzinfo=UTC)
    progress = progress_for_plans([plan], now=after)[goal.pk]

    assert progress.actual == Decimal("230")
    assert progress.share == 1 and progress.expected == Decimal("1000")
    assert not progress.on_track

    # while the period runs only what happened until now counts
    mid = datetime.datetime(2026, 2, 1, tzinfo=UTC)
    assert progress_for_plans([plan], now=mid)[goal.pk].actual == Decimal("200")


def test_the_actual_equals_the_tier_measure_over_the_same_moments(world):
    partner = world.partner_a
    won(partner, 500, closed_at=datetime.datetime(2026, 2, 10, tzinfo=UTC), n=3)
    plan = _plan_with_goal(world, {"measure": M.WON_DEALS_12M, "target": "4"})
    goal = plan.goals.all()[0]
    now = datetime.datetime(2026, 2, 15, 12, tzinfo=UTC)
    since, _until = plan.period.bounds()

    from partners.measures import measures

    direct = measures.get(M.WON_DEALS_12M).compute_between(
        partner_ids=[partner.pk], since=since, until=now, subject_ids=[], partners=[partner]
    )[M.WON_DEALS_12M][partner.pk]
    assert progress_for_plans([plan], now=now)[goal.pk].actual == direct == 3


def test_pace_expected_is_target_times_the_elapsed_share(world):
    partner = world.partner_a
    won(partner, 100, closed_at=datetime.datetime(2026, 1, 5, tzinfo=UTC), n=31)
    plan = _plan_with_goal(world, {"measure": M.WON_DEALS_12M, "target": "50"})
    goal = plan.goals.all()[0]

    # 14 Feb: day 45 of 90 → half the period; 31 of 50 = 62% ≥ 50%: on track
    progress = progress_for_plans([plan], now=datetime.datetime(2026, 2, 14, 18, tzinfo=UTC))[
        goal.pk
    ]
    assert progress.share == Decimal("0.5") and progress.expected == Decimal("25")
    assert progress.percent == 62 and progress.on_track
    assert progress.pace_text == "On track: 62% of target at 50% of the period"

    # 1 Mar: day 60 of 90 → expected 33.3; 31 is behind
    later = progress_for_plans([plan], now=datetime.datetime(2026, 3, 1, 1, tzinfo=UTC))[goal.pk]
    assert not later.on_track and later.pace_text.startswith("Behind: 62%")


def test_a_level_measure_is_read_at_the_period_end(world):
    """Activation is a level: done before the period ended → 1, whatever is asked later."""
    plan = _plan_with_goal(world, {"measure": M.ACTIVATED, "target": "1"})
    goal = plan.goals.all()[0]
    partner = world.partner_a
    partner.activated_at = datetime.datetime(2026, 2, 1, tzinfo=UTC)
    partner.joined_at = partner.activated_at - timedelta(days=5)
    partner.save(update_fields=["activated_at", "joined_at"])
    plan.partner = partner

    assert (
        progress_for_plans([plan], now=datetime.datetime(2026, 1, 20, tzinfo=UTC))[goal.pk].actual
        == 0
    )
    assert (
        progress_for_plans([plan], now=datetime.datetime(2026, 9, 1, tzinfo=UTC))[goal.pk].actual
        == 1
    )


def test_progress_of_many_plans_costs_one_query_per_measure_family(
    world, django_assert_num_queries
):
    from partners.tests.factories import PartnerFactory

    plans = []
    for i in range(5):
        partner = PartnerFactory(
            program=world.partner_a.program, tier=world.partner_a.tier, name=f"P{i}"
        )
        won(partner, 100, closed_at=datetime.datetime(2026, 1, 10, tzinfo=UTC))
        plan = draft_plan(actor=world.users["manager_owner"], partner=partner, quarter=1, goals=[
            {"measure": M.WON_DEALS_12M, "target": "2"},
            {"measure": M.REVENUE_12M, "target": "500"},
            {"text": "Run a joint webinar"},
        ])  # fmt: skip
        plans.append(plan_get_for_user(user=world.users["manager_owner"], pk=plan.pk))

    with django_assert_num_queries(1):
        progress = progress_for_plans(plans, now=datetime.datetime(2026, 2, 1, tzinfo=UTC))

    assert len(progress) == 10
    assert {p.actual for p in progress.values()} == {Decimal(1), Decimal(100)}
