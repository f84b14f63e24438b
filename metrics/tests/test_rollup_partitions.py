"""The rollups over the monthly partitions of the event table (Postgres): retention drops whole
months once they are rolled up, and an incremental rollup over partitions equals a recompute.
(The partitions themselves and idempotency: events/tests/test_partitions.py.)"""

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from conftest import require_service
from events.models import Event, EventKey
from events.partitions import (
    create_month,
    drop_event_partitions_before,
    is_partitioned,
)
from events.services import NewEvent, record_events
from events.tests.payloads import payload
from metrics.tests.helpers import recompute, roll, snapshot

pytestmark = pytest.mark.django_db


def login(key: str, at: datetime, partner=None) -> NewEvent:
    return NewEvent(
        kind="auth.login",
        key=key,
        occurred_at=at,
        partner_id=getattr(partner, "pk", None),
        properties=payload("auth.login"),
    )


@pytest.fixture
def postgres():
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    assert is_partitioned()


def test_retention_drops_a_rolled_up_month_and_keeps_its_summaries(world, postgres):
    record_events([login("keep-summary", datetime(2025, 3, 10, tzinfo=UTC), world.partner_a)])
    with connection.cursor() as cursor:
        assert create_month(cursor, date(2025, 3, 1))  # moves the row out of the default
    with pytest.raises(ValueError, match="not rolled up"):
        drop_event_partitions_before(date(2025, 4, 1))
    roll()
    summaries = snapshot()
    assert summaries["day"]
    assert drop_event_partitions_before(date(2025, 4, 1)).dropped == ["metrics_event_p202503"]
    assert not Event.objects.filter(idempotency_key="keep-summary").exists()
    assert not EventKey.objects.filter(key="keep-summary").exists()
    assert snapshot() == summaries


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_rollups_over_partitions_equal_a_recompute(world, postgres):
    a, b = world.partner_a, world.partner_b
    record_events(
        [login(f"m{i}", datetime(2026, 1 + i % 6, 1 + i % 27, tzinfo=UTC), a) for i in range(30)]
        + [login(f"n{i}", datetime.now(UTC), b) for i in range(5)]
    )
    roll()
    record_events([login("late", datetime(2026, 2, 14, tzinfo=UTC), a)])
    roll()
    incremental = snapshot()
    assert sum(events for events, _ in incremental["day"].values()) == 36
    recompute()
    assert snapshot() == incremental
