"""Login and password-reset rate limits (RELIABILITY.md B1, E3) and two-factor authentication
enforced for vendor staff (B3)."""

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_after_five_wrong_passwords_even_the_right_one_is_refused_until_the_window_passes():
    user = UserFactory(email="target@alpha.example")
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert login(client, user.email, "wrong-password").status_code == 200
        response = login(client, user.email, PASSWORD)
        assert not is_logged_in(client)
        assert "Too many failed login attempts" in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert login(client, user.email, PASSWORD).status_code == 302
        assert is_logged_in(client)


def test_one_address_trying_many_accounts_is_limited_per_ip():
    """Credential stuffing (B2): 10 failures a minute per IP, whatever the account."""
    users = [UserFactory(email=f"victim{i}@alpha.example") for i in range(11)]
    client = Client()
    for user in users[:10]:
        login(client, user.email, "wrong-password")
    response = login(client, users[10].email, PASSWORD)
    assert not is_logged_in(client)
    assert response.status_code in (200, 429)


def test_password_reset_requests_for_one_address_stop_after_five_a_minute():
    user = UserFactory(email="reset@alpha.example")
    client = Client()
    statuses = [
        client.post(reverse("account_reset_password"), {"email": user.email}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


STAFF_PAGES = ["/manage/", "/admin/"]


@pytest.mark.parametrize("persona", ["manager_owner", "vendor_admin"])
@override_settings(PRM_MFA_REQUIRED_FOR_STAFF=True)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client_as, persona):
    client = client_as(persona)
    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("mfa_activate_totp")), page
    # setting it up stays reachable (allauth asks a force-logged-in user to re-enter the password)
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200 or setup["Location"].startswith(
        reverse("account_reauthenticate")
    )


@override_settings(PRM_MFA_REQUIRED_FOR_STAFF=True)
def test_staff_with_totp_reach_their_pages_and_partners_are_not_asked(client_as, world):
    TOTP.activate(world.users["vendor_admin"], generate_totp_secret())
    admin = client_as("vendor_admin")
    assert admin.get("/manage/").status_code == 200
    assert admin.get("/admin/").status_code == 200
    assert client_as("partner_a_admin").get("/portal/").status_code == 200


def test_without_the_setting_staff_are_not_forced(client_as):
    assert client_as("manager_owner").get("/manage/").status_code == 200
