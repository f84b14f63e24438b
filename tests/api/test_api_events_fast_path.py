"""The ingestion's fast item check agrees with the serializer it shortcuts: whenever it accepts
an item, the serializer accepts it with the same result; what it declines goes to the
serializer, whose reasons the client gets."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.api.serializers import EventItemSerializer, fast_event_item

text = st.one_of(
    st.text(max_size=120), st.sampled_from(["product.used", "a.b", " x ", "ok-1", ""]), st.none()
)
values = st.one_of(
    text, st.integers(-5, 2**32), st.booleans(), st.dictionaries(st.text(), st.integers())
)
stamps = st.one_of(
    st.sampled_from(
        ["2026-03-01T12:00:00Z", "2026-03-01T12:00:00+02:00", "2026-03-01T12:00:00", "2026-03-01",
         "not a date", "2026-13-01T00:00:00Z"]
    ),
    values,
)  # fmt: skip
items = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.from_regex(r"\A[A-Za-z0-9._:\-]{1,110}\Z"), values),
        "kind": values,
        "partner": values,
        "partner_domain": values,
        "customer_account": values,
        "customer_user": values,
        "occurred_at": stamps,
        "properties": values,
    },
)


@settings(max_examples=400, deadline=None)
@given(items)
def test_the_fast_path_accepts_only_what_the_serializer_accepts_with_the_same_result(raw):
    fast = fast_event_item(raw)
    serializer = EventItemSerializer(data=raw)
    valid = serializer.is_valid()
    if fast is not None:
        assert valid, serializer.errors
        assert fast == dict(serializer.validated_data)


def test_a_plain_usage_item_takes_the_fast_path():
    raw = {
        "id": "u-1",
        "kind": "product.used",
        "partner": 3,
        "customer_account": "ACME",
        "customer_user": "ann",
        "occurred_at": "2026-03-01T12:00:00Z",
        "properties": {"feature": "x"},
    }
    serializer = EventItemSerializer(data=raw)
    assert serializer.is_valid()
    assert fast_event_item(raw) == dict(serializer.validated_data)
