from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from events.services import record_events
from metrics.tests.helpers import event, roll
from partners.tests.factories import OfferingFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def activity(world):
    """Partner A used the portal and won a deal with the "Sentinel Edge" offering."""
    a, user = world.partner_a, world.users["partner_a_user"]
    OfferingFactory(
        name="Sentinel Edge", slug="sentinel-edge", launched_on=TODAY - timedelta(days=60)
    )
    record_events(
        [
            event("auth.login", "l1", partner=a, user=user, day=TODAY),
            event(
                "deal.won",
                "d1",
                partner=a,
                user=user,
                day=TODAY - timedelta(days=3),
                properties={"deal": 9, "offerings": ["sentinel-edge"]},
            ),
        ]
    )
    roll()


def test_partner_adoption_page_is_for_partner_members(client_as):
    assert_role_matrix(
        client_as,
        reverse("metrics:partner_adoption"),
        {
            "anonymous": LOGIN,
            "partner_a_admin": 200,
            "partner_a_user": 200,
            "partner_b_admin": 200,
            "manager_owner": 404,
            "manager_other": 404,
            "vendor_admin": 404,
        },
    )


def test_manager_adoption_page_is_for_vendor_staff(client_as, world):
    assert_role_matrix(
        client_as,
        reverse("metrics:manager_partner_adoption", args=[world.partner_a.pk]),
        {
            "anonymous": LOGIN,
            "partner_a_admin": 404,
            "partner_a_user": 404,
            "partner_b_admin": 404,
            "manager_owner": 200,
            "manager_other": 200,
            "vendor_admin": 200,
        },
    )


def test_partner_sees_its_own_score_offerings_and_freshness(client_as, activity):
    body = client_as("partner_a_user").get(reverse("metrics:partner_adoption")).content.decode()
    # breadth 2/5 (portal, deals), frequency 2/12, users 1/2: 16 + 5 + 15 = 36
    assert "data-adoption-score>36<" in body
    assert "A deal registered or won with it in the last 90 days" in body
    assert "Metrics updated less than a minute ago." in body
    assert 'id="adoption-history-data"' in body and "<script>" not in body


def test_another_partner_never_sees_partner_a_data(client_as, activity):
    body = client_as("partner_b_admin").get(reverse("metrics:partner_adoption")).content.decode()
    assert "Alpha Systems" not in body
    assert "data-adoption-score>0<" in body
    assert 'Sentinel Edge</span> <span class="small text-body-secondary">not adopted yet' in body
    assert "A deal registered or won" not in body


def test_manager_sees_the_partners_adoption(client_as, world, activity):
    url = reverse("metrics:manager_partner_adoption", args=[world.partner_a.pk])
    body = client_as("manager_other").get(url).content.decode()
    assert "Alpha Systems" in body and "data-adoption-score>36<" in body


def test_unknown_partner_is_404_for_managers(client_as):
    url = reverse("metrics:manager_partner_adoption", args=[999999])
    assert client_as("manager_owner").get(url).status_code == 404


def test_adoption_page_query_count_does_not_grow_with_offerings_or_history(
    client_as, world, activity, django_assert_max_num_queries
):
    client = client_as("partner_a_user")
    client.get(reverse("metrics:partner_adoption"))  # warm the session
    for n in range(15):
        OfferingFactory(launched_on=TODAY - timedelta(days=n))
    record_events(
        event("auth.login", f"h{n}", partner=world.partner_a, day=TODAY - timedelta(days=n))
        for n in range(80)
    )
    roll()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("metrics:partner_adoption"))
    assert response.status_code == 200
