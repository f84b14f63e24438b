"""Leads in a real browser (issue 20's "Done when"): a manager imports leads, one routes to Alpha
Systems (the only active partner in its region), Alpha's admin accepts it and registers a deal from
it (the form comes pre-filled), the manager approves the deal, and the lead shows as converted
with its deal on the manager's side, and the dashboard's lead metrics count it."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from deals.choices import DealStatus
from deals.models import Deal
from deals.tests.factories import offering
from leads.choices import LeadStatus
from leads.models import Lead
from leads.tests.factories import activate, catch_all_rule
from partners.choices import Region
from tests.e2e.test_deals_flow import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e-leads"

CSV = """external_id,company,region,domain,country,contact_name,contact_email,offerings,size,source
crm-1001,Initech GmbH,emea,initech.example,DE,Bill Lumbergh,bill@initech.example,cloud-suite,large,event
crm-1002,Globex Ltd,apac,globex.example,JP,Hank Scorpio,hank@globex.example,,small,website
"""


def test_import_route_accept_convert_approve(page, live_server, world, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    offering("cloud-suite", "Cloud Suite")
    activate(world.partner_a, world.partner_b)
    world.partner_b.region = Region.NORTH_AMERICA
    world.partner_b.save(update_fields=["region"])
    catch_all_rule(world.partner_a.program)
    upload = tmp_path / "leads.csv"
    upload.write_text(CSV, encoding="utf-8")

    # 1. The manager checks the file (dry run), then imports it.
    log_in(page, live_server, "owner@vendor.example")
    page.goto(f"{live_server.url}/manage/leads/import/")
    page.select_option("select[name=program]", str(world.partner_a.program.pk))
    page.set_input_files("input[type=file]", str(upload))
    page.click("button:has-text('Check or import')")
    page.wait_for_load_state("networkidle")
    assert "Dry run: nothing was imported" in page.content()
    assert not Lead.objects.exists()
    page.select_option("select[name=program]", str(world.partner_a.program.pk))
    page.set_input_files("input[type=file]", str(upload))
    page.uncheck("input[name=dry_run]")
    page.click("button:has-text('Check or import')")
    page.wait_for_load_state("networkidle")
    assert "Import done" in page.content()
    lead = Lead.objects.get(external_id="crm-1001")
    assert lead.status == LeadStatus.OFFERED
    assert lead.offers.get().partner == world.partner_a  # the only partner in EMEA
    page.goto(f"{live_server.url}/manage/leads/{lead.pk}/")
    assert "Alpha Systems" in page.inner_text("main")
    why = page.inner_text("[data-testid=offer-why]")
    assert "Everyone in the region (best match, 1 candidate)" in why
    assert "region: Europe, Middle East & Africa" in why  # by its name, not its code
    page.screenshot(path=ARTIFACTS / "lead-routed.png", full_page=True)
    log_out(page)

    # 2. Alpha's admin accepts it and registers a deal from it: the form is pre-filled.
    log_in(page, live_server, "admin@alpha.example")
    page.goto(f"{live_server.url}/leads/")
    page.click("a:has-text('Initech GmbH')")
    page.wait_for_load_state("networkidle")
    page.click("[data-testid=accept-lead]")
    page.wait_for_load_state("networkidle")
    page.click("[data-testid=convert-lead]")
    page.wait_for_load_state("networkidle")
    assert page.input_value("input[name=customer_name]") == "Initech GmbH"
    assert page.input_value("input[name=contact_email]") == "bill@initech.example"
    page.select_option("select[name=currency]", "EUR")
    page.fill("input[name='lines-0-quantity']", "4")
    page.fill("input[name='lines-0-unit_amount']", "250")
    if not page.input_value("select[name='lines-0-offering']"):
        page.select_option("select[name='lines-0-offering']", label="Cloud Suite")
    page.fill("input[name=expected_close_date]", (date.today() + timedelta(days=120)).isoformat())
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert "Deal registered" in page.content()
    deal = Deal.objects.get(partner=world.partner_a)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    log_out(page)

    # 3. The manager approves the deal; the lead shows converted, with its deal.
    log_in(page, live_server, "owner@vendor.example")
    page.goto(f"{live_server.url}/manage/deals/{deal.pk}/")
    page.click("form[data-form=approve] button[type=submit]")
    page.wait_for_load_state("networkidle")
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED
    page.goto(f"{live_server.url}/manage/leads/{lead.pk}/")
    assert "Initech GmbH" in page.content()
    page.screenshot(path=ARTIFACTS / "lead-converted.png", full_page=True)

    # 4. The dashboard's lead metrics count it: one offer answered, accepted and converted.
    page.goto(f"{live_server.url}/manage/dashboard/")
    row = page.locator("#leads-partners-table tbody tr", has_text="Alpha Systems")
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[1:4] == ["1", "1", "100.0%"]  # answered, accepted, acceptance rate
    assert cells[5:7] == ["1", "100.0%"]  # converted, conversion rate
    page.screenshot(path=ARTIFACTS / "dashboard-leads.png", full_page=True)
