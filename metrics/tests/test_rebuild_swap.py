"""A full rebuild on Postgres writes staging tables (on two connections at once) and swaps them
in for the live summary tables in one transaction (``metrics.rollup_sql``, "Full rebuild by
swap"): the tables keep their exact layout, readers see the old rows, unblocked, until the
switch, and a rebuild that fails leaves the live tables as they were."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction

from conftest import require_service
from events.services import record_events
from metrics import rollups
from metrics.models import PartnerDay
from metrics.rollup_sql import BUCKET_MODELS, STAGING
from metrics.rollups import rollup_recompute
from metrics.tests.helpers import event, roll, snapshot
from metrics.tests.naive import expected_tables

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def postgres_only():
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def add_events(world, tag: str) -> None:
    record_events(
        [
            event(
                kind, f"{tag}-{p.pk}-{d}-{kind}", partner=p, day=TODAY - timedelta(days=d), user=u
            )
            for p, u in (
                (world.partner_a, world.users["partner_a_user"]),
                (world.partner_b, None),
            )
            for d in (0, 2, 40)
            for kind in ("auth.login", "lesson.viewed", "offering.used")
        ]
    )


def layout() -> list:
    """Every column, constraint, index and storage parameter of the four tables, by name."""
    tables = [model._meta.db_table for model in BUCKET_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions, a.attname, format_type(a.atttypid, a.atttypmod), "
            "a.attnotnull FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped",
            [tables],
        )
        columns = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        constraints = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s)",
            [tables],
        )
        indexes = sorted(cursor.fetchall())
    return [columns, constraints, indexes]


def total_events() -> int:
    return sum(PartnerDay.objects.values_list("events", flat=True))


def staging_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s", [f"%{STAGING}"])
        return [row[0] for row in cursor.fetchall()]


def test_a_full_rebuild_keeps_the_tables_layout_and_equals_the_naive_rows(world):
    add_events(world, "a")
    roll()
    before = layout()
    assert len(before[1]) >= 4 and len(before[2]) >= 6  # keys, checks; keys and indexes
    assert rollup_recompute().ran
    assert layout() == before
    assert staging_tables() == []
    seats = {world.partner_a.pk: 1}
    got = snapshot()
    want = expected_tables(seats, TODAY)
    for table in ("kind", "day", "day_areas", "user", "offering"):
        assert got[table] == want[table], table


def test_readers_see_the_old_rows_unblocked_until_the_switch(world, monkeypatch):
    add_events(world, "a")
    roll()
    old = total_events()
    add_events(world, "b")  # not rolled up: only the rebuild adds these buckets
    staged, go = threading.Event(), threading.Event()
    real = rollups.build_staging

    def paused(cursor, group, *args):
        real(cursor, group, *args)
        if group is rollups.SWAP_GROUPS[0]:  # the rebuild's own connection, before the switch
            staged.set()
            assert go.wait(30)

    monkeypatch.setattr(rollups, "build_staging", paused)
    result = {}

    def rebuild():
        try:
            result["run"] = rollup_recompute()
        finally:
            connections.close_all()

    thread = threading.Thread(target=rebuild)
    thread.start()
    try:
        assert staged.wait(30)
        # The rebuild's own staging tables are not even visible before its commit.
        assert PartnerDay._meta.db_table + STAGING not in staging_tables()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # a lock wait fails the test
            assert total_events() == old
    finally:
        go.set()
        thread.join(30)
    assert result["run"].ran
    assert total_events() == 2 * old
    assert staging_tables() == []


def test_a_failed_rebuild_leaves_the_live_tables_and_the_next_one_succeeds(world, monkeypatch):
    add_events(world, "a")
    roll()
    before = snapshot()
    real = rollups.build_staging

    def failing(cursor, group, *args):
        if group is rollups.SWAP_GROUPS[-1]:
            raise RuntimeError("staging failed")
        real(cursor, group, *args)

    monkeypatch.setattr(rollups, "build_staging", failing)
    with pytest.raises(RuntimeError, match="staging failed"):
        rollup_recompute()
    assert snapshot() == before
    monkeypatch.setattr(rollups, "build_staging", real)
    assert rollup_recompute().ran
    assert snapshot() == before
    assert staging_tables() == []
