"""The plan pages: both sides' lists and detail, actions through the pages, bounded queries."""

import datetime
import re
from datetime import UTC

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.tests.factories import PartnerFactory
from plans.choices import PlanStatus
from plans.models import BusinessPlan
from plans.tests.factories import approved_plan, draft_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db
PLAN_LINK = re.compile(r'href="/manage/plans/\d+/"')

GOALS = [
    {"measure": M.WON_DEALS_12M, "target": "10"},
    {"measure": M.REVENUE_12M, "target": "100000"},
    {"text": "Two joint webinars"},
]


def test_a_partner_admin_drafts_a_plan_with_goals_and_submits_it_through_the_pages(
    client_as, world
):
    client = client_as("partner_a_admin")
    year = timezone.localdate().year
    response = client.post(reverse("plans:create"), {"period": f"{year}-Q1"})
    plan = BusinessPlan.objects.get(partner=world.partner_a)
    assert response.status_code == 302 and response["Location"] == reverse(
        "plans:detail", args=[plan.pk]
    )

    response = client.post(
        reverse("plans:goal_add", args=[plan.pk]), {"measure": M.WON_DEALS_12M, "target": "5"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("plans:goal_add", args=[plan.pk]), {"measure": M.WON_DEALS_12M, "target": "-1"}
    )
    assert response.status_code == 400
    assert "Enter a number above 0" in response.content.decode()

    assert client.post(reverse("plans:submit", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # its own side cannot approve it; the manager can
    assert client.post(reverse("plans:approve", args=[plan.pk])).status_code == 403
    manager = client_as("manager_owner")
    response = manager.post(reverse("plans:approve", args=[plan.pk]))
    assert response["Location"] == reverse("plans:manage_detail", args=[plan.pk])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_a_partner_user_reads_the_plan_without_any_editing_control(client_as, world):
    plan = draft_plan(actor=world.users["partner_a_admin"], partner=world.partner_a, goals=GOALS)
    page = client_as("partner_a_user").get(reverse("plans:detail", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Two joint webinars" in html
    assert 'data-testid="goal-form"' not in html and "Submit for approval" not in html
    response = client_as("partner_a_user").post(
        reverse("plans:goal_add", args=[plan.pk]), {"text": "x"}
    )
    assert response.status_code == 403


def test_another_partners_plan_is_404_even_by_id(client_as, world):
    plan = draft_plan(actor=world.users["partner_a_admin"], partner=world.partner_a, goals=GOALS)
    b = client_as("partner_b_admin")
    assert b.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert b.post(reverse("plans:comment_add", args=[plan.pk]), {"body": "hi"}).status_code == 404
    assert "Alpha" not in b.get(reverse("plans:list")).content.decode()


def test_the_detail_shows_each_measured_goals_actual_and_pace(client_as, world):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    year = timezone.localdate().year
    plan = approved_plan(partner_admin=admin, manager=manager, partner=world.partner_a,
                         fiscal_year=year, goals=GOALS)  # fmt: skip
    won(world.partner_a, 2500, closed_at=datetime.datetime(year, 1, 1, 12, tzinfo=UTC), n=2)
    html = (
        client_as("manager_other")
        .get(reverse("plans:manage_detail", args=[plan.pk]))
        .content.decode()
    )
    assert "% of target at" in html
    assert f"?partner={world.partner_a.pk}&amp;status=won" in html  # the deals behind the goal


def test_the_detail_page_holds_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    plan = approved_plan(
        partner_admin=admin, manager=manager, partner=world.partner_a, goals=GOALS * 3
    )
    client = client_as("manager_owner")
    with django_assert_max_num_queries(22):
        assert client.get(reverse("plans:manage_detail", args=[plan.pk])).status_code == 200
    partner_client = client_as("partner_a_user")
    with django_assert_max_num_queries(22):
        assert partner_client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200


def test_the_vendor_list_filters_and_holds_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    manager = world.users["manager_owner"]
    for i in range(12):
        partner = PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier,
                                 owner=manager if i % 2 else None, name=f"Partner {i:02}")  # fmt: skip
        draft_plan(actor=manager, partner=partner, goals=GOALS)
    client = client_as("manager_owner")
    with django_assert_max_num_queries(16):
        page = client.get(reverse("plans:manage_list"))
    assert len(PLAN_LINK.findall(page.content.decode())) == 12
    mine = client.get(reverse("plans:manage_list"), {"owner": manager.pk, "status": "draft"})
    assert len(PLAN_LINK.findall(mine.content.decode())) == 6
    assert client.get(reverse("plans:manage_list"), {"period": "2026-Q9"}).status_code == 400
    assert client.get(reverse("plans:manage_list"), {"period": "1999"}).status_code == 400


def test_the_partner_360_page_shows_the_business_plan_panel_in_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    year = timezone.localdate().year
    approved_plan(partner_admin=admin, manager=manager, partner=world.partner_a,
                  fiscal_year=year, goals=GOALS)  # fmt: skip
    draft_plan(actor=manager, partner=world.partner_a, fiscal_year=year, quarter=1, goals=GOALS)
    client = client_as("manager_other")
    url = reverse("partners:manager_partner", args=[world.partner_a.pk])
    # the page's 32 (partners/tests/test_views.py) + the leads panel's one (issue 20) + goals +
    # one query for the deals measures + the churn panel's 5 (issue 22)
    with django_assert_max_num_queries(40):
        html = client.get(url).content.decode()
    assert 'data-testid="business-plan"' in html
    assert html.count("% of target at") == 4  # two measured goals in each of the two plans


def test_the_partners_plan_list_and_scorecard_hold_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    for year in (2024, 2025, 2026):
        approved_plan(partner_admin=admin, manager=manager, partner=world.partner_a,
                      fiscal_year=year, goals=GOALS)  # fmt: skip
    client = client_as("partner_a_user")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("plans:list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("plans:scorecard")).status_code == 200


def test_a_goal_narrowed_to_a_certification_shows_its_name(client_as, world):
    from enablement.tests.factories import CertificationFactory

    certification = CertificationFactory(name="Certified Cloud Architect", slug="cca")
    plan = draft_plan(actor=world.users["partner_a_admin"], partner=world.partner_a, goals=[
        {"measure": M.CERTIFIED_USERS, "target": "2", "subject_id": certification.pk},
    ])  # fmt: skip
    html = client_as("partner_a_user").get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "(Certified Cloud Architect)" in html
