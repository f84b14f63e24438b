"""Event ingestion: per-item validation, valid items stored, retries never counted twice."""

import pytest

from events.models import Event
from ingestion.services import MAX_BATCH, MAX_CLIENT_ID, ingestion_key
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"


@pytest.fixture
def vendor(world):
    return bearer(token_for(world.users["vendor_admin"]))


def post(client, headers, events):
    return client.post(URL, {"events": events}, content_type="application/json", **headers)


def usage(n, partner, **extra):
    return {
        "id": f"usage-{n}",
        "kind": "product.active_users",
        "partner": partner.pk,
        "occurred_at": "2026-03-01T12:00:00Z",
        "properties": {"active_users": 40 + n, "seats": 100},
        **extra,
    }


def test_a_valid_batch_is_stored_once_and_a_retry_counts_nothing_twice(client, world, vendor):
    events = [usage(n, world.partner_a) for n in range(5)]
    first = post(client, vendor, events)
    assert first.status_code == 200
    assert first.json() | {"items": None} == {
        "received": 5,
        "accepted": 5,
        "stored": 5,
        "duplicates": 0,
        "rejected": 0,
        "items": None,
    }
    retry = post(client, vendor, events)
    assert retry.json()["stored"] == 0 and retry.json()["duplicates"] == 5
    assert Event.objects.filter(kind="product.active_users").count() == 5
    stored = Event.objects.get(
        idempotency_key=ingestion_key(owner_id=world.users["vendor_admin"].pk, client_id="usage-0")
    )
    assert stored.partner == world.partner_a and stored.properties["seats"] == 100


def test_a_repeated_id_inside_one_batch_is_stored_once(client, world, vendor):
    response = post(client, vendor, [usage(1, world.partner_a), usage(1, world.partner_a)])
    assert response.json()["stored"] == 1
    assert Event.objects.filter(kind="product.active_users").count() == 1


def test_client_ids_cannot_collide_with_portal_keys_or_other_clients(client, world, vendor):
    other = bearer(token_for(world.users["manager_owner"]))
    event = usage(1, world.partner_a, id="deal.won:1")
    assert post(client, vendor, [event]).json()["stored"] == 1
    assert post(client, other, [event]).json()["stored"] == 1
    keys = set(Event.objects.values_list("idempotency_key", flat=True))
    assert "deal.won:1" not in keys
    assert all(k.startswith("api:") for k in keys)


def test_invalid_items_get_their_reasons_and_valid_ones_are_still_stored(client, world, vendor):
    by_domain = usage(2, world.partner_b, partner_domain=world.partner_b.domain.upper())
    del by_domain["partner"]
    events = [
        usage(1, world.partner_a),
        {"id": "bad-kind", "kind": "Not A Kind", "partner": world.partner_a.pk},
        {"id": "portal-kind", "kind": "deal.won", "partner": world.partner_a.pk},
        {"id": "no-partner", "kind": "product.used"},
        {"id": "unknown-partner", "kind": "product.used", "partner": 999999},
        {"id": "unknown-domain", "kind": "product.used", "partner_domain": "nobody.example"},
        {
            "id": "future",
            "kind": "product.used",
            "partner": world.partner_a.pk,
            "occurred_at": "2099-01-01T00:00:00Z",
        },
        {
            "id": "big",
            "kind": "product.used",
            "partner": world.partner_a.pk,
            "properties": {"x": "y" * 5000},
        },
        {"kind": "product.used", "partner": world.partner_a.pk},
        {"id": "bad id!", "kind": "product.used", "partner": world.partner_a.pk},
        "not an object",
        by_domain,
    ]
    response = post(client, vendor, events)
    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["stored"], body["rejected"]) == (12, 2, 10)
    errors = {item["index"]: item["errors"] for item in body["items"] if not item["accepted"]}
    assert "area.verb" in errors[1]["kind"][0]
    assert "recorded by PRM itself" in errors[2]["kind"][0]
    assert "partner" in errors[3]
    assert "No partner with id 999999" in errors[4]["partner"][0]
    assert "nobody.example" in errors[5]["partner_domain"][0]
    assert "future" in errors[6]["occurred_at"][0]
    assert "4096 bytes" in errors[7]["properties"][0]
    assert "id" in errors[8] and "id" in errors[9]
    assert errors[10]
    assert Event.objects.filter(partner=world.partner_b, kind="product.active_users").count() == 1


def test_an_oversized_or_empty_batch_is_refused_whole_with_a_reason(client, world, vendor):
    too_many = [usage(n, world.partner_a) for n in range(MAX_BATCH + 1)]
    response = post(client, vendor, too_many)
    assert response.status_code == 400
    assert "at most 1000" in response.json()["events"][0]
    for bad in ([], None, "x"):
        assert post(client, vendor, bad).status_code == 400
    assert client.post(URL, "[]", content_type="application/json", **vendor).status_code == 400
    assert not Event.objects.filter(kind="product.active_users").exists()


def test_a_full_batch_of_1000_is_accepted(client, world, vendor):
    events = [usage(n, world.partner_a) for n in range(MAX_BATCH)]
    response = post(client, vendor, events)
    assert response.status_code == 200 and response.json()["stored"] == MAX_BATCH


def test_ingestion_needs_a_write_token(client, world):
    read = bearer(token_for(world.users["vendor_admin"], scope="read"))
    assert post(client, read, [usage(1, world.partner_a)]).status_code == 403
    assert not Event.objects.filter(kind="product.active_users").exists()


@pytest.mark.parametrize(
    "properties",
    [{"note": "a\u0000b"}, {"k\u0000": 1}, {"nested": [{"x": "\u0000"}]}],
    ids=["value", "key", "nested"],
)
def test_a_nul_character_in_properties_is_an_item_error_not_a_server_error(
    client, world, vendor, properties
):
    # Postgres refuses U+0000 in jsonb: the batch used to fail with a 500, losing its valid items.
    response = post(
        client,
        vendor,
        [usage(1, world.partner_a), usage(2, world.partner_a, properties=properties)],
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["rejected"]) == (1, 1)
    assert body["items"][1]["errors"] == {
        "properties": [
            "Must not contain the NUL character (\\u0000): Postgres cannot store it in JSON."
        ]
    }
    assert Event.objects.filter(kind="product.active_users").count() == 1


def test_the_text_of_the_nul_escape_is_an_ordinary_string(client, world, vendor):
    response = post(client, vendor, [usage(1, world.partner_a, properties={"note": "\\u0000"})])
    assert response.json()["stored"] == 1
    assert Event.objects.get(kind="product.active_users").properties == {"note": "\\u0000"}


def test_a_client_id_of_the_documented_maximum_length_is_stored(client, world, vendor):
    # The id becomes the event's subject_id, which held 64 characters: 65-100 answered 500.
    long_id = "x" * MAX_CLIENT_ID
    response = post(client, vendor, [usage(1, world.partner_a, id=long_id)])
    assert response.status_code == 200 and response.json()["stored"] == 1
    assert Event.objects.get(kind="product.active_users").subject_id == long_id
    too_long = post(client, vendor, [usage(2, world.partner_a, id=long_id + "x")])
    assert too_long.json()["rejected"] == 1 and "id" in too_long.json()["items"][0]["errors"]


def test_the_event_consumers_run_after_the_request_not_on_its_path(client, world, vendor):
    # POST /api/v1/events/ records with consumers_later: the batch's ids wait in one
    # PendingDispatch row, and the task (woken after commit, swept every minute) hands them over.
    from events.models import PendingDispatch
    from events.tasks import dispatch_pending_events
    from incentives.models import PartnerScore
    from incentives.tests.factories import rule

    rule(kind="product.active_users", points=3)
    response = post(client, vendor, [usage(n, world.partner_a) for n in range(2)])
    assert response.json()["stored"] == 2
    ids = sorted(Event.objects.filter(kind="product.active_users").values_list("pk", flat=True))
    assert PendingDispatch.objects.get().event_ids == ids
    assert not PartnerScore.objects.filter(partner=world.partner_a).exists()
    assert dispatch_pending_events() == 2
    assert PartnerScore.objects.get(partner=world.partner_a).points == 6
    assert not PendingDispatch.objects.exists()
