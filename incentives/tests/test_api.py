"""The incentive API as every persona (token and session), partner B probing partner A's ids,
and the decisions' error codes."""

import pytest

from events.services import record_event
from events.tests.payloads import payload
from incentives.choices import MdfStatus
from incentives.tests.factories import allocation, mdf_request, rule
from tests.api.helpers import assert_api_matrix, bearer, token_client_as, token_for

pytestmark = pytest.mark.django_db

ALL = dict.fromkeys(
    [
        "partner_a_admin",
        "partner_a_user",
        "partner_b_admin",
        "manager_owner",
        "manager_other",
        "vendor_admin",
    ],
    200,
) | {"anonymous": 401}


def count_is(n):
    return lambda r: r.status_code == 200 and r.json()["count"] == n


@pytest.fixture
def a_request(world):
    rule(kind="deal.won", points=5)
    record_event(
        kind="deal.won",
        key="won-a",
        user=world.users["partner_a_admin"],
        properties=payload("deal.won"),
    )
    return mdf_request(world=world)


def test_lists_show_each_persona_only_what_it_may_see(world, a_request):
    make = token_client_as(world)
    partner_side = {"partner_a_admin": count_is(1), "partner_a_user": count_is(0)}
    assert_api_matrix(
        make,
        "/api/v1/mdf-requests/",
        ALL | partner_side | {"partner_b_admin": count_is(0)},
    )
    assert_api_matrix(
        make,
        "/api/v1/mdf-allocations/",
        ALL | partner_side | {"partner_b_admin": count_is(0), "vendor_admin": count_is(1)},
    )
    assert_api_matrix(
        make,
        "/api/v1/awards/",
        ALL | {"partner_a_user": count_is(1), "partner_b_admin": count_is(0)},
    )
    assert_api_matrix(make, "/api/v1/badges/", ALL)


def test_partner_b_gets_404_for_partner_a_objects(world, a_request):
    make = token_client_as(world)
    expected = ALL | {"partner_a_user": 404, "partner_b_admin": 404}
    assert_api_matrix(make, f"/api/v1/mdf-requests/{a_request.pk}/", expected)
    assert_api_matrix(make, f"/api/v1/mdf-allocations/{a_request.allocation_id}/", expected)


def test_approval_is_for_the_owner_or_a_vendor_admin_and_a_second_one_is_a_conflict(
    world, a_request
):
    make = token_client_as(world)
    assert_api_matrix(
        make,
        f"/api/v1/mdf-requests/{a_request.pk}/approve/",
        {
            "anonymous": 401,
            "partner_a_admin": 403,
            "partner_a_user": 404,
            "partner_b_admin": 404,
            "manager_owner": 200,
            "manager_other": 403,
            "vendor_admin": 409,
        },
        method="post",
        data={"amount": "500.00"},
    )
    a_request.refresh_from_db()
    assert a_request.status == MdfStatus.APPROVED and str(a_request.approved_amount) == "500.00"


def test_a_partner_admin_requests_funds_and_an_over_budget_request_is_a_400(client, world):
    allocation(partner=world.partner_a, actor=world.users["manager_owner"], amount="300")
    headers = bearer(token_for(world.users["partner_a_admin"]))
    body = {
        "title": "Webinar",
        "description": "For CIOs",
        "starts_on": "2031-01-01",
        "ends_on": "2031-01-02",
        "amount": "300.00",
    }
    response = client.post(
        "/api/v1/mdf-requests/", body, content_type="application/json", **headers
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "requested" and response.json()["currency"] == "USD"
    response = client.post(
        "/api/v1/mdf-requests/",
        body | {"amount": "0.01"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201  # 300 requested is not committed until approved
    response = client.post(
        "/api/v1/mdf-requests/",
        body | {"amount": "300.01"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and "left in your" in response.json()["detail"]
    user_headers = bearer(token_for(world.users["partner_a_user"]))
    response = client.post(
        "/api/v1/mdf-requests/", body, content_type="application/json", **user_headers
    )
    assert response.status_code == 403
