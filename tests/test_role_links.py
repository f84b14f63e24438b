"""Every link a persona's home page and navigation offer opens for that persona (issue 16, item
19: partner users were sent to the partner-admin-only team page, a 404 for them)."""

import re

import pytest
from django.urls import reverse

from onboarding import services as onboarding_services
from onboarding.tests.factories import standard_template
from partners.models import Tier
from tiers.models import TierRequirement
from tiers.tests.tiers_helpers import M

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)')
NOT_PAGES = ("/static/", "/media/", "/admin/")  # assets; the Django admin is its own site


def _with_every_kind_of_suggestion(world):
    """Partner A gets a checklist with an "invite colleagues" step and a next tier whose
    requirements each come with an action link (the home page turns them into suggestions)."""
    silver = Tier.objects.get(program=world.partner_a.program, name="Silver")
    for metric, minimum in (
        (M.ACTIVE_USERS_30D, 5),
        (M.REVENUE_12M, 1000),
        (M.COMPLETED_COURSES, 3),
        (M.ADOPTION_SCORE_90D, 50),
        (M.ACTIVATED, 1),
    ):
        TierRequirement.objects.create(tier=silver, metric=metric, minimum=minimum)
    standard_template(program=world.partner_a.program)
    onboarding_services.checklist_start(partner=world.partner_a)


def _links(html: str) -> set[str]:
    return {href for href in HREF.findall(html) if not href.startswith(NOT_PAGES)}


@pytest.mark.parametrize(
    ("persona", "home"),
    [
        ("partner_a_admin", "partners:home"),
        ("partner_a_user", "partners:home"),
        ("manager_owner", "partners:manager_home"),
        ("manager_owner", "metrics:dashboard"),
        ("vendor_admin", "partners:manager_home"),
    ],
)
def test_every_link_on_a_personas_home_and_nav_opens_for_them(client_as, world, persona, home):
    _with_every_kind_of_suggestion(world)
    client = client_as(persona)
    response = client.get(reverse(home))
    assert response.status_code == 200
    broken = {}
    for href in sorted(_links(response.content.decode())):
        target = client.get(href, follow=True)
        landed = target.redirect_chain[-1][0] if target.redirect_chain else href
        if target.status_code != 200 or "/accounts/login/" in landed:
            broken[href] = target.status_code
    assert broken == {}
