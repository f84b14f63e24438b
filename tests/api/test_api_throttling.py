"""Rate limits per token: over the limit a 429 with Retry-After; another token is unaffected."""

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings

from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    # DRF reads THROTTLE_RATES once; patch the class attribute the throttle reads.
    from accounts.api.throttling import TokenRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "read": "3/min", "ingest": "2/min"}
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    yield
    cache.clear()


def test_a_token_over_its_read_rate_gets_429_with_retry_after_and_others_do_not(
    client, world, low_rates
):
    first = bearer(token_for(world.users["partner_a_admin"]))
    second = bearer(token_for(world.users["partner_a_admin"]))
    codes = [client.get("/api/v1/programs/", **first).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/programs/", **first)
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert "throttled" in limited.json()["detail"].lower()
    assert client.get("/api/v1/programs/", **second).status_code == 200


def test_ingestion_has_its_own_rate(client, world, low_rates):
    token = bearer(token_for(world.users["vendor_admin"]))
    body = {"events": [{"id": "x", "kind": "product.used", "partner": world.partner_a.pk}]}

    def post():
        return client.post("/api/v1/events/", body, content_type="application/json", **token)

    assert [post().status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/v1/programs/", **token).status_code == 200


def test_rates_come_from_the_environment_documented_in_env_example():
    from django.conf import settings

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) == {"read", "write", "ingest"}
    for rate in rates.values():
        number, period = rate.split("/")
        assert int(number) > 0 and period[0] in "smhd"
