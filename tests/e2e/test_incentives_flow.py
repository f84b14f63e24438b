"""Market development funds in a real browser: the channel manager allocates funds, the partner
admin requests funds for an activity, the manager approves a smaller amount, the partner claims
with proof of execution, and the manager approves the claim. Balances follow each step."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD
from incentives.choices import MdfStatus
from incentives.models import MdfAllocation, MdfRequest
from incentives.tests.factories import PDF_BYTES

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


def submit(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def test_allocate_request_approve_claim_and_approve_the_claim(page, live_server, world):
    today = timezone.localdate()

    # 1. The owning channel manager allocates this quarter's funds to Alpha Systems.
    log_in(page, live_server, "owner@vendor.example")
    page.click("nav a:has-text('Funds')")
    page.click("a:has-text('Allocate funds')")
    page.select_option("select[name=partner]", label="Alpha Systems")
    page.fill("input[name=period]", "This quarter")
    page.fill("input[name=starts_on]", (today - timedelta(days=5)).isoformat())
    page.fill("input[name=ends_on]", (today + timedelta(days=60)).isoformat())
    page.fill("input[name=amount]", "5000")
    submit(page, "form[data-form=allocation] button[type=submit]")
    assert "Allocated 5000" in page.content()
    log_out(page)

    # 2. The partner admin requests funds for a webinar.
    log_in(page, live_server, "admin@alpha.example")
    page.click("nav a:has-text('Funds')")
    assert "5,000.00" in page.locator("[data-testid=allocations]").inner_text()
    page.click("a:has-text('Request funds')")
    page.fill("input[name=title]", "CIO webinar")
    page.fill("textarea[name=description]", "Two webinars with a customer speaker.")
    page.fill("input[name=starts_on]", (today + timedelta(days=10)).isoformat())
    page.fill("input[name=ends_on]", (today + timedelta(days=20)).isoformat())
    page.fill("input[name=amount]", "1500")
    submit(page, "form[data-form=mdf-request] button[type=submit]")
    assert "Requested: CIO webinar" in page.content()
    request = MdfRequest.objects.get()
    log_out(page)

    # 3. The manager finds it in the queue and approves 1,200 of the 1,500 asked for.
    log_in(page, live_server, "owner@vendor.example")
    page.click("nav a:has-text('Funds')")
    page.click("[data-testid=mdf-queue] a:has-text('CIO webinar')")
    page.fill("form[data-form=approve] input[name=amount]", "1200")
    submit(page, "form[data-form=approve] button[type=submit]")
    assert "Approved: CIO webinar." in page.content()
    allocation = MdfAllocation.objects.get()
    assert allocation.committed == Decimal("1200")
    log_out(page)

    # 4. After the activity, the partner claims 1,000 with proof of execution.
    log_in(page, live_server, "admin@alpha.example")
    page.goto(f"{live_server.url}/portal/mdf/{request.pk}/")
    page.fill("form[data-form=claim] input[name=amount]", "1000")
    page.set_input_files(
        "form[data-form=claim] input[name=proof]",
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    submit(page, "form[data-form=claim] button[type=submit]")
    assert "Claim sent" in page.content()
    assert page.locator("[data-testid=proof]").inner_text() == "invoice.pdf"
    log_out(page)

    # 5. The manager approves the claim; the 200 not spent goes back to the allocation.
    log_in(page, live_server, "owner@vendor.example")
    page.click("nav a:has-text('Funds')")
    queue = page.locator("[data-testid=mdf-queue]")
    assert "Claim review" in queue.inner_text()
    page.click("[data-testid=mdf-queue] a:has-text('CIO webinar')")
    submit(page, "form[data-form=claim-approve] button[type=submit]")
    assert "Claim approved: CIO webinar." in page.content()
    request.refresh_from_db()
    allocation.refresh_from_db()
    assert request.status == MdfStatus.PAID
    assert (allocation.committed, allocation.paid) == (Decimal("1000"), Decimal("1000"))
    assert "$4,000.00 left of $5,000.00" in page.content()  # the request page shows the rest
    assert "Nothing is waiting" in page.goto(f"{live_server.url}/manage/mdf/").text()
