"""A full rebuild on Postgres writes staging tables (on two connections at once) and swaps them
in for the live summary tables in one transaction (``metrics.rollup_sql``, "Full rebuild by
swap"): the tables keep their exact layout, readers see the old rows, unblocked, until the
switch, and a rebuild that fails leaves the live tables as they were. The same for the full
rebuild of the adoption scores (``metrics.scores``, "Full rebuild"), its partners split over
two connections: it equals the rebuild on one connection and the naive scores."""

import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction

from conftest import require_service
from events.services import record_events
from metrics import rollups, scores
from metrics.models import AdoptionScore, PartnerDay, PartnerWeek, RollupState
from metrics.rollup_sql import BUCKET_MODELS, STAGING
from metrics.rollups import SCORES_NAME, rollup_recompute
from metrics.tests.helpers import event, roll, snapshot
from metrics.tests.naive import expected_tables

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def postgres_only():
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def two_shards(settings):
    settings.PRM_ROLLUP_SHARDS = 2


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


def layout(models=BUCKET_MODELS) -> list:
    """Every column, constraint, index and storage parameter of the tables, by name, and the
    sequences the tables' columns own."""
    tables = [model._meta.db_table for model in models]
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
        cursor.execute(
            "SELECT t, a.attname, pg_get_serial_sequence(t, a.attname) FROM unnest(%s) t "
            "JOIN pg_attribute a ON a.attrelid = t::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            [tables],
        )
        sequences = sorted(row for row in cursor.fetchall() if row[2] is not None)
    return [columns, constraints, indexes, sequences]


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


# --- The adoption scores' full rebuild ---------------------------------------------------------


def full_score_rebuild(*, one_connection: bool = False) -> dict:
    """Reset ``scores_through`` and refresh: the full rebuild, on two connections, or on one
    (inside a transaction, which the other connection could not see into)."""
    RollupState.objects.update_or_create(name=SCORES_NAME, defaults={"scores_through": None})
    if one_connection:
        with transaction.atomic():
            result = scores.scores_refresh()
    else:
        result = scores.scores_refresh()
    assert result.ran, result.reason
    return result.steps


def seats(world) -> dict:
    return {world.partner_a.pk: 2, world.partner_b.pk: 1}


def score_tables() -> dict:
    got = snapshot()
    return {"score": got["score"], "week": got["week"]}


def test_the_scores_rebuilt_on_two_connections_equal_one_connection_and_naive(world):
    # Both shards (partner_id % 2) hold a partner, so both connections write scores.
    assert world.partner_a.pk % 2 != world.partner_b.pk % 2
    add_events(world, "a")
    roll()
    before = layout([AdoptionScore, PartnerWeek])
    # Keyed by (partner, day) (migration 0024): constraints, three indexes, no sequence.
    assert len(before[1]) >= 2 and len(before[2]) >= 3 and before[3] == []
    steps = full_score_rebuild()
    assert "scores_other" in steps  # the second connection wrote its shard
    two = score_tables()
    assert layout([AdoptionScore, PartnerWeek]) == before
    assert staging_tables() == []
    steps = full_score_rebuild(one_connection=True)
    assert "scores_other" not in steps
    assert score_tables() == two
    assert layout([AdoptionScore, PartnerWeek]) == before
    assert {p for p, _ in two["score"]} == {world.partner_a.pk, world.partner_b.pk}
    assert two["score"] == expected_tables(seats(world), TODAY)["score"]
    # The swapped-in table keeps its (partner, day) key: a new row goes in, a second copy not.
    row = {
        "partner": world.partner_a,
        "day": TODAY + timedelta(days=1),
        "score": 0,
        "areas": 0,
        "active_days": 0,
        "active_users": 0,
        "seats": 0,
        "events": 0,
    }
    AdoptionScore.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptionScore.objects.bulk_create([AdoptionScore(**row)])


def test_score_readers_see_the_old_scores_unblocked_until_the_switch(world, monkeypatch):
    add_events(world, "a")
    roll()
    old = dict(score_tables()["score"])
    assert old
    add_events(world, "b")
    rollups.rollup_incremental()  # queued, not refreshed: only the rebuild adds these events
    staged, go = threading.Event(), threading.Event()
    real = scores._full_summaries

    def paused(cursor, **kwargs):
        real(cursor, **kwargs)
        staged.set()  # this connection's shard is written, not yet swapped in
        assert go.wait(30)

    monkeypatch.setattr(scores, "_full_summaries", paused)
    result = {}

    def rebuild():
        try:
            result["steps"] = full_score_rebuild()
        finally:
            connections.close_all()

    thread = threading.Thread(target=rebuild)
    thread.start()
    try:
        assert staged.wait(30)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # a lock wait fails the test
            assert score_tables()["score"] == old
    finally:
        go.set()
        thread.join(30)
    assert "scores_other" in result["steps"]
    new = score_tables()["score"]
    assert new == expected_tables(seats(world), TODAY)["score"]
    assert new != old
    assert staging_tables() == []


def test_a_failed_score_rebuild_leaves_the_scores_and_the_next_one_succeeds(world, monkeypatch):
    add_events(world, "a")
    roll()
    before = score_tables()
    real = scores._window_scores

    def failing(cursor, **kwargs):
        if kwargs.get("shard") == (1, 2):  # the other connection's shard
            raise RuntimeError("shard failed")
        return real(cursor, **kwargs)

    monkeypatch.setattr(scores, "_window_scores", failing)
    with pytest.raises(RuntimeError, match="shard failed"):
        full_score_rebuild()
    assert score_tables() == before
    assert RollupState.objects.get(name=SCORES_NAME).scores_through is None
    monkeypatch.setattr(scores, "_window_scores", real)
    full_score_rebuild()
    assert score_tables() == before
    assert staging_tables() == []


@contextmanager
def partner_day_user_locked():
    """``PartnerDayUser`` held in ACCESS EXCLUSIVE mode by another connection (as a full rollup
    rebuild's switch holds it) until the block ends or the yielded event is set."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE metrics_partnerdayuser IN ACCESS EXCLUSIVE MODE")
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        yield release
    finally:
        release.set()
        holder.join(30)


def test_a_lock_on_the_bucket_tables_makes_the_score_rebuild_busy_not_stuck(world, monkeypatch):
    """A full rollup rebuild switching the bucket tables waits for the refresh's connection,
    which waits for the other one: the other one gives up on its lock wait instead of hanging,
    the refresh reports busy and rolls back, the next one succeeds."""
    add_events(world, "a")
    roll()
    before = score_tables()
    monkeypatch.setattr(scores, "OTHER_LOCK_TIMEOUT", "200ms")
    with partner_day_user_locked() as release:
        timer = threading.Timer(2.0, release.set)  # this connection waits for the lock until then
        timer.start()
        try:
            RollupState.objects.update_or_create(
                name=SCORES_NAME, defaults={"scores_through": None}
            )
            result = scores.scores_refresh()
        finally:
            timer.cancel()
    assert not result.ran and "lock" in result.reason
    assert score_tables() == before
    assert RollupState.objects.get(name=SCORES_NAME).scores_through is None
    assert "scores_other" in full_score_rebuild()
    assert score_tables() == before


def test_a_lock_on_the_bucket_tables_makes_the_shard_refresh_busy_not_stuck(world, monkeypatch):
    """The incremental refresh's shards (one connection each, while the refresh's own holds the
    scores' lock) give up on a lock wait the same way: busy, ``scores_through`` kept, and the
    next refresh drains what waited and equals the naive scores."""
    add_events(world, "a")
    roll()
    through = RollupState.objects.get(name=SCORES_NAME).scores_through
    add_events(world, "b")
    rollups.rollup_incremental()
    monkeypatch.setattr(scores, "OTHER_LOCK_TIMEOUT", "200ms")
    with partner_day_user_locked():
        result = scores.scores_refresh()
    assert not result.ran and "lock" in result.reason
    assert RollupState.objects.get(name=SCORES_NAME).scores_through == through
    result = scores.scores_refresh()
    assert result.ran and "offerings" in result.steps  # the shards' path
    assert score_tables()["score"] == expected_tables(seats(world), TODAY)["score"]
