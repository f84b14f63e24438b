from datetime import date

import pytest

from customers.rollups import adoption_rollup
from customers.tests.factories import account, usage_items
from customers.tests.test_rollups import ingest
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

PORTAL = {
    "anonymous": LOGIN,
    "partner_a_admin": 200,
    "partner_a_user": 200,
    "partner_b_admin": 200,
    "manager_owner": 404,
    "manager_other": 404,
    "vendor_admin": 404,
}
MANAGE = {
    **dict.fromkeys(PORTAL, 404),
    "anonymous": LOGIN,
    "manager_owner": 200,
    "manager_other": 200,
    "vendor_admin": 200,
}


def test_customer_pages_answer_each_persona_as_declared(client_as):
    assert_role_matrix(client_as, "/portal/customers/", PORTAL)
    assert_role_matrix(client_as, "/manage/customers/", MANAGE)


@pytest.fixture
def many(world, time_machine):
    time_machine.move_to("2026-03-01T12:00:00Z")
    for n in range(15):
        account(world.partner_a, f"A{n}", seats=10)
        account(world.partner_b, f"B{n}", seats=10)
    ingest(world, usage_items(world.partner_a, "A1", ["ann", "bob"], day="2026-03-01"))
    ingest(world, usage_items(world.partner_b, "B2", ["bea"], day="2026-03-01"))
    adoption_rollup()


def test_partner_page_shows_only_its_own_customers_in_bounded_queries(
    client_as, many, django_assert_max_num_queries
):
    client = client_as("partner_a_user")
    with django_assert_max_num_queries(14):
        response = client.get("/portal/customers/")
    body = response.content.decode()
    assert "Customer A1" in body and "Customer B1" not in body
    assert "2 active users of 150 licensed seats" in body


def test_manager_page_shows_adoption_by_partner_in_bounded_queries(
    client_as, world, many, django_assert_max_num_queries
):
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(14):
        response = client.get("/manage/customers/")
    body = response.content.decode()
    assert world.partner_a.name in body and world.partner_b.name in body
    assert "3 active users of 300 licensed seats" in body
    assert date(2026, 3, 1).strftime("%-d %b %Y") in body


def test_the_panel_shows_on_the_program_dashboard_and_the_partner_page(client_as, world, many):
    client = client_as("vendor_admin")
    dashboard = client.get("/manage/dashboard/").content.decode()
    assert "User adoption at customers" in dashboard and world.partner_b.name in dashboard
    detail = client.get(f"/manage/partners/{world.partner_a.pk}/").content.decode()
    assert "User adoption at customers" in detail and "Customer A1" in detail
    assert "Customer B1" not in detail
