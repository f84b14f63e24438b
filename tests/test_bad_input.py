"""Junk sent to every form of the foundation gets a 4xx or a page with a message, never a 500,
and loses nothing already saved."""

import pytest
from django.urls import reverse

from partners.models import PartnerInvitation, PartnerMembership

pytestmark = pytest.mark.django_db

JUNK = [
    {},
    {"email": "x" * 5000, "role": "admin" * 100},
    {"email": "\x00bad", "role": "\u202e"},
    {"email": ["a@b.example", "not an email"], "role": ["user", "owner"]},
    {"login": "' OR 1=1 --", "password": "x" * 10_000},
    {"password1": "short", "password2": "different", "email": "not-an-email"},
]


def form_routes(world):
    membership = world.users["partner_a_user"].membership
    return [
        ("partner_a_admin", reverse("partners:team")),
        ("partner_a_admin", reverse("partners:member_role", args=[membership.pk])),
        ("partner_a_admin", reverse("partners:invitation_accept", args=["not-a-token"])),
        ("anonymous", reverse("account_login")),
        ("anonymous", reverse("account_signup")),
        ("anonymous", reverse("account_reset_password")),
        ("partner_a_user", reverse("account_change_password")),
        ("partner_a_user", reverse("account_email")),
    ]


@pytest.mark.parametrize("payload", JUNK)
def test_junk_on_every_form_never_causes_a_server_error(client_as, world, payload):
    before = (PartnerMembership.objects.count(), PartnerInvitation.objects.count())
    for persona, url in form_routes(world):
        response = client_as(persona).post(url, payload)
        assert response.status_code < 500, (persona, url, response.status_code)
    assert (PartnerMembership.objects.count(), PartnerInvitation.objects.count()) == before


@pytest.mark.parametrize(
    "path", ["/portal/team/abc/role/", "/manage/partners/99999999999999999999/"]
)
def test_malformed_ids_in_urls_are_404(client_as, world, path):
    assert client_as("manager_owner").get(path).status_code == 404
    assert client_as("partner_a_admin").post(path, {"role": "user"}).status_code == 404
