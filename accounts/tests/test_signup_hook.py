"""Sign-up reaches partners' invitations only through the hook partners registers
(``accounts.signup``, issue 17 HOOKS): accounts imports no partner code."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.signup import invitation_for_signup, invitation_handlers
from partners import services

pytestmark = pytest.mark.django_db


def test_partners_registers_its_invitations_for_sign_up(world):
    invitation, token = services.invitation_create(
        partner=world.partner_a,
        email="hooked@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    assert "partners" in invitation_handlers
    found = invitation_for_signup(token=token)
    assert found is not None and found.email == invitation.email
    assert invitation_for_signup(token="not-a-token") is None


def test_sign_up_is_closed_when_no_app_registers_invitations(client, world):
    _, token = services.invitation_create(
        partner=world.partner_a,
        email="orphan@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    client.post(reverse("partners:invitation_accept", args=[token]))
    handler = invitation_handlers.unregister("partners")
    try:
        response = client.post(
            reverse("account_signup"),
            {
                "email": "orphan@alpha.example",
                "password1": "long-enough-pass-1",
                "password2": "long-enough-pass-1",
            },
        )
    finally:
        invitation_handlers.register("partners", handler)
    assert not User.objects.filter(email="orphan@alpha.example").exists()
    assert "closed" in response.content.decode().lower()


def test_the_sign_up_form_offers_the_name_the_inviter_gave(client, world):
    """An imported person's invitation carries a name: the sign-up form is prefilled with it (and
    stays editable); an invitation without a name leaves the field empty."""
    named, named_token = services.invitation_create(
        partner=world.partner_a,
        email="named@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    named.full_name = "Grace Hopper"
    named.save(update_fields=["full_name"])
    assert invitation_for_signup(token=named_token).full_name == "Grace Hopper"
    client.post(reverse("partners:invitation_accept", args=[named_token]))
    form = client.get(reverse("account_signup")).context["form"]
    assert form["full_name"].value() == "Grace Hopper"

    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Grace B. Hopper",
            "email": "named@alpha.example",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="named@alpha.example").full_name == "Grace B. Hopper"

    client.logout()
    _, plain_token = services.invitation_create(
        partner=world.partner_a,
        email="plain@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    client.post(reverse("partners:invitation_accept", args=[plain_token]))
    form = client.get(reverse("account_signup")).context["form"]
    assert not form["full_name"].value()
