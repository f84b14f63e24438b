"""The team page's actions and the links a partner's pages offer to each role."""

import re

import pytest
from django.urls import reverse

from partners.choices import MemberRole

pytestmark = pytest.mark.django_db


def test_changing_a_teammates_role_names_the_new_role_and_the_person(client_as, world):
    teammate = world.users["partner_a_user"]
    teammate.full_name = "Pat Teammate"
    teammate.save(update_fields=["full_name"])
    response = client_as("partner_a_admin").post(
        reverse("partners:member_role", args=[teammate.membership.pk]),
        {"role": MemberRole.ADMIN},
        follow=True,
    )
    page = response.content.decode()
    assert "Pat Teammate is now Partner admin." in page, re.findall(r"is now [^<]*", page)


def test_opening_an_action_address_shows_a_page_that_leads_back(client_as, world):
    teammate = world.users["partner_a_user"]
    url = reverse("partners:member_remove", args=[teammate.membership.pk])
    team = reverse("partners:team")
    response = client_as("partner_a_admin").get(url, HTTP_REFERER=f"http://testserver{team}")
    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    page = response.content.decode()
    assert "only receives a form" in page and f'href="http://testserver{team}"' in page
    teammate.refresh_from_db()
    assert teammate.is_active


def test_a_foreign_referer_is_not_offered_as_the_way_back(client_as, world):
    url = reverse("partners:member_remove", args=[world.users["partner_a_user"].membership.pk])
    response = client_as("partner_a_admin").get(url, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 405
    assert "evil.example" not in response.content.decode()
