"""Tier and benefit names in several languages (issue 23, kernel.translations): the tier setup
pages store the versions; the partner home shows the reader's language, else the default."""

import pytest
from django.urls import reverse
from django.utils import translation

from partners.models import TierBenefit

pytestmark = pytest.mark.django_db


def _german_page(client_as, world, url):
    user = world.users["partner_a_admin"]
    user.language = "de"
    user.save(update_fields=["language"])
    with translation.override("de"):
        return client_as("partner_a_admin").get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_a_german_partner_sees_its_tier_and_benefits_in_german_where_present(client_as, world):
    tier = world.partner_a.tier
    tier.translations = {"de": {"name": "Registriert"}}
    tier.save()
    TierBenefit.objects.create(
        tier=tier,
        name="Sales playbooks",
        description="Every tool in one place.",
        translations={"de": {"name": "Vertriebshandbücher"}},
    )
    TierBenefit.objects.create(tier=tier, name="Newsletter", position=2)
    page = _german_page(client_as, world, reverse("partners:home"))
    assert "Registriert" in page and "Vertriebshandbücher" in page
    assert "Newsletter" in page  # no German version: the default
    assert "Every tool in one place." in page  # no German description: the default
    assert "Sales playbooks" not in page
    with translation.override("en"):
        english = client_as("partner_b_admin").get(reverse("partners:home")).content.decode()
    assert "Registered" in english and "Registriert" not in english


def test_the_tier_edit_page_stores_the_versions_and_keeps_the_default_name(client_as, world):
    tier = world.partner_a.tier
    url = reverse("tiers:setup_tier_edit", args=[tier.pk])
    page = client_as("vendor_admin").get(url).content.decode()
    assert 'name="tr_ja_name"' in page
    response = client_as("vendor_admin").post(
        url,
        {
            "name": tier.name,
            "rank": tier.rank,
            "description": "",
            "tr_de_name": "Registriert",
            "tr_ja_name": "登録済み",
            "action": "save",
        },
    )
    assert response.status_code == 302
    tier.refresh_from_db()
    assert tier.name == "Registered"
    assert tier.translations == {"de": {"name": "Registriert"}, "ja": {"name": "登録済み"}}


def test_the_benefit_pages_store_the_versions(client_as, world):
    tier = world.partner_a.tier
    response = client_as("vendor_admin").post(
        reverse("tiers:setup_benefit_create", args=[tier.pk]),
        {
            "kind": "other",
            "name": "Partner portal",
            "position": 0,
            "tr_fr_name": "Portail partenaire",
            "tr_fr_description": "Tous les outils.",
            "action": "save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    benefit = TierBenefit.objects.get(tier=tier, name="Partner portal")
    assert benefit.translations == {
        "fr": {"name": "Portail partenaire", "description": "Tous les outils."}
    }
