"""Business plans in the browser (issue 21): a partner admin drafts a plan with three measured
goals and submits it, the channel manager approves it, a deal won through the deal services moves
the goals' progress (the adoption of the deal's offering once the next metrics rollup ran), the
scorecard PDF downloads, and the plan, list and scorecard pages of both sides fit a 390 px phone."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from deals import services as deals
from deals.tests.factories import make_deal, offering
from metrics.measures import OFFERING_ADOPTED
from metrics.tasks import rollup_metrics
from plans.choices import PlanStatus
from plans.models import BusinessPlan
from tests.e2e.conftest import PHONE, logged_in_context
from tiers.tests.tiers_helpers import M

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_a_partner_admin_drafts_a_plan_the_manager_approves_it_and_a_won_deal_moves_it(
    browser, live_server, world
):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    year = timezone.localdate().year
    suite = offering("cloud-suite", "Cloud Suite")  # an offering every program may adopt
    context = logged_in_context(browser, live_server, admin)
    page = _accept_dialogs(context.new_page())
    page.goto(live_server.url + reverse("plans:list"))
    page.click("text=New plan")
    page.select_option("#id_period", str(year))
    page.click("text=Draft the plan")
    page.wait_for_selector("[data-testid=goal-form]")
    for measure, subject, target in (
        (M.WON_DEALS_12M, None, "4"),
        (M.REVENUE_12M, None, "20000"),
        (OFFERING_ADOPTED, suite.pk, "1"),
    ):
        page.select_option("[data-testid=goal-form] #id_measure", measure)
        if subject:
            page.select_option("[data-testid=goal-form] #id_subject_id", str(subject))
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

    progress = page.locator("[data-testid=goal-progress]")
    assert progress.nth(0).inner_text().startswith("0 / 4")
    assert progress.nth(2).inner_text().startswith("0 / 1")
    # the partner registers a deal of the offering, the manager approves it and marks it won
    deal = make_deal(user=admin, submit=True)
    deal = deals.deal_approve(deal=deal, actor=manager)
    deals.deal_mark_won(deal=deal, actor=manager, final_amount=Decimal("5000"))
    page.reload()
    assert progress.nth(0).inner_text().startswith("1 / 4")  # won deals: read from the deals
    assert progress.nth(2).inner_text().startswith("0 / 1")  # adoption: not rolled up yet
    assert rollup_metrics.apply().get()["ran"]  # the every-minute metrics rollup
    page.reload()
    assert progress.nth(2).inner_text().startswith("1 / 1")
    context.close()

    # the partner's admin downloads the scorecard PDF for the quarterly review
    context = logged_in_context(browser, live_server, admin)
    page = context.new_page()
    page.goto(live_server.url + reverse("plans:scorecard"))
    with page.expect_download() as info:
        page.click("[data-testid=scorecard-pdf]")
    download = info.value
    assert re.fullmatch(r"scorecard-alpha-systems-\d{4}\.pdf", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
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
