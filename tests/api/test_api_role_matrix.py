"""Every API route requested as every persona, by session and by token."""

import pytest

from deals.tests.factories import make_deal
from tests.api.helpers import assert_api_matrix, token_client_as
from tests.roles import assert_role_matrix

pytestmark = pytest.mark.django_db

ALL = {
    "anonymous": 401,
    "partner_a_admin": 200,
    "partner_a_user": 200,
    "partner_b_admin": 200,
    "manager_owner": 200,
    "manager_other": 200,
    "vendor_admin": 200,
}
STAFF = {**ALL, "partner_a_admin": 404, "partner_a_user": 404, "partner_b_admin": 404}
STAFF_AND_ADMINS = {**ALL, "partner_a_user": 404}

LISTS = {
    "/api/v1/programs/": ALL,
    "/api/v1/tiers/": ALL,
    "/api/v1/partners/": ALL,
    "/api/v1/partner-users/": ALL,  # empty for a partner user, but the route answers
    "/api/v1/deals/": ALL,
    "/api/v1/courses/": ALL,
    "/api/v1/certifications/": ALL,
    "/api/v1/certificates/": ALL,
    "/api/v1/resources/": ALL,
    "/api/v1/checklists/": ALL,
    "/api/v1/customer-accounts/": ALL,
    "/api/v1/seat-licenses/": ALL,
    "/api/v1/leads/": ALL,  # empty for partners: leads reach them in their inbox
    "/api/v1/metrics/user-adoption/": ALL,
    "/api/v1/plans/": ALL,  # each partner its own plans (tests/api/test_api_plans.py)
    "/api/v1/plan-goals/": ALL,
    "/api/v1/business-reviews/": ALL,
    "/api/v1/applications/": STAFF,
    "/api/v1/metrics/activation-cohorts/": STAFF,
    "/api/v1/metrics/adoption/": STAFF,
    "/api/v1/metrics/at-risk/": STAFF,
}


def _api_session_matrix(client_as, url, expected):
    # the session matrix helper expects 302 to login for anonymous; the API answers 401
    assert_role_matrix(client_as, url, expected)


@pytest.mark.parametrize("url", sorted(LISTS))
def test_every_list_route_answers_each_persona_as_declared_with_a_session(client_as, url):
    _api_session_matrix(client_as, url, LISTS[url])


@pytest.mark.parametrize("url", sorted(LISTS))
def test_every_list_route_answers_each_persona_as_declared_with_a_token(world, url):
    assert_api_matrix(token_client_as(world), url, LISTS[url])


def test_partner_detail_is_visible_to_its_members_and_staff_only(world, client_as):
    url = f"/api/v1/partners/{world.partner_a.pk}/"
    expected = {**ALL, "partner_b_admin": 404}
    assert_role_matrix(client_as, url, expected)
    assert_api_matrix(token_client_as(world), url, expected)


def test_deal_detail_follows_the_deal_scoping_of_the_portal(world, client_as):
    deal = make_deal(user=world.users["partner_a_admin"], submit=True)
    url = f"/api/v1/deals/{deal.pk}/"
    # a partner user sees only the deals they registered or that were shared with them
    expected = {**ALL, "partner_a_user": 404, "partner_b_admin": 404}
    assert_role_matrix(client_as, url, expected)
    assert_api_matrix(token_client_as(world), url, expected)


def test_a_draft_is_invisible_to_vendor_staff(world, client_as):
    deal = make_deal(user=world.users["partner_a_admin"])
    expected = {
        "anonymous": 401,
        "partner_a_admin": 200,
        "partner_a_user": 404,
        "partner_b_admin": 404,
        "manager_owner": 404,
        "manager_other": 404,
        "vendor_admin": 404,
    }
    assert_api_matrix(token_client_as(world), f"/api/v1/deals/{deal.pk}/", expected)


def test_only_partner_members_can_create_deals(world):
    def created(response):
        return response.status_code == 201

    body = {"customer_name": "Initech", "customer_domain": "initech.example"}
    assert_api_matrix(
        token_client_as(world),
        "/api/v1/deals/",
        {
            "anonymous": 401,
            "partner_a_admin": created,
            "partner_a_user": created,
            "partner_b_admin": created,
            "manager_owner": 403,
            "manager_other": 403,
            "vendor_admin": 403,
        },
        method="post",
        data=body,
    )


def test_event_ingestion_is_for_vendor_staff_and_partner_admins_if_the_vendor_allows_it(
    world, settings
):
    body = {"events": [{"id": "x-1", "kind": "product.active_users", "partner": 1}]}
    refused = {**STAFF_AND_ADMINS, "partner_a_admin": 403, "partner_b_admin": 403}
    assert_api_matrix(token_client_as(world), "/api/v1/events/", refused, method="post", data=body)
    settings.PRM_INGEST_PARTNER_EVENTS = True
    assert_api_matrix(
        token_client_as(world), "/api/v1/events/", STAFF_AND_ADMINS, method="post", data=body
    )


def test_schema_and_docs_pages_are_public(client):
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
