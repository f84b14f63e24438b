"""A dropped database connection (what a Postgres restart or kill does to every open one) answers
a retryable 503 with Retry-After, and the client's retry stores each event once
(kernel/middleware.py; the full drill with a real restart is bench/drills/pg_restart.py)."""

import psycopg2
import pytest
from django.db import connection

from conftest import require_service
from events.models import Event, EventKey
from tests.api.helpers import bearer, token_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")


def kill_our_backend() -> None:
    """Terminate this test's server connection from another one, as a server restart does."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    other.autocommit = True
    with other.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def batch(world, n=3):
    return {
        "events": [
            {
                "id": f"restart-{i}",
                "kind": "product.active_users",
                "partner": world.partner_a.pk,
                "occurred_at": "2026-03-01T12:00:00Z",
                "properties": {"active_users": 5, "seats": 10},
            }
            for i in range(n)
        ]
    }


def test_a_dropped_connection_answers_503_with_retry_after_and_the_retry_stores_once(
    client, world, settings
):
    settings.PRM_DATABASE_RETRY_AFTER_SECONDS = 3
    headers = bearer(token_for(world.users["vendor_admin"]))
    kill_our_backend()
    failed = client.post(
        "/api/v1/events/", batch(world), content_type="application/json", **headers
    )
    assert failed.status_code == 503
    assert failed["Retry-After"] == "3"
    assert "unavailable" in failed.json()["detail"]
    retry = client.post("/api/v1/events/", batch(world), content_type="application/json", **headers)
    assert retry.status_code == 200 and retry.json()["stored"] == 3
    again = client.post("/api/v1/events/", batch(world), content_type="application/json", **headers)
    assert again.json()["duplicates"] == 3
    assert Event.objects.filter(kind="product.active_users").count() == 3
    assert EventKey.objects.filter(key__contains="restart-").count() == 3


def test_a_page_answers_503_text_when_the_connection_dropped(client, world):
    client.force_login(world.users["partner_a_admin"])
    kill_our_backend()
    response = client.get("/portal/deals/")
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert response["Content-Type"].startswith("text/plain")
    assert client.get("/portal/deals/").status_code == 200  # a new connection next time
