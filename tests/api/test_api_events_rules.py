"""The batch ingestion gives every item exactly the reasons of the plain one-item-at-a-time rules
(``tests/api/naive_ingestion.py``), in the same order, and stores exactly the events those rules
accept; its answer is exactly what the documented serializer would render."""

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.tests.factories import account
from events.models import Event
from ingestion.api.serializers import IngestResultSerializer, ingest_result_data
from ingestion.services import _accounts, _partners, events_ingest
from tests.api.naive_ingestion import naive_item

pytestmark = pytest.mark.django_db
serial = itertools.count()

# Sizes around the 4,096-byte limit, before and after the customer ids are added, with
# characters that JSON escapes (and so count several bytes).
blobs = st.one_of(
    st.integers(4040, 4100).map(lambda n: "x" * n),
    st.integers(670, 690).map(lambda n: "é" * n),  # 6 bytes each once escaped
    st.text(max_size=30),
    st.sampled_from(["a\x00b", "\\u0000"]),  # NUL (refused) and the escape's text (kept)
)
properties = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["blob", "customer_account", "customer_user", "n", "ü", "k\x00"]),
        st.one_of(blobs, st.integers(), st.none(), st.lists(st.integers(), max_size=3)),
        max_size=3,
    ),
)


def items(partner_ids, domains):
    return st.fixed_dictionaries(
        {"kind": st.sampled_from(["product.used", "deal.won", "Bad", "a.b", ""])},
        optional={
            "partner": st.sampled_from([*partner_ids, 999_999]),
            "partner_domain": st.sampled_from([*domains, "nobody.example"]),
            "occurred_at": st.sampled_from(
                [datetime(2026, 3, 1, tzinfo=UTC), datetime(2099, 1, 1, tzinfo=UTC)]
            ),
            "customer_account": st.sampled_from(["ACME-1", "OTHER-9", "x" * 100]),
            "customer_user": st.sampled_from(["ann", "b" * 100]),
            "properties": properties,
        },
    )


@pytest.fixture
def setup(world):
    account(world.partner_a, "ACME-1", seats=10)
    partners = [world.partner_a, world.partner_b]
    return world.users["vendor_admin"], [p.pk for p in partners], [p.domain for p in partners]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_each_item_gets_the_plain_rules_reasons_in_order_and_only_valid_ones_are_stored(
    setup, data
):
    user, partner_ids, domains = setup
    batch = data.draw(st.lists(items(partner_ids, domains), min_size=1, max_size=4))
    # ids past the key's length too (events_ingest may be called without the API's checks)
    pads = data.draw(st.lists(st.integers(0, 200), min_size=len(batch), max_size=len(batch)))
    batch = [
        {"id": f"r{next(serial)}-" + "p" * pad, **{k: v for k, v in item.items() if v is not None}}
        for item, pad in zip(batch, pads, strict=True)
    ]
    by_id, by_domain = _partners(user, batch)
    accounts = _accounts(batch, by_id, by_domain)
    now = datetime.now(UTC)
    expected = [
        naive_item(
            item, owner_id=user.pk, by_id=by_id, by_domain=by_domain, accounts=accounts, now=now
        )
        for item in batch
    ]

    result = events_ingest(user=user, items=batch)

    assert [list(i.errors.items()) for i in result.items] == [
        list(errors.items()) for errors, _ in expected
    ]
    assert [i.accepted for i in result.items] == [event is not None for _, event in expected]
    for _, event in expected:
        if event is not None:
            stored = Event.objects.get(idempotency_key=event["idempotency_key"])
            assert {name: getattr(stored, name) for name in event} == event
    assert result.stored == sum(event is not None for _, event in expected)


def test_the_answer_is_what_the_documented_serializer_renders(world):
    account(world.partner_a, "ACME-1", seats=10)
    user = world.users["vendor_admin"]
    batch = [
        {"id": "ok", "kind": "product.used", "partner": world.partner_a.pk},
        {"id": "ok", "kind": "product.used", "partner": world.partner_a.pk},
        {"id": "bad", "kind": "deal.won", "partner_domain": "nobody.example"},
        {"id": "acct", "kind": "product.used", "partner": world.partner_a.pk,
         "customer_account": "ACME-1", "customer_user": "ann"},
        {"id": None, "_errors": {"id": ["This field is required."]}},
    ]  # fmt: skip
    result = events_ingest(user=user, items=batch)
    assert ingest_result_data(result) == IngestResultSerializer(result).data
    assert (result.stored, result.duplicates, result.rejected) == (2, 1, 2)
