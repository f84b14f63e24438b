"""Cross-partner sweep: partner B (session or token) never reads or writes partner A's objects,
not even by naming A's ids in a request body. A sentinel planted in A's data never shows up."""

import json

import pytest

from deals.models import Deal
from deals.tests.factories import make_deal
from partners.tests.factories import PartnerFactory
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db

SENTINEL = "Sentinel-7f3c Industries"
LIST_URLS = [
    "/api/v1/programs/",
    "/api/v1/tiers/",
    "/api/v1/partners/",
    "/api/v1/partner-users/",
    "/api/v1/deals/",
    "/api/v1/courses/",
    "/api/v1/certifications/",
    "/api/v1/certificates/",
    "/api/v1/resources/",
    "/api/v1/checklists/",
    "/api/v1/customer-accounts/",
    "/api/v1/seat-licenses/",
    "/api/v1/leads/",
    "/api/v1/plans/",
    "/api/v1/plan-goals/",
    "/api/v1/business-reviews/",
    "/api/v1/metrics/user-adoption/",
]


@pytest.fixture
def a_deals(world):
    from customers.tests.factories import account

    account(world.partner_a, "SENTINEL-ACCT", name=SENTINEL + " Customer", seats=9)
    a_admin = world.users["partner_a_admin"]
    draft = make_deal(user=a_admin, customer_name=SENTINEL, customer_domain="sentinel.example")
    submitted = make_deal(user=a_admin, submit=True, customer_name=SENTINEL + " Two")
    return draft, submitted


@pytest.fixture
def b_token(world):
    return bearer(token_for(world.users["partner_b_admin"]))


def test_partner_b_never_sees_partner_a_in_any_list(client, world, a_deals, b_token):
    for url in LIST_URLS:
        response = client.get(url, **b_token)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SENTINEL not in body, url
        assert world.partner_a.name not in body, url
        assert "admin@alpha.example" not in body, url


def test_partner_b_gets_404_for_every_partner_a_object(client, world, a_deals, b_token):
    urls = [f"/api/v1/partners/{world.partner_a.pk}/"]
    urls += [f"/api/v1/deals/{deal.pk}/" for deal in a_deals]
    urls += [f"/api/v1/partner-users/{m.pk}/" for m in world.partner_a.memberships.all()]
    for url in urls:
        assert client.get(url, **b_token).status_code == 404, url


def test_partner_b_cannot_change_or_move_partner_a_deals(client, world, a_deals, b_token):
    draft, submitted = a_deals
    for deal in a_deals:
        base = f"/api/v1/deals/{deal.pk}/"
        body = json.dumps({"customer_name": "Hijacked"})
        assert (
            client.patch(base, body, content_type="application/json", **b_token).status_code == 404
        )
        assert client.put(base, body, content_type="application/json", **b_token).status_code == 404
        assert client.delete(base, **b_token).status_code == 404
        for action in ("submit", "approve", "reject", "won", "lost"):
            response = client.post(
                base + f"{action}/", {"reason": "x"}, content_type="application/json", **b_token
            )
            assert response.status_code == 404, action
    assert Deal.objects.get(pk=draft.pk).customer_name == SENTINEL
    assert Deal.objects.filter(pk=draft.pk).exists()
    assert Deal.objects.get(pk=submitted.pk).status == "submitted"


def test_ids_of_another_partner_in_a_body_are_refused(client, world, b_token):
    a_user = world.users["partner_a_user"]
    response = client.post(
        "/api/v1/deals/",
        {"customer_name": "Initech", "shared_with": [a_user.pk]},
        content_type="application/json",
        **b_token,
    )
    assert response.status_code == 400
    assert "your own team" in response.json()["shared_with"][0]
    assert not Deal.objects.filter(customer_name="Initech").exists()


def test_a_deal_created_by_partner_b_belongs_to_partner_b_whatever_the_body_says(
    client, world, b_token
):
    response = client.post(
        "/api/v1/deals/",
        {"customer_name": "Initech", "partner": world.partner_a.pk},
        content_type="application/json",
        **b_token,
    )
    assert response.status_code == 201
    assert Deal.objects.get(pk=response.json()["id"]).partner == world.partner_b


def test_partner_b_cannot_ingest_events_for_partner_a(client, world, settings):
    from events.models import Event

    settings.PRM_INGEST_PARTNER_EVENTS = True  # the vendor accepts partners' events

    token = bearer(token_for(world.users["partner_b_admin"]))
    body = {"events": [{"id": "e1", "kind": "product.used", "partner": world.partner_a.pk}]}
    response = client.post("/api/v1/events/", body, content_type="application/json", **token)
    assert response.status_code == 200
    assert response.json()["items"][0]["errors"] == {
        "partner": [f"No partner with id {world.partner_a.pk}."]
    }
    assert not Event.objects.filter(kind="product.used").exists()


def test_filtering_by_another_partner_id_returns_nothing(client, world, a_deals, b_token):
    PartnerFactory()
    response = client.get(f"/api/v1/deals/?partner={world.partner_a.pk}", **b_token)
    assert response.status_code == 200
    assert response.json()["count"] == 0
