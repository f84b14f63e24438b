"""The tier review page offers Review / override links only for partners the viewer may override
(issue 16, item 25: a channel manager saw Review for partners they do not own, a 404)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tiers.choices import TierChangeKind
from tiers.models import TierHistory, TierStanding

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_a_at_risk_pinned_and_changed(world):
    now = timezone.now()
    TierStanding.objects.create(
        partner=world.partner_a,
        below_since=now - timedelta(days=3),
        demote_after=now + timedelta(days=27),
        pinned_until=now + timedelta(days=60),
        override_reason="Launch partner",
    )
    TierHistory.objects.create(
        partner=world.partner_a,
        kind=TierChangeKind.OVERRIDE,
        to_tier=world.partner_a.tier,
        at=now,
        reason="Launch partner",
    )
    return world.partner_a


@pytest.mark.parametrize("persona", ["manager_owner", "manager_other", "vendor_admin"])
def test_every_partner_link_on_the_tier_review_opens_for_the_viewer(
    client_as, partner_a_at_risk_pinned_and_changed, persona
):
    client = client_as(persona)
    page = client.get(reverse("tiers:tier_review")).content.decode()
    assert "Alpha Systems" in page
    links = set(re.findall(r'href="(/manage/[^"#]*)"', page))
    assert links
    statuses = {href: client.get(href).status_code for href in links}
    assert {href: s for href, s in statuses.items() if s != 200} == {}


def test_a_manager_sees_review_only_for_the_partners_they_own(
    client_as, partner_a_at_risk_pinned_and_changed
):
    override = reverse("tiers:tier_override", args=[partner_a_at_risk_pinned_and_changed.pk])
    assert override in client_as("manager_owner").get(reverse("tiers:tier_review")).content.decode()
    other = client_as("manager_other").get(reverse("tiers:tier_review")).content.decode()
    assert override not in other and "Review<span" not in other
