"""The scorecard's trend over the last four periods: each figure is the goal's measure computed
for that period, to the day in the vendor's time zone (docs/metrics.md "Scorecard trend")."""

import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse

from partners.measures import measures
from plans import periods
from plans.progress import level_moment, progress_for_plans
from plans.selectors import plan_get_for_user
from plans.tests.factories import approved_plan, draft_plan
from plans.trend import last_periods, trend_for_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def _plan(world, goals, *, fiscal_year=2026, quarter=2):
    admin = world.users["partner_a_admin"]
    plan = draft_plan(
        actor=admin, partner=world.partner_a, fiscal_year=fiscal_year, quarter=quarter, goals=goals
    )
    return plan_get_for_user(user=admin, pk=plan.pk)


def test_the_last_four_periods_end_with_the_plans_own_and_cross_the_fiscal_year():
    q2 = periods.period_of(2026, 2)
    assert [p.key for p in last_periods(q2)] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert [p.key for p in last_periods(periods.period_of(2026))] == [
        "2023", "2024", "2025", "2026",
    ]  # fmt: skip


@override_settings(PRM_FISCAL_YEAR_START_MONTH=4)
def test_quarters_of_a_fiscal_year_starting_in_april():
    first = last_periods(periods.period_of(2026, 1))[0]
    assert (first.key, first.start, first.end) == (
        "2025-Q2", datetime.date(2025, 7, 1), datetime.date(2025, 9, 30),
    )  # fmt: skip


@override_settings(TIME_ZONE="America/New_York")
def test_each_figure_is_the_flow_measure_of_its_period_to_the_day_in_the_vendor_time_zone(world):
    partner = world.partner_a
    # Q1 2026 starts at midnight New York time on 1 January (05:00 UTC)
    q1_start = datetime.datetime(2026, 1, 1, tzinfo=NEW_YORK)
    won(partner, 100, closed_at=q1_start - timedelta(seconds=1), n=2)  # 31 Dec local: Q4 2025
    won(partner, 100, closed_at=q1_start + timedelta(seconds=1), n=3)  # Q1 2026
    won(partner, 100, closed_at=datetime.datetime(2025, 7, 1, 0, 0, 1, tzinfo=NEW_YORK))  # Q3
    won(partner, 100, closed_at=datetime.datetime(2025, 6, 30, 23, 59, tzinfo=NEW_YORK))  # Q2: out
    won(partner, 100, closed_at=datetime.datetime(2026, 4, 2, tzinfo=NEW_YORK), n=4)  # Q2 2026
    plan = _plan(world, [{"measure": M.WON_DEALS_12M, "target": "5"}])
    now = datetime.datetime(2026, 5, 1, 12, tzinfo=NEW_YORK)

    progress = progress_for_plans([plan], now=now)
    (trend,) = trend_for_plan(plan, progress, now=now)

    between = measures.get(M.WON_DEALS_12M).compute_between
    direct = []
    for point in trend.points:
        since, until = point.period.bounds()
        table = between(partner_ids=[partner.pk], since=since, until=min(until, now),
                        subject_ids=[], partners=[partner])  # fmt: skip
        direct.append(Decimal(table[M.WON_DEALS_12M].get(partner.pk, 0)))
    assert [p.value for p in trend.points] == direct == [1, 2, 3, 4]
    assert trend.points[-1].value == progress[plan.goals.all()[0].pk].actual


def test_a_level_measure_readable_in_the_past_is_read_at_each_period_end(world):
    partner = world.partner_a
    partner.activated_at = datetime.datetime(2025, 12, 31, 23, 59, tzinfo=datetime.UTC)
    partner.joined_at = partner.activated_at - timedelta(days=30)
    partner.save(update_fields=["activated_at", "joined_at"])
    plan = _plan(world, [{"measure": M.ACTIVATED, "target": "1"}])
    plan.partner = partner
    now = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)

    (trend,) = trend_for_plan(plan, progress_for_plans([plan], now=now), now=now)

    compute = measures.get(M.ACTIVATED).compute
    for point in trend.points[:-1]:
        at = level_moment(point.period.bounds()[1])
        assert point.value == compute(partner_ids=[partner.pk], at=at, subject_ids=[],
                                      partners=[partner])[M.ACTIVATED][partner.pk]  # fmt: skip
    assert [p.value for p in trend.points] == [0, 1, 1, 1]  # done on Q4's last day


def test_a_level_measure_of_todays_people_is_not_shown_for_past_periods(world):
    """Certified people counts today's members: never passed off as an old figure."""
    plan = _plan(world, [{"measure": M.CERTIFIED_USERS, "target": "2"}])
    now = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)

    (trend,) = trend_for_plan(plan, progress_for_plans([plan], now=now), now=now)

    assert [p.value for p in trend.points[:-1]] == [None, None, None]
    assert trend.points[-1].value == 0 and not trend.complete


def test_the_trend_costs_one_call_per_measure_family_and_past_period(
    world, django_assert_num_queries
):
    plan = _plan(world, [
        {"measure": M.WON_DEALS_12M, "target": "5"}, {"measure": M.REVENUE_12M, "target": "500"},
        {"measure": M.COMPLETED_COURSES, "target": "2"}, {"measure": M.CERTIFIED_USERS, "target": "2"},
        {"text": "A joint webinar"},
    ])  # fmt: skip
    now = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    progress = progress_for_plans([plan], now=now)

    # two flow families (deals, courses) times three past periods; certified people: none
    with django_assert_num_queries(6):
        trends = trend_for_plan(plan, progress, now=now)
    assert len(trends) == 4


def test_the_scorecard_shows_the_trend_as_a_chart_and_a_table(client_as, world):
    from django.utils import timezone

    today = timezone.localdate()
    period = periods.period_containing(today, quarterly=True)
    approved_plan(partner_admin=world.users["partner_a_admin"], manager=world.users["manager_owner"],
                  partner=world.partner_a, fiscal_year=period.fiscal_year, quarter=period.quarter,
                  goals=[{"measure": M.WON_DEALS_12M, "target": "10"}])  # fmt: skip
    before = last_periods(period)[1]
    won(world.partner_a, 100, n=7, closed_at=datetime.datetime.combine(
        before.start + timedelta(days=3), datetime.time(12), tzinfo=datetime.UTC))  # fmt: skip

    page = client_as("partner_a_user").get(reverse("plans:scorecard"))
    html = page.content.decode()

    assert page.status_code == 200
    assert 'id="scorecard-trend-data"' in html and "data-trend-chart" in html
    card = page.context["card"]
    assert [p.value for p in card.trend[0].points][1] == 7
    assert card.trend_chart["labels"] == [p.label for p in last_periods(period)]
    assert f'<th scope="col" class="text-end">{before.label}</th>' in html
