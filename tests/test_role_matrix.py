"""Every portal route requested as every persona (see tests/roles.py)."""

import pytest
from django.urls import reverse

from conftest import PERSONAS
from events.tests.payloads import payload
from partners import services
from partners.choices import MemberRole
from partners.tests.factories import MembershipFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

PARTNERS_ONLY = {"manager_owner": 404, "manager_other": 404, "vendor_admin": 404}


def redirects_to(name):
    return lambda r: r.status_code == 302 and r["Location"] == reverse(name)


def to_admin_login(response):
    return response.status_code == 302 and "/admin/login/" in response["Location"]


def test_home_sends_each_role_to_its_own_home(client_as):
    partner, manager = redirects_to("partners:home"), redirects_to("partners:manager_home")
    assert_role_matrix(
        client_as,
        reverse("home"),
        {
            "anonymous": LOGIN,
            "partner_a_admin": partner,
            "partner_a_user": partner,
            "partner_b_admin": partner,
            "manager_owner": manager,
            "manager_other": manager,
            "vendor_admin": manager,
        },
    )


def test_partner_home_is_for_partner_users(client_as):
    assert_role_matrix(
        client_as,
        reverse("partners:home"),
        {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 200, "partner_b_admin": 200}
        | PARTNERS_ONLY,
    )


def test_team_page_is_for_partner_admins(client_as):
    assert_role_matrix(
        client_as,
        reverse("partners:team"),
        {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 404, "partner_b_admin": 200}
        | PARTNERS_ONLY,
    )


def test_changing_a_role_is_only_for_the_members_own_partner_admin(client_as, world):
    membership = world.users["partner_a_user"].membership
    assert_role_matrix(
        client_as,
        reverse("partners:member_role", args=[membership.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 404, "partner_b_admin": 404}
        | PARTNERS_ONLY,
        method="post",
        data={"role": MemberRole.USER},
    )


def test_removing_a_member_is_only_for_the_members_own_partner_admin(client_as, world):
    membership = MembershipFactory(partner=world.partner_a)  # not a persona: removal is for real
    outsiders = {"anonymous": LOGIN, "partner_a_user": 404, "partner_b_admin": 404} | PARTNERS_ONLY
    url = reverse("partners:member_remove", args=[membership.pk])
    assert_role_matrix(client_as, url, outsiders | {"partner_a_admin": 302}, method="post")
    assert not type(membership).objects.filter(pk=membership.pk).exists()


def test_withdrawing_an_invitation_is_only_for_its_partners_admin(client_as, world):
    invitation, _ = services.invitation_create(
        partner=world.partner_a,
        email="new@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    assert_role_matrix(
        client_as,
        reverse("partners:invitation_revoke", args=[invitation.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 404, "partner_b_admin": 404}
        | PARTNERS_ONLY,
        method="post",
    )


def test_manager_pages_are_for_vendor_staff(client_as, world):
    staff = {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200}
    partners = {
        "anonymous": LOGIN,
        "partner_a_admin": 404,
        "partner_a_user": 404,
        "partner_b_admin": 404,
    }
    assert_role_matrix(client_as, reverse("partners:manager_home"), partners | staff)
    detail = reverse("partners:manager_partner", args=[world.partner_a.pk])
    assert_role_matrix(client_as, detail, partners | staff)


def test_django_admin_is_for_vendor_admins_only(client_as):
    assert_role_matrix(
        client_as,
        reverse("admin:index"),
        {
            "anonymous": to_admin_login,
            "partner_a_admin": to_admin_login,
            "partner_a_user": to_admin_login,
            "partner_b_admin": to_admin_login,
            "manager_owner": to_admin_login,
            "manager_other": to_admin_login,
            "vendor_admin": 200,
        },
    )


def test_invitation_link_and_health_check_are_public(client_as, world):
    _, token = services.invitation_create(
        partner=world.partner_a,
        email="new@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    everyone = dict.fromkeys(PERSONAS, 200)
    assert_role_matrix(client_as, reverse("partners:invitation_accept", args=[token]), everyone)
    assert_role_matrix(client_as, reverse("healthz"), everyone)
    assert (
        client_as("anonymous").get(reverse("partners:invitation_accept", args=["nope"])).status_code
        == 404
    )


def test_partner_a_data_never_appears_in_partner_b_pages(client_as, world):
    """A sentinel planted in partner A's data must not leak into anything partner B can open."""
    from events.services import record_event

    sentinel = "SENTINEL-ALPHA-7f3a"
    world.partner_a.name = sentinel
    world.partner_a.save(update_fields=["name"])
    record_event(
        kind="deal.submitted",
        key="leak-probe",
        partner=world.partner_a,
        user=world.users["partner_a_admin"],
        properties=payload("deal.submitted", {"offerings": [sentinel]}),
    )
    services.invitation_create(
        partner=world.partner_a,
        email="sentinel@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    client = client_as("partner_b_admin")
    for url in [reverse("partners:home"), reverse("partners:team"), reverse("home")]:
        response = client.get(url, follow=True)
        assert response.status_code == 200
        body = response.content.decode()
        assert sentinel not in body and "sentinel@alpha.example" not in body, url
        assert "admin@alpha.example" not in body and "user@alpha.example" not in body, url
    detail = client.get(reverse("partners:manager_partner", args=[world.partner_a.pk]))
    assert detail.status_code == 404 and sentinel not in detail.content.decode()


VENDOR_ONLY = {"partner_a_admin": 404, "partner_a_user": 404, "partner_b_admin": 404}


def test_tier_review_is_for_vendor_staff(client_as):
    assert_role_matrix(
        client_as,
        reverse("tiers:tier_review"),
        {"anonymous": LOGIN, "manager_owner": 200, "manager_other": 200, "vendor_admin": 200}
        | VENDOR_ONLY,
    )


def test_tier_override_is_for_the_owning_manager_and_vendor_admins(client_as, world):
    url = reverse("tiers:tier_override", args=[world.partner_a.pk])
    owner_or_admin = {"manager_owner": 200, "manager_other": 404, "vendor_admin": 200}
    assert_role_matrix(client_as, url, {"anonymous": LOGIN} | VENDOR_ONLY | owner_or_admin)
    done = redirects_to_url(url)
    assert_role_matrix(
        client_as,
        url,
        {"anonymous": LOGIN, "manager_owner": done, "manager_other": 404, "vendor_admin": done}
        | VENDOR_ONLY,
        method="post",
        data={"tier": world.partner_a.tier_id, "reason": "Reviewed"},
    )


def redirects_to_url(url):
    return lambda r: r.status_code == 302 and r["Location"] == url
