"""Inviting on the team page does not tell a partner admin which addresses have accounts (another
partner's users, vendor staff), and invitations are rate limited (issue 16)."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from partners import services
from partners.models import PartnerInvitation
from partners.selectors import invitation_get_open

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody@nowhere.example"
OTHER_PARTNERS_USER = "admin@bravo.example"
VENDOR_STAFF = "admin@vendor.example"


def _invite(client, email, captured):
    with captured(execute=True):
        response = client.post(reverse("partners:team"), {"email": email, "role": "user"})
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    return response, page


def test_inviting_an_existing_account_answers_like_an_unknown_address(
    client_as, world, django_capture_on_commit_callbacks
):
    client = client_as("partner_a_admin")
    for email in (UNKNOWN, OTHER_PARTNERS_USER, VENDOR_STAFF):
        response, page = _invite(client, email, django_capture_on_commit_callbacks)
        # the same answer each time: back to the team page, "sent", the address pending
        assert response.status_code == 302, email
        assert response["Location"] == reverse("partners:team")
        assert f"Invitation sent to {email}." in page
        assert "already has an account" not in page
    for email in (OTHER_PARTNERS_USER, VENDOR_STAFF):
        assert PartnerInvitation.objects.filter(
            partner=world.partner_a, email=email, revoked_at__isnull=True
        ).exists()
    # the accounts behind them are untouched and told what happened, with nothing to accept
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "/invitations/" in by_address[UNKNOWN]
    for email in (OTHER_PARTNERS_USER, VENDOR_STAFF):
        assert "/invitations/" not in by_address[email]
        assert "nothing to accept" in by_address[email]
    world.users["partner_b_admin"].refresh_from_db()
    assert world.users["partner_b_admin"].membership.partner == world.partner_b
    assert world.users["partner_b_admin"].is_active
    assert not hasattr(world.users["vendor_admin"], "membership")


def test_an_invitation_for_an_existing_account_cannot_be_accepted(world):
    invitation, token = services.invitation_create(
        partner=world.partner_a,
        email=OTHER_PARTNERS_USER,
        invited_by=world.users["partner_a_admin"],
    )
    assert invitation_get_open(token=token) == invitation  # the token exists but is never sent
    with pytest.raises(services.PartnerError, match="already belongs to an organization"):
        services.invitation_accept(invitation=invitation, user=world.users["partner_b_admin"])


def test_the_application_review_still_learns_that_the_contact_has_an_account(world):
    with pytest.raises(services.PartnerError, match="already has an account"):
        services.invitation_create(
            partner=world.partner_a,
            email=OTHER_PARTNERS_USER,
            invited_by=world.users["manager_owner"],
            refuse_existing_accounts=True,
        )
    assert not PartnerInvitation.objects.exists()


@override_settings(PRM_INVITATION_RATE_LIMIT="2/1h/user,3/1h/key")
def test_too_many_invitations_in_an_hour_are_refused_with_a_429(
    client_as, world, django_capture_on_commit_callbacks
):
    from partners.tests.factories import MembershipFactory

    admin = client_as("partner_a_admin")
    for n in range(2):
        response, _ = _invite(admin, f"p{n}@alpha.example", django_capture_on_commit_callbacks)
        assert response.status_code == 302
    response, _ = _invite(admin, "p9@alpha.example", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many invitations" in response.content.decode()
    # per partner too: a second admin of the same partner gets one more, then 429
    second = MembershipFactory(partner=world.partner_a, role="admin").user
    admin.force_login(second)
    assert (
        _invite(admin, "q1@alpha.example", django_capture_on_commit_callbacks)[0].status_code == 302
    )
    assert (
        _invite(admin, "q2@alpha.example", django_capture_on_commit_callbacks)[0].status_code == 429
    )
    assert PartnerInvitation.objects.count() == 3
    # another partner is not affected
    other = client_as("partner_b_admin")
    assert (
        _invite(other, "r@bravo.example", django_capture_on_commit_callbacks)[0].status_code == 302
    )
