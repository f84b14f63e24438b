"""Webhook pages and API routes: vendor admins only; everybody else 404 (anonymous: login/401)."""

import pytest

from tests.api.helpers import assert_api_matrix, bearer, token_client_as, token_for
from tests.roles import LOGIN, assert_role_matrix
from webhooks import services
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

ADMIN_ONLY = {
    "anonymous": LOGIN,
    "partner_a_admin": 404,
    "partner_a_user": 404,
    "partner_b_admin": 404,
    "manager_owner": 404,
    "manager_other": 404,
    "vendor_admin": 200,
}
API_ADMIN_ONLY = {**ADMIN_ONLY, "anonymous": 401}


@pytest.fixture
def endpoint(settings):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    return services.endpoint_create(
        url="https://93.184.216.34/prm", event_types=["deal.won"], description="CRM"
    ).endpoint


def test_pages_are_for_vendor_admins_only(client_as, endpoint):
    assert_role_matrix(client_as, "/manage/webhooks/", ADMIN_ONLY)
    assert_role_matrix(client_as, f"/manage/webhooks/{endpoint.pk}/", ADMIN_ONLY)
    redirected = {**ADMIN_ONLY, "vendor_admin": 302}
    assert_role_matrix(
        client_as, f"/manage/webhooks/{endpoint.pk}/disable/", redirected, method="post"
    )


def test_registering_shows_the_secret_once(client_as, settings):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # no DNS lookup of the example host
    client = client_as("vendor_admin")
    response = client.post(
        "/manage/webhooks/",
        {"url": "https://hooks.example.com/a", "event_types": ["deal.won", "tier.changed"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and endpoint.secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert endpoint.secret not in client.get("/manage/webhooks/").content.decode()
    assert endpoint.secret not in client.get(f"/manage/webhooks/{endpoint.pk}/").content.decode()


def test_bad_input_is_a_400_with_the_reason_and_saves_nothing(client_as):
    client = client_as("vendor_admin")
    response = client.post("/manage/webhooks/", {"url": "ftp://x.example/", "event_types": []})
    assert response.status_code == 400 and not WebhookEndpoint.objects.exists()


def test_the_list_page_runs_a_bounded_number_of_queries(
    client_as, settings, django_assert_max_num_queries
):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    for n in range(15):
        services.endpoint_create(url=f"http://hooks{n}.example/", event_types=["deal.won"])
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(10):
        assert client.get("/manage/webhooks/").status_code == 200


def test_api_routes_are_for_vendor_admins_only(world, endpoint):
    make = token_client_as(world)
    for url in (
        "/api/v1/webhook-endpoints/",
        f"/api/v1/webhook-endpoints/{endpoint.pk}/",
        "/api/v1/webhook-deliveries/",
    ):
        assert_api_matrix(make, url, API_ADMIN_ONLY)
    assert_api_matrix(
        make,
        f"/api/v1/webhook-endpoints/{endpoint.pk}/test/",
        {**API_ADMIN_ONLY, "vendor_admin": 202},
        method="post",
    )


def test_api_create_returns_the_secret_once_and_refuses_unsafe_urls(client, world, settings):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    headers = bearer(token_for(world.users["vendor_admin"]))
    bad = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1/x", "event_types": ["deal.won"]},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 400 and "private" in bad.json()["detail"]
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    created = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://hooks.internal/x", "event_types": ["deal.won"]},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret == WebhookEndpoint.objects.get().secret
    listed = client.get("/api/v1/webhook-endpoints/", **headers).content.decode()
    assert secret not in listed


def _setup_changes(**filters):
    from audit.choices import AuditAction
    from audit.models import AuditEntry

    return list(
        AuditEntry.objects.filter(
            action=AuditAction.SETUP_CHANGE, target_type="webhookendpoint", **filters
        ).order_by("id")
    )


def test_registering_disabling_and_deleting_an_endpoint_are_audited_without_the_secret(
    client_as, world, settings
):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    client = client_as("vendor_admin")
    admin = world.users["vendor_admin"]
    response = client.post(
        "/manage/webhooks/",
        {"url": "https://93.184.216.34/crm", "event_types": ["deal.won"], "description": "CRM"},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert client.post(f"/manage/webhooks/{endpoint.pk}/disable/").status_code == 302
    assert client.post(f"/manage/webhooks/{endpoint.pk}/delete/").status_code == 302
    added, disabled, deleted = _setup_changes(target_id=str(endpoint.pk))
    assert {added.actor, disabled.actor, deleted.actor} == {admin}
    assert added.details["after"]["url"] == "https://93.184.216.34/crm"
    assert added.details["after"]["event_types"] == '["deal.won"]'
    assert (disabled.details["before"], disabled.details["after"]) == (
        {"is_active": True, "disabled_reason": ""},
        {"is_active": False, "disabled_reason": "Disabled by an admin."},
    )
    assert deleted.details["flag"] == "deleted"
    assert deleted.details["before"]["description"] == "CRM"
    for entry in (added, disabled, deleted):
        assert endpoint.secret not in str(entry.details)


def test_an_api_edit_of_an_endpoint_is_audited_with_old_and_new_values(world, endpoint):
    admin = world.users["vendor_admin"]
    client, headers = token_client_as(world)("vendor_admin")
    response = client.patch(
        f"/api/v1/webhook-endpoints/{endpoint.pk}/",
        {"description": "CRM sync"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    (changed,) = _setup_changes(target_id=str(endpoint.pk))
    assert changed.actor == admin
    assert (changed.details["before"], changed.details["after"]) == (
        {"description": "CRM"}, {"description": "CRM sync"},
    )  # fmt: skip
