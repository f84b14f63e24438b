"""Account flows through allauth: login by email, verification, reset, invitation sign-up, MFA."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from events.models import Event
from partners import services

pytestmark = pytest.mark.django_db
LOGIN_URL = reverse("account_login")


def test_login_with_email_lands_on_the_home_and_records_one_login_event(client, world):
    user = world.users["partner_a_user"]
    response = client.post(LOGIN_URL, {"login": "USER@alpha.example", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).url == reverse("partners:home")
    logins = Event.objects.filter(kind="auth.login", user=user)
    assert logins.count() == 1 and logins.get().partner_id == world.partner_a.pk


def test_wrong_password_shows_a_clear_error_and_logs_nobody_in(client, world):
    response = client.post(LOGIN_URL, {"login": "user@alpha.example", "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not Event.objects.filter(kind="auth.login").exists()


def test_an_unverified_address_must_be_confirmed_before_login(client, db):
    UserFactory(email="fresh@example.com", verified=False)
    response = client.post(LOGIN_URL, {"login": "fresh@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1 and "confirm" in mail.outbox[0].body.lower()


def test_password_reset_mails_a_link_that_sets_a_new_password(client, world):
    client.post(reverse("account_reset_password"), {"email": "user@alpha.example"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    form_page = client.get(path, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(
        form_url, {"password1": "a-brand-new-pass-42", "password2": "a-brand-new-pass-42"}
    )
    assert done.status_code == 302
    assert User.objects.get(email="user@alpha.example").check_password("a-brand-new-pass-42")


def test_logout_ends_the_session(client, world):
    client.force_login(world.users["partner_a_user"])
    client.post(reverse("account_logout"))
    assert client.get(reverse("partners:home")).status_code == 302


def test_sign_up_is_closed_without_an_invitation(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "walk-in@example.com",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert not User.objects.filter(email="walk-in@example.com").exists()
    assert "closed" in response.content.decode().lower()


def test_invited_colleague_signs_up_joins_the_team_and_needs_no_extra_verification(client, world):
    _, token = services.invitation_create(
        partner=world.partner_a,
        email="newbie@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    start = client.post(reverse("partners:invitation_accept", args=[token]))
    assert start["Location"] == reverse("account_signup")
    form = client.get(reverse("account_signup"))
    assert "newbie@alpha.example" in form.content.decode()
    done = client.post(
        reverse("account_signup"),
        {
            "full_name": "  Nora   Newbie ",
            "email": "newbie@alpha.example",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert done.status_code == 302
    user = User.objects.get(email="newbie@alpha.example")
    assert user.membership.partner == world.partner_a
    assert user.full_name == "Nora Newbie"
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("partners:home")).status_code == 200


def test_invited_sign_up_asks_for_the_name_and_refuses_a_blank_one(client, world):
    _, token = services.invitation_create(
        partner=world.partner_a,
        email="newbie@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    client.post(reverse("partners:invitation_accept", args=[token]))
    form = client.get(reverse("account_signup")).content.decode()
    assert 'name="full_name"' in form
    assert form.index('name="full_name"') < form.index('name="email"')
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "   ",
            "email": "newbie@alpha.example",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert response.status_code == 200 and "full_name" in response.context["form"].errors
    assert not User.objects.filter(email="newbie@alpha.example").exists()


def test_invited_sign_up_with_another_address_is_refused_with_a_message(client, world):
    _, token = services.invitation_create(
        partner=world.partner_a,
        email="newbie@alpha.example",
        invited_by=world.users["partner_a_admin"],
    )
    client.post(reverse("partners:invitation_accept", args=[token]))
    response = client.post(
        reverse("account_signup"),
        {
            "email": "someone-else@alpha.example",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert response.status_code == 200
    assert "sent to newbie@alpha.example" in response.content.decode()
    assert not User.objects.filter(email="someone-else@alpha.example").exists()


def test_two_factor_setup_is_available_to_every_user(client, world):
    client.force_login(world.users["partner_a_user"])
    assert client.get(reverse("mfa_index")).status_code == 200
    activate = reverse("mfa_activate_totp")
    # Sensitive account changes ask for the password again first.
    ask = client.get(activate)
    assert ask.status_code == 302 and ask["Location"].startswith(reverse("account_reauthenticate"))
    client.post(ask["Location"], {"password": PASSWORD})
    page = client.get(activate)
    assert page.status_code == 200 and "secret" in page.content.decode().lower()


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
