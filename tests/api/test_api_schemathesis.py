"""Property-based API testing: schemathesis generates requests from our OpenAPI schema (valid
and invalid) and checks that no request gives a server error and every response conforms to the
schema (documented status code, content type, body). In process: no server is started.

Its generated dates and date-times include the extremes (year 1 and 9999 with UTC offsets,
before 2000), and a second test makes each generated case abusive: extreme dates in every date
field of the body and query, odd digits in integer query parameters, JSON nested thousands of
levels deep, a body over the size limit (issue 16, items 7, 8, 12)."""

import json
from contextlib import nullcontext
from datetime import date
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
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

# The generated dates are often the extremes that overflowed date arithmetic (issue 16, item 7).
_plain_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2110, 12, 31))
schemathesis.openapi.format(
    "date",
    st.sampled_from(["0001-01-01", "9999-12-31", "1999-12-31"]) | _plain_dates.map(str),
)
schemathesis.openapi.format(
    "date-time",
    st.sampled_from(
        ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z"]
    )
    | _plain_dates.map(lambda d: f"{d.isoformat()}T12:00:00+00:00"),
)

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


# --- Abusive input (issue 16, items 7, 8, 12) -----------------------------------------------------
# Each example takes a case schemathesis generated for an operation and makes it abusive in one of
# four ways; the answer must be a 4xx (or a 200 with the item refused), JSON, never a 500.

EXTREME_DATES = ["0001-01-01", "9999-12-31", "1000-02-29", "1999-12-31"]
EXTREME_DATETIMES = [
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59+00:00",
    "1999-12-31T23:59:59Z",
]
ODD_DIGITS = ["²", "٣", "9" * 5000, "-1", "1e3", "99999999999"]
SMALL_BODY_LIMIT = 2048


def _date_fields(node, components, seen=frozenset()) -> dict[str, str]:
    """{property name: "date" | "date-time"} anywhere in a request body's JSON schema."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                return found
            return _date_fields(components.get(name, {}), components, seen | {name})
        for prop, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and sub.get("format") in ("date", "date-time"):
                found[prop] = sub["format"]
        for key in ("properties", "items", "allOf", "oneOf", "anyOf", "additionalProperties"):
            value = node.get(key)
            children = value.values() if key == "properties" and value else value
            if isinstance(children, dict):
                children = [children]
            for child in children or []:
                found |= _date_fields(child, components, seen)
    return found


def _put_dates(body, fields: dict, draw):
    """Every dict in ``body`` gets each date field set to an extreme value; its other strings are
    tidied (trimmed, no NUL, not empty) so the date is what the server has to judge."""
    if isinstance(body, list):
        for n, item in enumerate(body):
            body[n] = _tidy(item)
            _put_dates(item, fields, draw)
    elif isinstance(body, dict):
        for key, child in list(body.items()):
            body[key] = _tidy(child)
            _put_dates(child, fields, draw)
        for name, fmt in fields.items():
            body[name] = draw(
                st.sampled_from(EXTREME_DATES if fmt == "date" else EXTREME_DATETIMES)
            )


def _tidy(value):
    if isinstance(value, str):
        return value.replace("\x00", "").strip() or "x"
    return value


def _deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_object(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


ABUSES = ["dates", "digits", "nesting", "oversize"]  # nesting and oversize need a body


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_abusive_input_gets_a_json_4xx_never_a_server_error(case, data, api_headers):
    operation = case.operation
    components = schema.raw_schema.get("components", {}).get("schemas", {})
    request_body = (operation.definition.raw.get("requestBody") or {}).get("content", {})
    body_schema = request_body.get("application/json", {}).get("schema")
    date_fields = _date_fields(body_schema, components) if body_schema else {}
    applicable = [
        abuse
        for abuse in ABUSES
        if body_schema is not None or (abuse in ("dates", "digits") and operation.query)
    ]
    if date_fields:  # the body takes dates: the extremes are the likeliest trouble
        applicable += ["dates", "dates"]
    if not applicable:
        return  # nothing the client sends but the path: the other tests cover it
    abuse = data.draw(st.sampled_from(applicable), label="abuse")
    persona = data.draw(st.sampled_from(["vendor", "partner"]), label="persona")
    query = dict(case.query or {})
    body = case.body if body_schema is not None and isinstance(case.body, dict | list) else None
    raw = None
    limit = None
    if abuse == "dates":
        if body is not None and date_fields:
            _put_dates(body, date_fields, data.draw)
        for parameter in operation.query:
            fmt = parameter.definition.get("schema", {}).get("format")
            if fmt in ("date", "date-time"):
                query[parameter.name] = data.draw(
                    st.sampled_from(EXTREME_DATES if fmt == "date" else EXTREME_DATETIMES)
                )
    elif abuse == "digits":
        for parameter in operation.query:
            if parameter.definition.get("schema", {}).get("type") == "integer":
                query[parameter.name] = data.draw(st.sampled_from(ODD_DIGITS))
    elif abuse == "nesting" and body_schema is not None:
        depth = data.draw(st.sampled_from([65, 300, 5_000, 50_000]), label="depth")
        shape = data.draw(st.sampled_from(["list", "object", "inside"]), label="shape")
        if shape == "inside" and isinstance(body, dict):  # nested inside a valid-looking body
            raw = json.dumps(body)[:-1] + (", " if body else "") + '"x": ' + _deep_list(depth) + "}"
        else:
            raw = _deep_list(depth) if shape == "list" else _deep_object(depth)
    elif abuse == "oversize" and body_schema is not None:
        limit = SMALL_BODY_LIMIT
        raw = json.dumps(
            {"padding": "x" * (2 * SMALL_BODY_LIMIT), **(body if isinstance(body, dict) else {})}
        )
    if raw is None and body is not None:
        raw = json.dumps(body)
    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": api_headers[persona]}
    path = case.formatted_path + ("?" + urlencode(query, doseq=True) if query else "")
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=limit) if limit else nullcontext():
        if raw is None:
            response = client.generic(case.method.upper(), path, **headers)
        else:
            response = client.generic(
                case.method.upper(), path, raw, content_type="application/json", **headers
            )
    detail = (operation.method, operation.path, abuse, persona, response.status_code)
    assert response.status_code < 500, (*detail, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), detail
    if abuse == "oversize" and raw is not None and response.status_code not in (401, 403, 404, 405):
        assert response.status_code == 413, detail
