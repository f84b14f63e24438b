import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import consumers
from events.choices import EventKind
from events.models import Event
from events.services import EventError, NewEvent, encode_properties, record_event, record_events
from events.tests.payloads import payload

pytestmark = pytest.mark.django_db

CIRCULAR: dict = {}
CIRCULAR["self"] = CIRCULAR


def test_repeated_event_with_the_same_key_is_stored_once(world):
    user = world.users["partner_a_user"]
    first = record_event(
        kind=EventKind.COURSE_COMPLETED,
        key="course.completed:1:7",
        user=user,
        properties=payload("course.completed"),
    )
    second = record_event(
        kind=EventKind.COURSE_COMPLETED,
        key="course.completed:1:7",
        user=user,
        properties=payload("course.completed"),
    )
    assert (first, second) == (True, False)
    assert Event.objects.filter(idempotency_key="course.completed:1:7").count() == 1


def test_first_write_wins_for_a_repeated_key(world):
    record_event(kind="deal.won", key="k1", properties=payload("deal.won", {"amount": "10"}))
    record_event(kind="deal.won", key="k1", properties=payload("deal.won", {"amount": "99"}))
    assert Event.objects.get(idempotency_key="k1").properties["amount"] == "10"


def test_batch_skips_duplicates_inside_the_batch_and_already_stored(world):
    record_event(kind="auth.login", key="a", properties=payload("auth.login"))
    new = record_events(
        [
            NewEvent(kind="auth.login", key=k, properties=payload("auth.login"))
            for k in ["a", "b", "b", "c"]
        ],
    )
    assert new == 2
    assert sorted(Event.objects.values_list("idempotency_key", flat=True)) == ["a", "b", "c"]


def test_partner_defaults_to_the_users_partner(world):
    user = world.users["partner_a_admin"]
    record_event(kind=EventKind.LOGIN, key="login-1", user=user, properties=payload("auth.login"))
    event = Event.objects.get(idempotency_key="login-1")
    assert (event.partner_id, event.user_id) == (world.partner_a.pk, user.pk)


def test_subject_is_recorded_as_label_and_id(world):
    record_event(
        kind="partner.created",
        key="p",
        subject=world.partner_b,
        partner=world.partner_b,
        properties=payload("partner.created"),
    )
    event = Event.objects.get(idempotency_key="p")
    assert (event.subject_type, event.subject_id) == ("partners.partner", str(world.partner_b.pk))


def test_day_is_the_utc_calendar_day_of_occurred_at(world):
    late_evening_in_new_york = datetime(2026, 3, 1, 22, 30, tzinfo=timezone(timedelta(hours=-5)))
    record_event(
        kind="auth.login",
        key="ny",
        occurred_at=late_evening_in_new_york,
        properties=payload("auth.login"),
    )
    assert str(Event.objects.get(idempotency_key="ny").day) == "2026-03-02"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "Login", "key": "x"}, "area.verb"),
        ({"kind": "auth.login", "key": ""}, "idempotency key"),
        ({"kind": "auth.login", "key": "x" * 201}, "idempotency key"),
        ({"kind": "auth.login", "key": "x", "occurred_at": datetime(2026, 1, 1)}, "timezone"),
        ({"kind": "auth.login", "key": "x", "properties": {"blob": "x" * 5000}}, "4096"),
        ({"kind": "auth.login", "key": "x", "properties": {"when": object()}}, "JSON"),
        ({"kind": "auth.login", "key": "x", "properties": CIRCULAR}, "JSON"),
    ],
)
def test_invalid_event_is_refused_with_a_reason_and_nothing_is_stored(world, kwargs, message):
    with pytest.raises(EventError, match=message):
        record_event(**kwargs)
    assert not Event.objects.exists()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_the_properties_encoder_is_json_dumps_with_compact_separators(value):
    # NaN and the infinities included: the same (non-standard) text as json.dumps.
    assert encode_properties(value) == json.dumps(value, separators=(",", ":"))


def test_a_bad_item_in_a_batch_stores_nothing(world):
    with pytest.raises(EventError):
        record_events(
            [
                NewEvent(kind="auth.login", key="ok", properties=payload("auth.login")),
                NewEvent(kind="BAD", key="bad"),
            ]
        )
    assert not Event.objects.exists()


def listen(monkeypatch, handle, kinds=consumers.ALL_KINDS):
    monkeypatch.setitem(
        consumers.registry, "test.listener", consumers.Consumer("test.listener", handle, kinds)
    )


def test_consumers_get_only_new_events(world, monkeypatch):
    seen = []
    listen(monkeypatch, lambda events: seen.extend(e.idempotency_key for e in events))
    record_event(kind="course.completed", key="c1", properties=payload("course.completed"))
    record_event(kind="course.completed", key="c1", properties=payload("course.completed"))
    record_events(
        [
            NewEvent(kind="course.completed", key=k, properties=payload("course.completed"))
            for k in ("c1", "c2")
        ]
    )
    assert seen == ["c1", "c2"]


def test_a_consumer_gets_only_the_kinds_it_registered_for(world, monkeypatch):
    seen = []
    listen(monkeypatch, lambda events: seen.extend(e.kind for e in events), {"auth.login"})
    record_events(
        [
            NewEvent(kind="auth.login", key="l", properties=payload("auth.login")),
            NewEvent(kind="course.completed", key="c", properties=payload("course.completed")),
        ]
    )
    assert seen == ["auth.login"]


def test_occurred_at_defaults_to_now(world):
    before = datetime.now(UTC)
    record_event(kind="auth.login", key="now", properties=payload("auth.login"))
    assert Event.objects.get(idempotency_key="now").occurred_at >= before


def test_text_that_array_literals_escape_is_stored_exactly(world):
    odd = ['a"b', "back\\slash", "{brace},comma", "NULL", " spaced ", "é ü 😀", 'end\\"']
    events = [
        NewEvent(
            kind="crm.synced",
            key=f"odd-{n}-{text}",
            subject_type="t",
            subject_id=text,
            properties={"text": text, text: [text, None, 1.5]},
            occurred_at=datetime(2026, 3, 1, 12, n, tzinfo=timezone(timedelta(hours=-n))),
        )
        for n, text in enumerate(odd)
    ]
    assert record_events(events) == len(odd)
    for new in events:
        stored = Event.objects.get(idempotency_key=new.key)
        assert (stored.subject_id, stored.properties) == (new.subject_id, new.properties)
        assert stored.occurred_at == new.occurred_at


def test_consumers_get_the_stored_rows_with_their_ids(world, monkeypatch):
    seen = []
    listen(monkeypatch, seen.extend)
    record_events(
        [
            NewEvent(
                kind="crm.synced",
                key="s1",
                partner_id=world.partner_a.pk,
                properties=payload("auth.login"),
            ),
            NewEvent(kind="crm.synced", key="s2", properties={"a": [1, "x"]}),
        ]
    )
    fields = [f.attname for f in Event._meta.concrete_fields]
    for event in seen:
        assert not event._state.adding and event.pk is not None
        stored = Event.objects.get(pk=event.pk)
        assert [getattr(event, f) for f in fields] == [getattr(stored, f) for f in fields]


def test_record_events_writes_the_columns_in_the_models_field_order():
    # Event.from_db takes a full row in this order (events.services._store_postgres).
    from events.services import _FIELDS

    assert list(_FIELDS) == [f.attname for f in Event._meta.concrete_fields]


def test_loaded_events_equal_from_db_instances():
    # record_events builds the new events' instances without Model.__init__ (speed); they must be
    # the instances from_db would give, and from_db runs when something listens to (post_)init.
    from django.db.models import signals

    from events.services import _FIELDS, _loaded_events

    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    rows = [
        (7, when, when.date(), when, 3, None, "crm.synced", "api.client", "x", {"a": [1]}, "k1"),
        (8, when, when.date(), when, None, 5, "auth.login", "", "", {}, "k2"),
    ]
    fast = _loaded_events("default", rows)
    slow = [Event.from_db("default", _FIELDS, row) for row in rows]
    for a, b in zip(fast, slow, strict=True):
        assert type(a) is Event and not a._state.adding and a._state.db == "default"
        assert {k: v for k, v in vars(a).items() if k != "_state"} == {
            k: v for k, v in vars(b).items() if k != "_state"
        }
        assert a.partner_id == b.partner_id and a.pk == b.pk and a == b
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(listener, sender=Event)
    try:
        assert [e.pk for e in _loaded_events("default", rows)] == [7, 8]
    finally:
        signals.post_init.disconnect(listener, sender=Event)
    assert seen == [7, 8]
