"""Property-based API testing: schemathesis generates requests from our OpenAPI schema (valid
and invalid) and checks that no request gives a server error and every response conforms to the
schema (documented status code, content type, body). In process: no server is started."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from deals.tests.factories import make_deal
from tests.api.helpers import bearer, token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


from prm.wsgi import application  # noqa: E402 (Django is set up by pytest-django first)

# The schema view needs no database: loading it at collection time is safe.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly fires request_finished, whose close_old_connections would
    close the test's transaction-wrapped connection (Postgres); Django's test Client disconnects
    it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_headers(world):
    make_deal(user=world.users["partner_a_admin"], submit=True)
    return {
        "vendor": bearer(token_for(world.users["vendor_admin"]))["HTTP_AUTHORIZATION"],
        "partner": bearer(token_for(world.users["partner_a_admin"]))["HTTP_AUTHORIZATION"],
    }


SETTINGS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@SETTINGS
def test_the_api_never_fails_and_conforms_to_its_schema_for_vendor_staff(case, api_headers):
    case.call_and_validate(headers={"Authorization": api_headers["vendor"]}, checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_the_api_never_fails_and_conforms_to_its_schema_for_a_partner_admin(case, api_headers):
    case.call_and_validate(headers={"Authorization": api_headers["partner"]}, checks=CHECKS)
