"""Deals through the API: drafts, transitions via deals.services, domain errors as 400/403/409."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deals.models import Deal
from deals.tests.factories import make_deal, offering
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(world):
    return bearer(token_for(world.users["partner_a_admin"]))


@pytest.fixture
def manager(world):
    return bearer(token_for(world.users["manager_owner"]))


def send(client, method, url, headers, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json", **headers)


def full_body():
    offering("cloud-suite")
    return {
        "customer_name": "Initech",
        "customer_domain": "https://www.Initech.example/",
        "customer_country": "FR",
        "currency": "EUR",
        "expected_close_date": str(timezone.localdate() + timedelta(days=20)),
        "contact_name": "Bill Lumbergh",
        "contact_email": "bill@initech.example",
        "lines": [{"offering": "cloud-suite", "quantity": 3, "unit_amount": "100.00"}],
    }


def test_a_partner_registers_submits_and_the_manager_approves(client, world, a_admin, manager):
    created = send(client, "post", "/api/v1/deals/", a_admin, full_body())
    assert created.status_code == 201, created.content
    deal = created.json()
    assert deal["status"] == "draft" and deal["amount"] == "300.00"
    assert deal["customer_domain"] == "initech.example"
    assert deal["lines"] == [{"offering": "cloud-suite", "quantity": 3, "unit_amount": "100.00"}]
    url = f"/api/v1/deals/{deal['id']}/"
    changed = send(client, "patch", url, a_admin, {"notes": "Budget approved"})
    assert changed.status_code == 200 and changed.json()["notes"] == "Budget approved"
    assert changed.json()["amount"] == "300.00"  # lines kept when not given
    assert send(client, "post", url + "submit/", a_admin).json()["status"] == "submitted"
    approved = send(client, "post", url + "approve/", manager, {"note": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    won = send(client, "post", url + "won/", a_admin, {"final_amount": "280.00"})
    assert won.status_code == 200 and won.json()["status"] == "won"


def test_wrong_state_is_409_and_wrong_side_is_403_with_a_reason(client, world, a_admin, manager):
    deal = make_deal(user=world.users["partner_a_admin"], submit=True)
    url = f"/api/v1/deals/{deal.pk}/"
    edit = send(client, "patch", url, a_admin, {"notes": "late"})
    assert edit.status_code == 409 and "Only drafts" in edit.json()["detail"]
    own_approval = send(client, "post", url + "approve/", a_admin)
    assert own_approval.status_code == 403
    manager_won = send(client, "post", url + "won/", manager, {"final_amount": "1"})
    assert manager_won.status_code == 403
    early_won = send(client, "post", url + "won/", a_admin, {"final_amount": "1"})
    assert early_won.status_code == 409
    assert Deal.objects.get(pk=deal.pk).status == "submitted"


def test_service_refusals_are_400_with_the_services_message(client, world, a_admin, manager):
    draft = make_deal(user=world.users["partner_a_admin"], lines=[])
    response = send(client, "post", f"/api/v1/deals/{draft.pk}/submit/", a_admin)
    assert response.status_code == 400
    assert "Before submitting" in response.json()["detail"]
    submitted = make_deal(user=world.users["partner_a_admin"], submit=True)
    response = send(client, "post", f"/api/v1/deals/{submitted.pk}/reject/", manager, {})
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"customer_name": ""},
        {"customer_name": "X", "customer_domain": "gmail.com"},
        {"customer_name": "X", "customer_domain": "not a domain"},
        {"customer_name": "X", "expected_close_date": "2001-01-01"},
        {"customer_name": "X", "lines": [{"offering": "nope", "quantity": 1, "unit_amount": "1"}]},
        {
            "customer_name": "X",
            "lines": [{"offering": "cloud-suite", "quantity": 0, "unit_amount": "1"}],
        },
        {"customer_name": "X", "currency": "XXX"},
        {"customer_name": "X", "customer_country": "ZZ"},
    ],
)
def test_bad_deal_input_is_a_400_that_stores_nothing(client, world, a_admin, body):
    offering("cloud-suite")
    response = send(client, "post", "/api/v1/deals/", a_admin, body)
    assert response.status_code == 400
    assert response.json()
    assert not Deal.objects.exists()


def test_deleting_a_draft_works_but_a_submitted_deal_stays(client, world, a_admin):
    draft = make_deal(user=world.users["partner_a_admin"])
    submitted = make_deal(user=world.users["partner_a_admin"], submit=True)
    assert client.delete(f"/api/v1/deals/{draft.pk}/", **a_admin).status_code == 204
    assert client.delete(f"/api/v1/deals/{submitted.pk}/", **a_admin).status_code == 409
    assert list(Deal.objects.values_list("pk", flat=True)) == [submitted.pk]


def test_deal_lists_filter_order_and_paginate(client, world, a_admin):
    for n in range(3):
        make_deal(user=world.users["partner_a_admin"], customer_name=f"Customer {n}")
    make_deal(user=world.users["partner_a_admin"], submit=True, customer_name="Submitted Co")
    body = client.get("/api/v1/deals/?status=draft&ordering=customer_name&page_size=2", **a_admin)
    data = body.json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    assert [d["customer_name"] for d in data["results"]] == ["Customer 0", "Customer 1"]
    assert client.get("/api/v1/deals/?status=nonsense", **a_admin).status_code == 400


def test_the_deal_list_holds_a_bounded_number_of_queries(
    client, world, a_admin, django_assert_max_num_queries
):
    for n in range(15):
        make_deal(user=world.users["partner_a_admin"], customer_name=f"Customer {n}")
    client.get("/api/v1/deals/", **a_admin)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/deals/", **a_admin).json()["count"] == 15
