"""Issue 16, items 7 to 12 and 30: dates out of any sane range, absurdly nested JSON, oversized
bodies, odd digits in query parameters and unknown URLs get a clear 4xx (JSON under /api/),
never a 500 or a debug page, and store nothing."""

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.forms import AuditFilterForm
from deals.forms import DealForm
from deals.models import Deal
from events.models import Event
from incentives.forms import MdfRequestForm
from ingestion.services import MAX_BATCH
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
EXTREME_TIMES = [
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+00:00",
    "1999-12-31T23:59:59Z",
]


@pytest.fixture
def vendor(world):
    return bearer(token_for(world.users["vendor_admin"]))


def post_json(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


# --- 7: every date the product accepts has a sane range -------------------------------------


@pytest.mark.parametrize("occurred_at", EXTREME_TIMES)
def test_an_event_outside_the_sane_time_range_is_refused_with_a_reason(
    client, world, vendor, occurred_at
):
    item = {"id": "x1", "kind": "product.used", "partner": world.partner_a.pk}
    response = post_json(client, EVENTS, {"events": [{**item, "occurred_at": occurred_at}]}, vendor)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rejected"] == 1 and body["stored"] == 0
    assert "occurred_at" in body["items"][0]["errors"]
    assert not Event.objects.filter(kind="product.used").exists()


def test_an_event_at_the_earliest_accepted_moment_is_stored(client, world, vendor):
    item = {"id": "x1", "kind": "product.used", "partner": world.partner_a.pk}
    item["occurred_at"] = "2000-01-01T00:00:00+00:00"
    assert post_json(client, EVENTS, {"events": [item]}, vendor).json()["stored"] == 1


@pytest.mark.parametrize("close", ["9999-12-31", "0001-01-01", "1900-01-01"])
def test_a_deal_close_date_far_from_today_is_refused_by_form_and_api(client, world, close):
    form = DealForm(data={"customer_name": "C", "currency": "USD", "stage": "prospecting",
                          "expected_close_date": close})  # fmt: skip
    assert not form.is_valid() and "expected_close_date" in form.errors
    headers = bearer(token_for(world.users["partner_a_admin"]))
    before = Deal.objects.count()
    body = {"customer_name": "C", "expected_close_date": close}
    response = post_json(client, "/api/v1/deals/", body, headers)
    assert response.status_code == 400 and "expected_close_date" in response.json()
    assert Deal.objects.count() == before


def test_a_deal_close_date_within_ten_years_is_accepted():
    soon = (timezone.localdate() + timedelta(days=365 * 9)).isoformat()
    form = DealForm(data={"customer_name": "C", "currency": "USD", "stage": "prospecting",
                          "expected_close_date": soon})  # fmt: skip
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_mdf_activity_dates_far_from_today_are_refused(day):
    form = MdfRequestForm(data={"title": "T", "description": "D", "starts_on": day,
                                "ends_on": day, "amount": "10"})  # fmt: skip
    assert not form.is_valid() and {"starts_on", "ends_on"} <= set(form.errors)


# --- 10: filter dates are bounded -----------------------------------------------------------


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01", "since=1000-01-01"])
def test_an_absurd_audit_filter_date_is_a_400_not_a_500(client_as, query):
    response = client_as("vendor_admin").get(f"/manage/audit/?{query}")
    assert response.status_code == 400


def test_filter_forms_share_the_bounds():
    assert not AuditFilterForm({"until": "9999-12-31"}).is_valid()
    assert AuditFilterForm({"until": "2100-12-31"}).is_valid()


@pytest.mark.parametrize("query", ["close_to=9999-12-31", "close_from=0001-01-01"])
def test_an_absurd_deal_list_filter_date_is_refused(client_as, query):
    response = client_as("partner_a_admin").get(f"/portal/deals/?{query}")
    assert response.status_code < 500
    assert "Give a date between" in response.content.decode()


# --- 8: deeply nested JSON ------------------------------------------------------------------


@pytest.mark.parametrize("url", [EVENTS, "/api/v1/deals/", "/api/v1/mdf-requests/"])
@pytest.mark.parametrize("depth", [50_000, 200])
def test_deeply_nested_json_is_a_json_400(client, world, url, depth):
    # Events come from vendor staff (a partner's token may not ingest unless the vendor allows it).
    sender = "vendor_admin" if url == EVENTS else "partner_a_admin"
    headers = bearer(token_for(world.users[sender]))
    body = "[" * depth + "]" * depth
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "nest" in response.json()["detail"]


def test_deeply_nested_event_properties_are_a_json_400(client, world, vendor):
    deep = "[" * 500 + "]" * 500
    item = f'{{"id": "x", "kind": "product.used", "partner": {world.partner_a.pk}, '
    body = item + f'"properties": {{"a": {deep}}}}}'
    body = '{"events": [' + body + "]}"
    response = client.post(EVENTS, body, content_type="application/json", **vendor)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert not Event.objects.filter(kind="product.used").exists()


def test_moderately_nested_json_is_still_accepted(client, world, vendor):
    nested = {"a": 1}
    for _ in range(50):  # the limit is 64 levels
        nested = {"a": nested}
    item = {"id": "x1", "kind": "product.used", "partner": world.partner_a.pk}
    response = post_json(client, EVENTS, {"events": [{**item, "properties": nested}]}, vendor)
    assert response.status_code == 200 and response.json()["stored"] == 1


# --- 9: the verification form with a slash --------------------------------------------------


@pytest.mark.parametrize("code", ["ab/cd", "/", "a" * 500, "\x00"])
def test_a_certificate_code_with_odd_characters_is_a_clear_4xx(client, code):
    response = client.get("/verify/", {"code": code})
    assert 400 <= response.status_code < 500


# --- 11: integers in query parameters -------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-1", "1e3", "99999999999"])
def test_an_odd_number_in_a_query_parameter_is_a_400(client_as, value):
    manager = client_as("vendor_admin")
    assert manager.get("/manage/mdf/allocations/new/", {"partner": value}).status_code == 400
    assert manager.get("/manage/leaderboard/", {"program": value}).status_code == 400


def test_a_valid_partner_prefill_still_works(client_as, world):
    response = client_as("vendor_admin").get(
        "/manage/mdf/allocations/new/", {"partner": str(world.partner_a.pk)}
    )
    assert response.status_code == 200
    assert response.context["form"].initial["partner"] == world.partner_a.pk


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("", None), ("²", "bad"), ("٣", "bad"), ("9" * 5000, "bad"), ("0", "bad")],
)
def test_query_int_accepts_only_plain_ascii_ids(rf, value, expected):
    from django.core.exceptions import BadRequest

    from kernel.query import query_id

    request = rf.get("/", {"x": value} if value else {})
    if expected == "bad":
        with pytest.raises(BadRequest):
            query_id(request, "x")
    else:
        assert query_id(request, "x") == expected


# --- 12: body size --------------------------------------------------------------------------


def test_a_json_body_over_the_upload_limit_gets_a_json_413_from_the_api(client, world, vendor):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = client.post(
            EVENTS, {"events": [{"x": "y" * 2000}]}, content_type="application/json", **vendor
        )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]


def test_a_form_body_over_the_upload_limit_gets_a_json_413_from_the_api(client, world, vendor):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = client.post(EVENTS, {"events": "y" * 2000}, **vendor)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


def test_a_documented_maximum_batch_is_not_refused_for_size(client, world, vendor):
    """1,000 items, each with its 4 KB of properties and every text field at its maximum."""
    filler = "p" * (4000 - len('{"note": ""}'))
    events = [
        {
            "id": f"{n:04d}-" + "i" * 95,
            "kind": "product.used",
            "partner": world.partner_a.pk,
            "occurred_at": "2026-03-01T12:00:00+00:00",
            "properties": {"note": filler},
        }
        for n in range(MAX_BATCH)
    ]
    body = json.dumps({"events": events})
    assert len(body) > 4_000_000
    response = client.post(EVENTS, body, content_type="application/json", **vendor)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["stored"] == MAX_BATCH


# --- 30: 404s -------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_url_answers_json_in_every_mode(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/no-such-page/", "/manage/partners/999999/"])
def test_a_404_under_debug_does_not_list_the_url_patterns(client_as, path):
    with override_settings(DEBUG=True):
        response = client_as("vendor_admin").get(path)
    assert response.status_code == 404
    content = response.content.decode()
    assert "URLconf" not in content and "Raised by" not in content
    assert "DEBUG = True" not in content
