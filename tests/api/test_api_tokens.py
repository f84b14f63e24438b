"""Personal API tokens: created and revoked on the settings page, shown once, stored hashed,
scoped read/write, last use recorded."""

import hashlib

import pytest
import time_machine
from django.urls import reverse

from accounts import selectors, services
from accounts.models import ApiToken
from conftest import PERSONAS
from tests.api.helpers import bearer, token_for
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db


def test_the_token_page_is_for_every_logged_in_user(client_as):
    expected = dict.fromkeys(PERSONAS, 200) | {"anonymous": LOGIN}
    assert_role_matrix(client_as, reverse("api_tokens"), expected)


def test_a_created_token_is_shown_once_and_stored_only_as_a_hash(client_as, world):
    client = client_as("partner_a_admin")
    response = client.post(reverse("api_tokens"), {"name": "CRM sync", "scope": "write"})
    assert response.status_code == 200
    raw = response.context["issued"].raw
    assert raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert token.name == "CRM sync" and token.scope == "write"
    secret = raw.split("_")[2]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.secret_hash and token.prefix == raw.split("_")[1]
    again = client.get(reverse("api_tokens")).content.decode()
    assert raw not in again and token.prefix in again


def test_a_nameless_token_is_refused_with_a_message(client_as):
    response = client_as("partner_a_admin").post(
        reverse("api_tokens"), {"name": " ", "scope": "read"}
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_token_authenticates_until_it_is_revoked(client_as, world, client):
    raw = token_for(world.users["partner_a_admin"])
    assert client.get("/api/v1/partners/", **bearer(raw)).status_code == 200
    token = ApiToken.objects.get()
    response = client_as("partner_a_admin").post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    response = client.get("/api/v1/partners/", **bearer(raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_nobody_can_revoke_someone_elses_token(client_as, world):
    raw = token_for(world.users["partner_a_admin"])
    token = ApiToken.objects.get()
    response = client_as("partner_b_admin").post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert selectors.api_token_authenticate(raw=raw) is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer prm_abc_def", "Bearer prm__x", "Bearer a b", "Bearer"],
)
def test_a_wrong_token_is_a_401_with_a_reason(client, world, header):
    response = client.get("/api/v1/partners/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_token_with_the_right_prefix_but_a_wrong_secret_is_refused(client, world):
    raw = token_for(world.users["partner_a_admin"])
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert client.get("/api/v1/partners/", **bearer(forged)).status_code == 401


def test_a_deactivated_users_token_stops_working(client, world):
    user = world.users["partner_a_admin"]
    raw = token_for(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/partners/", **bearer(raw)).status_code == 401


def test_a_read_token_cannot_write(client, world):
    raw = token_for(world.users["partner_a_admin"], scope="read")
    response = client.post(
        "/api/v1/deals/",
        {"customer_name": "Initech"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 403
    assert "read scope" in response.json()["detail"]
    assert client.get("/api/v1/deals/", **bearer(raw)).status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(client, world):
    raw = token_for(world.users["partner_a_admin"])
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        client.get("/api/v1/programs/", **bearer(raw))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    with time_machine.travel("2026-03-02 10:00:30Z", tick=False):
        client.get("/api/v1/programs/", **bearer(raw))
    assert ApiToken.objects.get().last_used_at == first
    with time_machine.travel("2026-03-02 10:02:00Z", tick=False):
        client.get("/api/v1/programs/", **bearer(raw))
    assert ApiToken.objects.get().last_used_at > first


def test_the_number_of_active_tokens_is_bounded(world):
    user = world.users["partner_a_user"]
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.api_token_create(user=user, name=f"t{n}")
    with pytest.raises(services.TokenError):
        services.api_token_create(user=user, name="one too many")
