"""The deal registration flow in a real browser: a partner user registers a deal, the channel
manager sees the conflict with another partner's registration, approves one and rejects the other,
and the winner marks the deal won."""

from datetime import date, timedelta

import pytest

from accounts.tests.factories import PASSWORD
from deals.choices import DealStatus
from deals.models import Deal
from deals.tests.factories import make_deal, offering

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def log_out(page):
    page.click("#user-menu")
    page.click("form[action$='/logout/'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_register_review_conflict_approve_reject_and_win(page, live_server, world):
    cloud = offering("cloud-suite", "Cloud Suite")
    # Partner B already registered the same customer (another spelling, same domain).
    rival = make_deal(
        user=world.users["partner_b_admin"],
        submit=True,
        customer_name="Initech Inc.",
        customer_domain="initech.example",
    )

    # 1. Partner A's user registers the deal through the form (adding a second offering row).
    log_in(page, live_server, "user@alpha.example")
    page.click("[data-testid=deals-panel] a:has-text('Register a deal')")
    page.fill("input[name=customer_name]", "Initech GmbH")
    page.fill("input[name=customer_domain]", "https://www.initech.example/")
    page.select_option("select[name=customer_country]", "DE")
    page.fill("input[name=contact_name]", "Bill Lumbergh")
    page.fill("input[name=contact_email]", "bill@initech.example")
    page.select_option("select[name=currency]", "EUR")
    page.select_option("select[name='lines-0-offering']", str(cloud.pk))
    page.fill("input[name='lines-0-quantity']", "4")
    page.fill("input[name='lines-0-unit_amount']", "250")
    page.click("[data-add-line]")
    page.select_option("select[name='lines-1-offering']", str(cloud.pk))
    page.fill("input[name='lines-1-quantity']", "1")
    page.fill("input[name='lines-1-unit_amount']", "500")
    assert page.inner_text("[data-deal-total]").replace(",", "").startswith("1500")
    close = page.locator("input[name=expected_close_date]")
    close.fill((date.today() + timedelta(days=180)).isoformat())
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert "Deal registered" in page.content()
    mine = Deal.objects.get(partner=world.partner_a)
    assert mine.status == DealStatus.SUBMITTED and str(mine.amount) == "1500.00"
    assert mine.customer_domain_normalized == "initech.example"
    log_out(page)

    # 2. The manager sees the conflict side by side, approves Alpha's and rejects Bravo's.
    log_in(page, live_server, "owner@vendor.example")
    page.click(f"[data-testid=review-panel] a[href='/manage/deals/{mine.pk}/']")
    conflicts = page.locator("[data-testid=conflicts]")
    assert conflicts.is_visible()
    assert "Bravo Consulting" in conflicts.inner_text()
    assert "same domain initech.example" in conflicts.inner_text()
    page.click("form[data-form=approve] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Approved: Initech GmbH is protected until" in page.content()

    page.goto(f"{live_server.url}/manage/deals/{rival.pk}/")
    assert "Protected" in page.locator("[data-testid=conflicts]").inner_text()
    page.click("form[data-form=approve] button[type=submit]")  # refused: Alpha holds the customer
    page.wait_for_load_state("networkidle")
    assert "already protected by Alpha Systems" in page.content()
    page.fill("form[data-form=reject] textarea[name=reason]", "Alpha Systems registered first.")
    page.click("form[data-form=reject] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Rejected: the partner was told why." in page.content()
    log_out(page)

    # 3. The winner marks it won.
    log_in(page, live_server, "user@alpha.example")
    page.goto(f"{live_server.url}/portal/deals/{mine.pk}/")
    page.fill("form[data-form=won] input[name=final_amount]", "1400")
    page.click("form[data-form=won] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "marked as won" in page.content()
    assert page.locator(".deal-timeline [data-transition=won]").count() == 1

    mine.refresh_from_db()
    rival.refresh_from_db()
    assert (mine.status, str(mine.final_amount)) == (DealStatus.WON, "1400.00")
    assert rival.status == DealStatus.REJECTED
