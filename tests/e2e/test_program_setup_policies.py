"""A vendor admin sets up the program: agreement versions (the Markdown preview follows the
typing, rendered by the server), owner rules (removing one asks first), registration policies,
award rules and MDF allocations; no such page is wider than a 390 px phone."""

import pytest
from django.urls import reverse

from deals.models import RegistrationPolicy
from incentives.tests.factories import mdf_request, rule
from onboarding.models import OwnerRule
from onboarding.tests.factories import AgreementFactory
from partners.choices import Region
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _context(browser, live_server, user, viewport):
    return logged_in_context(browser, live_server, user, viewport)


@pytest.fixture
def setup_data(world):
    agreement = AgreementFactory(
        program=world.partner_a.program,
        title="Reseller agreement with a rather long title for phones",
        published_at=None,
    )
    OwnerRule.objects.create(region=Region.EMEA, manager=world.users["manager_owner"])
    policy = RegistrationPolicy.objects.create(program=world.partner_a.program, protection_days=60)
    award_rule = rule(kind="deal.won", points=50, name="Points for a won deal")
    request = mdf_request(world=world, title="Roadshow")
    return {
        "agreement": agreement,
        "policy": policy,
        "rule": award_rule,
        "allocation": request.allocation,
    }


def test_no_program_setup_page_is_wider_than_a_390px_phone(browser, live_server, world, setup_data):
    paths = [
        reverse("onboarding:setup_agreements"),
        reverse("onboarding:setup_agreement_create"),
        reverse("onboarding:setup_agreement", args=[setup_data["agreement"].pk]),
        reverse("onboarding:setup_agreement_edit", args=[setup_data["agreement"].pk]),
        reverse("onboarding:setup_owner_rules"),
        reverse("deals:setup_policies"),
        reverse("deals:setup_policy_edit", args=[setup_data["policy"].pk]),
        reverse("incentives:setup_award_rules"),
        reverse("incentives:setup_award_rule_edit", args=[setup_data["rule"].pk]),
        reverse("incentives:setup_allocations"),
        reverse("incentives:setup_allocation_edit", args=[setup_data["allocation"].pk]),
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
    context.close()
    assert too_wide == {}


def test_the_agreement_preview_follows_the_text_and_removing_a_rule_asks_first(
    browser, live_server, world, setup_data
):
    context = _context(
        browser, live_server, world.users["vendor_admin"], {"width": 1280, "height": 800}
    )
    page = context.new_page()
    edit = reverse("onboarding:setup_agreement_edit", args=[setup_data["agreement"].pk])
    page.goto(live_server.url + edit)
    page.fill("#id_body", "Partners **agree** <script>window.hacked = 1</script>")
    preview = page.locator("[data-markdown-preview='id_body']")
    preview.locator("strong").wait_for()
    assert preview.inner_html().count("<script") == 0
    assert page.evaluate("window.hacked === undefined")

    page.goto(live_server.url + reverse("onboarding:setup_owner_rules"))
    rule_pk = OwnerRule.objects.get().pk
    remove = page.locator(
        f"form[action='{reverse('onboarding:setup_owner_rule_delete', args=[rule_pk])}'] button"
    )
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    remove.click()
    page.wait_for_timeout(300)
    assert asked and "Stop giving" in asked[0]
    assert OwnerRule.objects.filter(pk=rule_pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        remove.click()
    assert not OwnerRule.objects.exists()
    context.close()
