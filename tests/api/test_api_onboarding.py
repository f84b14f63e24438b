"""Applications (vendor staff) and checklist progress through the API."""

import pytest

from onboarding.services import checklist_start
from onboarding.tests.factories import ApplicationFactory, standard_template
from tests.api.helpers import assert_api_matrix, bearer, token_client_as, token_for
from tests.roles import assert_role_matrix

pytestmark = pytest.mark.django_db

SENTINEL = "Sentinel-Checklist-4411"


@pytest.fixture
def checklists(world):
    template = standard_template(name=SENTINEL)
    return (
        checklist_start(partner=world.partner_a, template=template),
        checklist_start(partner=world.partner_b, template=template),
    )


def test_applications_are_for_vendor_staff_only(world, client_as):
    application = ApplicationFactory()
    staff = {
        "anonymous": 401,
        "partner_a_admin": 404,
        "partner_a_user": 404,
        "partner_b_admin": 404,
        "manager_owner": 200,
        "manager_other": 200,
        "vendor_admin": 200,
    }
    for url in ("/api/v1/applications/", f"/api/v1/applications/{application.pk}/"):
        assert_role_matrix(client_as, url, staff)
        assert_api_matrix(token_client_as(world), url, staff)


def test_checklists_follow_partner_scoping(world, client_as, checklists):
    a_checklist, _ = checklists
    expected = {
        "anonymous": 401,
        "partner_a_admin": 200,
        "partner_a_user": 200,
        "partner_b_admin": 404,
        "manager_owner": 200,
        "manager_other": 200,
        "vendor_admin": 200,
    }
    url = f"/api/v1/checklists/{a_checklist.pk}/"
    assert_role_matrix(client_as, url, expected)
    assert_api_matrix(token_client_as(world), url, expected)
    assert_api_matrix(
        token_client_as(world), "/api/v1/checklists/", {**expected, "partner_b_admin": 200}
    )


def test_a_checklist_shows_its_progress_and_steps(client, world, checklists):
    headers = bearer(token_for(world.users["partner_a_user"]))
    body = client.get("/api/v1/checklists/", **headers).json()
    assert body["count"] == 1
    checklist = body["results"][0]
    assert checklist["partner"] == world.partner_a.pk
    assert checklist["progress"]["total"] == 9 and checklist["progress"]["percent"] == 0
    assert [s["key"] for s in checklist["steps"]][:2] == ["agreement", "profile"]


def test_partner_b_never_sees_partner_a_checklist_ids(client, world, checklists):
    headers = bearer(token_for(world.users["partner_b_admin"]))
    body = client.get("/api/v1/checklists/", **headers).json()
    assert [c["partner"] for c in body["results"]] == [world.partner_b.pk]
    assert (
        client.get(f"/api/v1/checklists/?partner={world.partner_a.pk}", **headers).json()["count"]
        == 0
    )


def test_the_checklist_list_holds_a_bounded_number_of_queries(
    client, world, checklists, django_assert_max_num_queries
):
    headers = bearer(token_for(world.users["vendor_admin"]))
    client.get("/api/v1/checklists/", **headers)
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/checklists/", **headers).json()["count"] == 2
