import pytest
from django.urls import reverse

from deals.models import RegistrationPolicy
from deals.tests.factories import make_deal
from tests.roles import assert_role_matrix

pytestmark = pytest.mark.django_db


def to_admin_login(response):
    return response.status_code == 302 and "/admin/login/" in response["Location"]


def only_vendor_admins(ok=200):
    return {
        "anonymous": to_admin_login,
        "partner_a_admin": to_admin_login,
        "partner_a_user": to_admin_login,
        "partner_b_admin": to_admin_login,
        "manager_owner": to_admin_login,
        "manager_other": to_admin_login,
        "vendor_admin": ok,
    }


def test_deal_admin_pages_are_for_vendor_admins_and_deals_are_read_only(client_as, world):
    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    assert_role_matrix(client_as, reverse("admin:deals_deal_changelist"), only_vendor_admins())
    # the change page is a read-only view: the workflow runs through the services
    assert_role_matrix(
        client_as, reverse("admin:deals_deal_change", args=[deal.pk]), only_vendor_admins()
    )
    body = client_as("vendor_admin").get(reverse("admin:deals_deal_change", args=[deal.pk]))
    assert b'name="_save"' not in body.content


def test_vendor_admin_sets_a_tier_protection_period_in_the_admin(client_as, world):
    assert_role_matrix(
        client_as, reverse("admin:deals_registrationpolicy_add"), only_vendor_admins()
    )
    response = client_as("vendor_admin").post(
        reverse("admin:deals_registrationpolicy_add"),
        {
            "program": world.partner_a.program_id,
            "tier": world.partner_a.tier_id,
            "protection_days": "120",
            "warning_days": "10",
        },
    )
    assert response.status_code == 302
    policy = RegistrationPolicy.objects.get()
    assert (policy.protection_days, policy.tier_id) == (120, world.partner_a.tier_id)
    bad = client_as("vendor_admin").post(
        reverse("admin:deals_registrationpolicy_add"),
        {"program": world.partner_a.program_id, "protection_days": "0", "warning_days": "10"},
    )
    assert bad.status_code == 200 and b"greater than or equal to 1" in bad.content
