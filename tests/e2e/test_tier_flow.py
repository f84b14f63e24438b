"""A partner sees what is missing for the next tier, completes the missing certification, and
after the nightly evaluation sees the new tier and its benefits."""

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD
from enablement.tests.factories import (
    CertificateFactory,
    CertificationFactory,
    CourseFactory,
    LessonFactory,
    QuizFactory,
    make_question,
)
from partners.choices import BenefitKind, PartnerStatus
from partners.models import TierBenefit
from partners.services import partner_set_status
from tiers.evaluation import tiers_evaluate
from tiers.models import TierRequirement
from tiers.tests.tiers_helpers import M

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ladder(world):
    """Silver asks for two certified sales engineers; partner A's admin is the first."""
    partner = world.partner_a
    partner_set_status(partner=partner, status=PartnerStatus.ACTIVE)
    registered = partner.tier
    silver = partner.program.tiers.get(rank=2)
    course = CourseFactory(title="Sales Engineer Essentials", slug="se-essentials")
    LessonFactory(course=course, position=1, title="Discovery calls", body="Ask, then listen.")
    quiz = QuizFactory(course=course, title="Sales engineer quiz", pass_mark=100, max_attempts=3)
    make_question(quiz, text="Who talks most on a discovery call?", right=("The customer",),
                  wrong=("The sales engineer",))  # fmt: skip
    certification = CertificationFactory(name="Certified Sales Engineer", courses=[course])
    CertificateFactory(certification=certification, user=world.users["partner_a_admin"])
    TierRequirement.objects.create(
        tier=silver, metric=M.CERTIFIED_USERS, subject_id=certification.pk, minimum=2
    )
    for tier, discount, days in ((registered, 10, 60), (silver, 25, 120)):
        TierBenefit.objects.create(
            tier=tier, kind=BenefitKind.DISCOUNT_PERCENT, name="Discount", amount=discount
        )
        TierBenefit.objects.create(
            tier=tier, kind=BenefitKind.DEAL_PROTECTION_DAYS, name="Deal protection", amount=days
        )
    return silver


def test_partner_completes_the_missing_certification_and_is_promoted_overnight(
    page, live_server, world, ladder
):
    user = world.users["partner_a_user"]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/")

    progress = page.locator("[data-tier-progress]")
    assert "Reach Silver" in progress.inner_text()
    assert "1 of 2 certified people (Certified Sales Engineer)" in progress.inner_text()
    assert "0 of 1 requirements met" in progress.inner_text()
    page.screenshot(path=str(live_server_artifact("tier-progress-home.png")), full_page=True)

    # What to do next: the link goes to the certification's course.
    progress.get_by_role("link", name="Take Sales Engineer Essentials").click()
    page.get_by_role("button", name="Start course").click()
    page.locator("#lesson-complete").click()
    page.get_by_label("The customer", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    assert "Passed with 100%" in page.locator("h1").inner_text()

    # Before the nightly run the tier has not moved, but the requirement shows as met.
    page.goto(f"{live_server.url}/portal/")
    assert "2 of 2 certified people" in page.locator("[data-tier-progress]").inner_text()
    assert "Registered tier" in page.locator(".page-header").inner_text()

    result = tiers_evaluate(at=timezone.now())
    assert result.counts == {"promotion": 1}

    page.reload()
    assert "Silver tier" in page.locator(".page-header").inner_text()
    benefits = page.locator("[data-tier-benefits]").inner_text()
    assert "Your Silver benefits" in benefits
    assert "Discount: 25%" in benefits and "Deal protection: 120 days" in benefits
    assert "Top tier" in page.locator("[data-tier-progress]").inner_text()
    assert "Tier changed" in page.locator("#activity-title").locator("..").inner_text()
    page.screenshot(path=str(live_server_artifact("tier-promoted-home.png")), full_page=True)

    # The registration form applies the new tier's discount.
    page.goto(f"{live_server.url}/portal/deals/new/")
    assert "25% partner discount" in page.locator("[data-tier-benefits]").inner_text()
    page.screenshot(path=str(live_server_artifact("tier-promoted-deal-form.png")), full_page=True)


def live_server_artifact(name):
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent.parent / "var" / "e2e-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
