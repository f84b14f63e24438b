"""Quarterly business reviews in the browser (issue 21): the channel manager schedules a review
with attendees from both sides from the partner 360 page, marks it held (the frozen scorecard is
shown), adds an action item and makes it an initiative of the plan; the review pages of both
sides fit a 390 px phone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.choices import PlanStatus, ReviewStatus
from plans.models import BusinessPlan, Initiative, QuarterlyReview
from plans.tests.factories import approved_plan
from tests.e2e.conftest import PHONE, logged_in_context
from tiers.tests.tiers_helpers import M

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_schedules_holds_a_review_and_makes_an_action_item_an_initiative(
    browser, live_server, world
):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    plan = approved_plan(partner_admin=admin, manager=manager, partner=world.partner_a,
                         fiscal_year=timezone.localdate().year,
                         goals=[{"measure": M.WON_DEALS_12M, "target": "4"}])  # fmt: skip
    context = logged_in_context(browser, live_server, manager)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server.url + reverse("partners:manager_partner", args=[world.partner_a.pk]))
    page.click("[data-testid=schedule-review]")
    page.fill("#id_title", "Q3 business review")
    next_year = timezone.localdate().year + 1
    page.fill("#id_starts_at", f"{next_year}-02-10T10:00")
    page.fill("#id_meeting_url", "https://meet.example/q3")
    page.select_option("#id_attendees", [str(manager.pk), str(admin.pk)])
    page.click("[data-testid=review-form] button[type=submit]")
    page.wait_for_selector("text=Business review scheduled.")
    review = QuarterlyReview.objects.get()
    assert review.plan_id == plan.pk and review.attendees.count() == 2
    attendees = page.locator("[data-testid=review-attendees]").inner_text()
    assert admin.display_name in attendees and manager.display_name in attendees

    page.click("[data-testid=review-hold]")
    page.wait_for_selector("text=Frozen on")
    assert "0 / 4" in page.locator("[data-testid=snapshot-goals]").inner_text() or (
        page.locator("[data-testid=snapshot-goals] tbody tr").count() == 1
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD and review.snapshot["rows"]

    page.fill("[data-testid=action-form] #id_text", "Joint campaign for the launch")
    page.select_option("[data-testid=action-form] #id_owner_side", "vendor")
    page.select_option("[data-testid=action-form] #id_owner", str(manager.pk))
    page.click("[data-testid=action-form] button[type=submit]")
    page.wait_for_selector("text=Action item added.")
    page.click("[data-testid=to-initiative]")
    page.wait_for_selector("[data-testid=action-converted]")
    initiative = Initiative.objects.get(title="Joint campaign for the launch")
    assert initiative.plan.version == 2 and initiative.plan.status == PlanStatus.DRAFT
    assert BusinessPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    context.close()

    too_wide = {}
    for user, path in (
        (world.users["partner_a_user"], reverse("plans:portal_review", args=[review.pk])),
        (world.users["partner_a_user"], reverse("plans:portal_reviews")),
        (manager, reverse("plans:manage_review", args=[review.pk])),
        (manager, reverse("plans:manage_reviews")),
    ):
        context = logged_in_context(browser, live_server, user, PHONE)
        page = context.new_page()
        assert page.goto(live_server.url + path).status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
        context.close()
    assert not too_wide, too_wide
