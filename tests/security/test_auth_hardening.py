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

from accounts.choices import VendorRole
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


# --- Staff MFA on every way in: session API, token creation, existing tokens (issue 16) ----------


def _mfa_refusal(response, status) -> bool:
    body = response.json()
    return (
        response.status_code == status
        and body["code"] == "mfa_required"
        and "two-factor authentication" in body["detail"]
    )


@override_settings(PRM_MFA_REQUIRED_FOR_STAFF=True)
def test_staff_without_mfa_get_a_json_403_from_the_session_api(client_as, world):
    from deals.tests.factories import make_deal

    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    manager = client_as("manager_owner")
    assert _mfa_refusal(manager.get("/api/v1/partners/"), 403)
    response = manager.post(
        f"/api/v1/deals/{deal.pk}/reject/", {"reason": "No"}, content_type="application/json"
    )
    assert _mfa_refusal(response, 403)
    deal.refresh_from_db()
    assert deal.status == "submitted"
    # partner users are not asked; staff with TOTP get through
    assert client_as("partner_a_user").get("/api/v1/partners/").status_code == 200
    TOTP.activate(world.users["manager_owner"], generate_totp_secret())
    assert manager.get("/api/v1/partners/").status_code == 200


@override_settings(PRM_MFA_REQUIRED_FOR_STAFF=True)
def test_staff_without_mfa_cannot_create_api_tokens(client_as, world):
    from accounts import services as account_services
    from accounts.models import ApiToken

    manager = client_as("manager_owner")
    response = manager.post(reverse("api_tokens"), {"name": "ci", "scope": "write"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    with pytest.raises(account_services.TokenError, match="two-factor authentication"):
        account_services.api_token_create(
            user=world.users["vendor_admin"], name="ci", scope="write"
        )
    assert not ApiToken.objects.exists()
    # partner users still create theirs
    partner = client_as("partner_a_admin")
    assert partner.post(reverse("api_tokens"), {"name": "crm", "scope": "read"}).status_code == 200
    assert ApiToken.objects.filter(user=world.users["partner_a_admin"]).count() == 1


def test_tokens_of_staff_without_required_mfa_are_refused(world):
    from accounts import services as account_services
    from deals.tests.factories import make_deal

    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    # made before the rule was switched on (or before the staff role was granted)
    raw = account_services.api_token_create(
        user=world.users["manager_owner"], name="old", scope="write"
    ).raw
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    with override_settings(PRM_MFA_REQUIRED_FOR_STAFF=True):
        assert _mfa_refusal(client.get("/api/v1/partners/", **headers), 401)
        response = client.post(
            f"/api/v1/deals/{deal.pk}/reject/",
            {"reason": "No"},
            content_type="application/json",
            **headers,
        )
        assert _mfa_refusal(response, 401)
        deal.refresh_from_db()
        assert deal.status == "submitted"
        TOTP.activate(world.users["manager_owner"], generate_totp_secret())
        assert client.get("/api/v1/partners/", **headers).status_code == 200


@override_settings(PRM_MFA_REQUIRED_FOR_STAFF=True)
def test_staff_without_mfa_are_sent_to_set_it_up_from_every_signed_in_page(client_as):
    manager = client_as("manager_owner")
    for page in ("/", reverse("api_tokens"), "/learn/"):
        response = manager.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("mfa_activate_totp")), page
    # logging out stays possible
    assert manager.post(reverse("account_logout")).status_code == 302


# --- The Django admin is for superusers only (issue 18) ------------------------------------------


def test_a_vendor_admin_who_is_not_a_superuser_cannot_enter_the_django_admin(client):
    vendor_admin = UserFactory(vendor_role=VendorRole.ADMIN, is_staff=True, is_superuser=False)
    client.force_login(vendor_admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"]).status_code == 403
    assert client.get("/admin/partners/program/").status_code == 302
    assert client.get(reverse("console:setup")).status_code == 200  # the product's setup instead


def test_a_superuser_still_enters_the_django_admin(client_as):
    assert client_as("vendor_admin").get("/admin/").status_code == 200
