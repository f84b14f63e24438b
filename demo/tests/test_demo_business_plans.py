"""The demo has business plans in every state for active partners (issue 21)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from demo.business_plans import build_business_plans
from demo.seed import seed_demo
from partners.choices import PartnerStatus
from plans.choices import PlanStatus
from plans.models import ActionItem, BusinessPlan, Goal, QuarterlyReview

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 20, 9, tzinfo=UTC)


def test_the_demo_has_plans_in_every_state_for_active_partners_and_pages_show_them(client):
    seed_demo(partners=60, events=600, now=NOW)
    plans = BusinessPlan.objects.all()
    assert set(plans.values_list("status", flat=True)) == set(PlanStatus.values)
    assert not plans.exclude(partner__status=PartnerStatus.ACTIVE).exists()
    assert plans.filter(version=2, previous__isnull=False).exists()
    assert Goal.objects.exclude(measure="").exists() and Goal.objects.filter(measure="").exists()
    # a partner that has a plan is left alone when the step runs again
    planned = set(plans.values_list("partner_id", flat=True))
    build_business_plans(vendor=plans[0].created_by, now=NOW)
    for partner_id in planned:
        assert BusinessPlan.objects.filter(partner_id=partner_id, version=1).count() == 1

    approved = plans.filter(status=PlanStatus.APPROVED).select_related("partner__owner").first()
    client.force_login(approved.approved_by)
    page = client.get(reverse("plans:manage_detail", args=[approved.pk]))
    assert page.status_code == 200 and "% of target at" in page.content.decode()


def test_the_demo_scorecards_show_four_periods_of_figures():
    """The demo's history reaches back past the plan's period: the trend has figures, not only
    the running period's, and the offering goal names an offering of the partner's program."""
    from partners.selectors import offering_list_for_partner
    from plans.scorecard import scorecard_for_partner

    seed_demo(partners=60, events=600, now=NOW)
    quarterly = BusinessPlan.objects.filter(status=PlanStatus.APPROVED, quarter__gt=0)
    assert quarterly.exists()
    past_figures = 0
    for plan in quarterly.select_related("partner"):
        card = scorecard_for_partner(partner=plan.partner, now=NOW)
        assert [p.key for p in card.trend_periods] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
        past_figures += sum(1 for trend in card.trend for point in trend.points[:-1] if point.value)
    assert past_figures > 0
    offering_goals = Goal.objects.filter(measure="offering_adopted").select_related("plan__partner")
    assert offering_goals.exists()
    for goal in offering_goals:
        assert offering_list_for_partner(partner=goal.plan.partner).filter(pk=goal.subject_id)


def test_the_demo_has_held_upcoming_and_cancelled_reviews_with_frozen_scorecards(client):
    from demo.business_reviews import build_business_reviews
    from plans.choices import ReviewStatus

    seed_demo(partners=60, events=600, now=NOW)
    reviews = QuarterlyReview.objects.all()
    assert set(reviews.values_list("status", flat=True)) == set(ReviewStatus.values)
    held = reviews.filter(status=ReviewStatus.HELD).first()
    assert held.snapshot["rows"] and held.snapshot_at == held.starts_at
    assert ActionItem.objects.filter(review=held).count() == 3
    count = reviews.count()
    build_business_reviews(vendor=held.created_by, now=NOW)
    assert QuarterlyReview.objects.count() == count  # safe to run twice
    client.force_login(held.created_by)
    page = client.get(reverse("plans:manage_review", args=[held.pk]))
    assert page.status_code == 200 and "Frozen on" in page.content.decode()
