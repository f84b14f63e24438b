"""Monthly partitions of the event table (Postgres) and idempotency without a unique index on
the events: a retry with the same key is stored once whatever its timestamp, also when the
copies race; partitions are created ahead, rows parked in the default partition move into their
month. (Retention, which waits for the rollup, is metrics/tests/test_rollup_partitions.py.)"""

import itertools
import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection, connections

from conftest import require_service
from events.models import Event, EventKey
from events.partitions import ensure_event_partitions, existing_months, is_partitioned
from events.services import NewEvent, record_events
from events.tests.payloads import payload

pytestmark = pytest.mark.django_db


def login(key: str, at: datetime, partner=None) -> NewEvent:
    return NewEvent(
        kind="auth.login",
        key=key,
        occurred_at=at,
        partner_id=getattr(partner, "pk", None),
        properties=payload("auth.login"),
    )


def partition_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM metrics_event WHERE id = %s", [event_id]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def postgres():
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    assert is_partitioned()


def test_a_retry_with_the_same_key_and_another_timestamp_is_stored_once(world):
    first = record_events([login("retry-1", datetime(2026, 1, 31, 23, 59, tzinfo=UTC))])
    # Another month: on Postgres another partition, where no unique index could see the first.
    again = record_events([login("retry-1", datetime(2026, 3, 1, 0, 1, tzinfo=UTC))])
    assert (first, again) == (1, 0)
    stored = Event.objects.get(idempotency_key="retry-1")
    assert stored.day == date(2026, 1, 31)
    assert EventKey.objects.get(key="retry-1").event_id == stored.pk


def test_on_postgres_events_land_in_the_partition_of_their_month(world, postgres):
    today = datetime.now(UTC)
    record_events([login("now", today), login("ancient", datetime(2001, 5, 5, tzinfo=UTC))])
    assert partition_of(Event.objects.get(idempotency_key="now").pk) == (
        f"metrics_event_p{today:%Y%m}"
    )
    assert partition_of(Event.objects.get(idempotency_key="ancient").pk) == "metrics_event_default"


def test_partitions_are_created_ahead_and_rows_in_the_default_move_to_their_month(world, postgres):
    far = datetime(2031, 2, 10, tzinfo=UTC)
    record_events([login("future", far)])  # no partition yet: parked in the default one
    before = existing_months()
    created = ensure_event_partitions(today=date(2030, 12, 5)).created
    assert "metrics_event_p203103" in created and "metrics_event_p203102" in created
    assert partition_of(Event.objects.get(idempotency_key="future").pk) == "metrics_event_p203102"
    assert ensure_event_partitions(today=date(2030, 12, 5)).created == []  # idempotent
    months = existing_months()
    # No gap between the oldest partition and the newest one.
    assert months[0] == before[0] and len(months) == len(set(months))
    assert all(
        (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
        for a, b in itertools.pairwise(months)
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_event_with_different_timestamps_store_it_once(world, postgres):
    barrier = threading.Barrier(4)
    stored = []

    def writer(n: int):
        try:
            barrier.wait(10)
            batch = [
                login(f"race-{i}", datetime(2026, 1 + (n + i) % 12, 3, n, tzinfo=UTC))
                for i in range(20)
            ]
            # Half the writers send the keys in reverse order: still no deadlock.
            stored.append(record_events(batch[::-1] if n % 2 else batch))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(stored) == 20
    assert Event.objects.filter(idempotency_key__startswith="race-").count() == 20
    assert EventKey.objects.filter(key__startswith="race-").count() == 20
