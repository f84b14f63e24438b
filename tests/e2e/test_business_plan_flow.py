"""Business plans in the browser (issue 21): a partner admin drafts a plan with three measured
goals and submits it, the channel manager approves it, a won deal moves a goal's progress, and the
plan, list and scorecard pages of both sides fit a 390 px phone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.choices import PlanStatus
from plans.models import BusinessPlan
from tests.e2e.conftest import PHONE, logged_in_context
from tiers.tests.tiers_helpers import M, won

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_a_partner_admin_drafts_a_plan_the_manager_approves_it_and_a_won_deal_moves_it(
    browser, live_server, world
):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    year = timezone.localdate().year
    context = logged_in_context(browser, live_server, admin)
    page = _accept_dialogs(context.new_page())
    page.goto(live_server.url + reverse("plans:list"))
    page.click("text=New plan")
    page.select_option("#id_period", str(year))
    page.click("text=Draft the plan")
    page.wait_for_selector("[data-testid=goal-form]")
    for measure, target in (
        (M.WON_DEALS_12M, "4"),
        (M.REVENUE_12M, "20000"),
        (M.COMPLETED_COURSES, "3"),
    ):
        page.select_option("[data-testid=goal-form] #id_measure", measure)
        page.fill("[data-testid=goal-form] #id_target", target)
        page.click("[data-testid=goal-form] button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("[data-testid=goal-progress]").count() == 3
    page.click("[data-testid=submit-plan]")
    page.wait_for_selector("text=Waiting for the other side to approve.")
    context.close()

    plan = BusinessPlan.objects.get(partner=world.partner_a)
    context = logged_in_context(browser, live_server, manager)
    page = _accept_dialogs(context.new_page())
    page.goto(live_server.url + reverse("plans:manage_list") + "?status=submitted")
    page.click(f"a[href='{reverse('plans:manage_detail', args=[plan.pk])}']")
    page.click("[data-testid=approve-plan]")
    page.wait_for_selector("text=Plan approved.")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED

    first = page.locator("[data-testid=goal-progress]").first.inner_text()
    assert first.startswith("0 / 4")
    won(world.partner_a, 5000, closed_at=timezone.now() - datetime.timedelta(hours=1))
    page.reload()
    assert page.locator("[data-testid=goal-progress]").first.inner_text().startswith("1 / 4")
    context.close()

    context = logged_in_context(browser, live_server, world.users["partner_a_user"], PHONE)
    page = context.new_page()
    too_wide = {}
    for path in (
        reverse("plans:detail", args=[plan.pk]),
        reverse("plans:scorecard"),
        reverse("plans:list"),
    ):
        assert page.goto(live_server.url + path).status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()

    context = logged_in_context(browser, live_server, manager, PHONE)
    page = context.new_page()
    for path in (
        reverse("plans:manage_list"),
        reverse("plans:manage_detail", args=[plan.pk]),
        reverse("plans:manage_scorecard", args=[world.partner_a.pk]),
    ):
        assert page.goto(live_server.url + path).status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert too_wide == {}
