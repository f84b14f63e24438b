"""Phones and second thoughts (issue 16, items 26 and 27): at a 390 px wide viewport no portal
or manage page is wider than the screen, and a destructive action asks before it is sent."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from partners.models import PartnerMembership
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

PARTNER_PAGES = [
    "partners:home",
    "incentives:points",
    "partners:team",
    "incentives:mdf_list",
    "deals:list",
    "deals:create",
    "customers:partner_list",
    "enablement:catalog",
    "onboarding:checklist",
    "api_tokens",
]
MANAGER_PAGES = [
    "partners:manager_home",
    "metrics:dashboard",
    "tiers:tier_review",
    "onboarding:applications",
    "deals:manager_list",
    "incentives:manager_mdf",
    "incentives:manager_leaderboard",
    "incentives:rules",
    "customers:manager_list",
    "enablement:catalog",
]


def _context(browser, live_server, user, viewport):
    return logged_in_context(browser, live_server, user, viewport)


@pytest.fixture
def demo():
    from metrics.rollups import rollup_recompute
    from metrics.scores import scores_refresh

    call_command("seed_demo", partners=24, events=3000, verbosity=0)
    rollup_recompute()
    scores_refresh()


def _detail_pages(email: str) -> list[str]:
    """A few object pages of the demo: a partner's page for staff, a deal for both sides."""
    from deals.models import Deal
    from deals.selectors import deal_list_for_user
    from partners.models import Partner

    user = User.objects.get(email=email)
    if user.is_channel_manager:
        partner = Partner.objects.filter(owner=user).order_by("pk").first()
        deal = Deal.objects.filter(partner=partner).order_by("pk").first()
        pages = [reverse("partners:manager_partner", args=[partner.pk])]
        if deal is not None:
            pages.append(reverse("deals:manager_detail", args=[deal.pk]))
        return pages
    deal = deal_list_for_user(user=user).order_by("pk").first()
    return [reverse("deals:detail", args=[deal.pk])] if deal is not None else []


@pytest.mark.parametrize(
    ("email", "pages"),
    [
        ("partner@acme.example", PARTNER_PAGES),
        ("user@acme.example", ["partners:home", "incentives:points", "deals:list"]),
        ("manager@prm.example", MANAGER_PAGES),
    ],
)
def test_no_page_is_wider_than_a_390px_phone(browser, live_server, demo, email, pages):
    context = _context(browser, live_server, User.objects.get(email=email), PHONE)
    page = context.new_page()
    too_wide = {}
    for path in [reverse(name) for name in pages] + _detail_pages(email):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert too_wide == {}


def test_removing_a_teammate_asks_first_and_does_nothing_if_cancelled(browser, live_server, world):
    teammate = world.users["partner_a_user"]
    context = _context(
        browser, live_server, world.users["partner_a_admin"], {"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("partners:team"))
    remove = page.locator(
        f"form[action='{reverse('partners:member_remove', args=[teammate.membership.pk])}'] button"
    )
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    remove.click()
    page.wait_for_timeout(300)
    assert asked and "Remove" in asked[0]
    assert PartnerMembership.objects.filter(user=teammate).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        remove.click()
    assert not PartnerMembership.objects.filter(user=teammate).exists()
    context.close()
