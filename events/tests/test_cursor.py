"""Reading events since a cursor (events.cursor): a batch never holds an event of a transaction
still open, never skips one, and the cursor it hands back moves past other kinds."""

import threading
from datetime import UTC, date, datetime, time

import pytest
from django.db import connection, connections, transaction

from conftest import require_service
from events.cursor import EventsBusy, events_since, safe_upper_bound
from events.models import Event
from events.services import NewEvent, record_events
from events.tests.payloads import payload

DAY = datetime.now(UTC).date()


def event(kind: str, key: str, *, partner, day: date) -> NewEvent:
    return NewEvent(
        kind=kind,
        key=key,
        partner_id=partner.pk,
        occurred_at=datetime.combine(day, time(12), tzinfo=UTC),
        properties=payload(kind),
    )


def _record(world, *keys, kind="auth.login"):
    record_events([event(kind, key, partner=world.partner_a, day=DAY) for key in keys])
    return list(Event.objects.filter(idempotency_key__in=keys).order_by("id"))


@pytest.mark.django_db
def test_a_batch_holds_the_events_after_the_cursor_oldest_first_up_to_the_limit(world):
    start = safe_upper_bound()
    recorded = _record(world, "a", "b", "c")
    first = events_since(start, limit=2)
    assert [e.pk for e in first.events] == [recorded[0].pk, recorded[1].pk]
    assert first.cursor == recorded[1].pk and first.more
    second = events_since(first.cursor, limit=2)
    assert [e.pk for e in second.events] == [recorded[2].pk]
    assert second.cursor == second.upper == recorded[2].pk and not second.more
    assert events_since(second.cursor, limit=2).events == []
    assert events_since(second.cursor, limit=2).cursor == second.cursor


@pytest.mark.django_db
def test_a_batch_of_some_kinds_moves_the_cursor_past_events_of_other_kinds(world):
    start = safe_upper_bound()
    logins = _record(world, "l1", "l2")
    viewed = _record(world, "v1", kind="lesson.viewed")
    batch = events_since(start, limit=10, kinds=["lesson.viewed"])
    assert [e.pk for e in batch.events] == [viewed[0].pk]
    assert batch.cursor == max(e.pk for e in logins + viewed)
    assert events_since(batch.cursor, limit=10, kinds=["lesson.viewed"]).events == []


@pytest.mark.django_db
def test_a_batch_never_reads_past_the_bound_it_is_given(world):
    start = safe_upper_bound()
    first, second = _record(world, "a", "b")
    batch = events_since(start, limit=10, upper=first.pk)
    assert [e.pk for e in batch.events] == [first.pk] and batch.cursor == first.pk
    assert [e.pk for e in events_since(batch.cursor, limit=10).events] == [second.pk]


@pytest.mark.django_db
def test_a_limit_below_one_is_refused(world):
    with pytest.raises(ValueError):
        events_since(0, limit=0)


# --- Postgres: an open writer ---------------------------------------------------------------------


def _in_thread(target):
    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_bound_never_passes_an_open_writers_event_and_the_next_batch_includes_it(
    world, settings
):
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    settings.PRM_ROLLUP_LOCK_TIMEOUT_MS = 300
    start = safe_upper_bound()
    holding, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            _record(world, "slow")  # takes the lower id, commits last
            holding.set()
            release.wait(10)

    thread = _in_thread(slow_writer)
    assert holding.wait(10)
    fast = _record(world, "fast")[0]  # a higher id, committed and visible
    with pytest.raises(EventsBusy):
        safe_upper_bound()
    with pytest.raises(EventsBusy):
        events_since(start, limit=10)
    release.set()
    thread.join(10)
    batch = events_since(start, limit=10)
    slow = Event.objects.get(idempotency_key="slow")
    assert slow.pk < fast.pk
    assert [e.pk for e in batch.events] == [slow.pk, fast.pk]
    assert batch.cursor == fast.pk


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_bound_lock_is_released_at_once_so_writers_are_not_blocked(world):
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    bound = safe_upper_bound()
    wrote = threading.Event()
    thread = _in_thread(lambda: (_record(world, "after"), wrote.set()))
    thread.join(10)
    assert wrote.is_set()
    assert safe_upper_bound() > bound
