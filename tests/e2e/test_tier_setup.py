"""A vendor admin sets up tiers on phones: no tier setup page is wider than 390 px, the
requirement form shows the certification select only for a measure that takes one and tells
how many partners meet the requirement as the admin types (the server counts)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import TierBenefit
from tests.e2e.conftest import logged_in_context
from tiers.models import TierRequirement
from tiers.tests.tiers_helpers import M, active_partner, build_ladder, certify, won

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _context(browser, live_server, user, viewport):
    return logged_in_context(browser, live_server, user, viewport)


@pytest.fixture
def ladder(world):
    ladder = build_ladder()
    now = timezone.now()
    for name, n in (("Northwind Traders International Holdings", 2), ("Contoso", 1)):
        partner = active_partner(ladder, at=now, name=name)
        certify(partner, ladder.certification, n, at=now)
        won(partner, 60_000, closed_at=now - timedelta(days=3), n=n)
    return ladder


def test_no_tier_setup_page_is_wider_than_a_390px_phone(browser, live_server, world, ladder):
    requirement = TierRequirement.objects.filter(tier=ladder.silver).first()
    benefit = TierBenefit.objects.filter(tier=ladder.gold).first()
    paths = [
        f"{reverse('tiers:setup_tiers')}?program={ladder.program.pk}",
        f"{reverse('tiers:setup_tier_create')}?program={ladder.program.pk}",
        reverse("tiers:setup_tier_edit", args=[ladder.silver.pk]),
        reverse("tiers:setup_tier_delete", args=[ladder.registered.pk]),
        reverse("tiers:setup_requirement_create", args=[ladder.gold.pk]),
        reverse("tiers:setup_requirement_edit", args=[requirement.pk]),
        reverse("tiers:setup_requirement_delete", args=[requirement.pk]),
        reverse("tiers:setup_benefit_create", args=[ladder.gold.pk]),
        reverse("tiers:setup_benefit_edit", args=[benefit.pk]),
    ]
    context = _context(browser, live_server, world.users["vendor_admin"], PHONE)
    page = context.new_page()
    too_wide = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    # the impact review of an edited requirement fits too
    page.goto(live_server.url + reverse("tiers:setup_requirement_edit", args=[requirement.pk]))
    page.fill("#id_minimum", "1")
    with page.expect_navigation():
        page.click("button[value=review]")
    assert page.locator("[data-impact]").count() == 1
    if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        too_wide["review"] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert too_wide == {}


def test_the_requirement_form_counts_partners_live_and_hides_the_subject_when_unused(
    browser, live_server, world, ladder
):
    context = _context(
        browser, live_server, world.users["vendor_admin"], {"width": 1280, "height": 800}
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + reverse("tiers:setup_requirement_create", args=[ladder.gold.pk]))
    subject = page.locator("[data-subject-field=certification]")
    count = page.locator("[data-live-count]")

    page.select_option("#id_metric", M.WON_DEALS_12M)
    expect(subject).to_be_hidden()
    expect(page.locator("[data-measure-help]")).to_contain_text("closed as won")
    page.fill("#id_minimum", "2")
    expect(count).to_contain_text("1 of 2")

    page.select_option("#id_metric", M.CERTIFIED_USERS)
    expect(subject).to_be_visible()
    page.select_option("#id_certification", str(ladder.certification.pk))
    page.fill("#id_minimum", "1")
    expect(count).to_contain_text("2 of 2")
    assert "active partners meet this today" in count.inner_text()
    context.close()
    assert not errors
