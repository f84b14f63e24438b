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
