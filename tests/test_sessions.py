"""Sessions read through the cache when Redis is configured (issue 24, the load test): a page
spends no query on the session row, and the row stays the record when the cache loses it."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

CACHED_DB = "django.contrib.sessions.backends.cached_db"


def session_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_with_redis_the_settings_read_sessions_through_the_cache():
    expected = CACHED_DB if django_settings.REDIS_URL else "django.contrib.sessions.backends.db"
    assert expected == django_settings.SESSION_ENGINE


def test_a_cached_session_costs_no_query_and_survives_a_flushed_cache(client_as, settings):
    settings.SESSION_ENGINE = CACHED_DB  # what prm/settings/base.py sets with REDIS_URL
    client = client_as("partner_a_user")
    url = reverse("partners:home")
    assert client.get(url).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert session_reads(queries) == []

    cache.clear()  # Redis flushed or replaced: the session row is read again, still logged in
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(session_reads(queries)) == 1
