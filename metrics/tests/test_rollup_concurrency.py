"""Database-level guarantees of the rollup on Postgres (PERFORMANCE.md G11): an open writer's
event is never skipped, overlapping runs never both run, and after concurrent ingestion the
incremental tables equal a from-scratch recompute."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from conftest import require_service
from events.services import record_events
from metrics.models import RollupState
from metrics.rollups import ROLLUP_NAME, rollup_incremental
from metrics.tests.helpers import event, recompute, roll, snapshot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DAY = datetime.now(UTC).date()


@pytest.fixture(autouse=True)
def postgres_only():
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")


def in_thread(target):
    """Run ``target`` in a thread with its own database connection; returns (thread, done)."""
    done = threading.Event()

    def run():
        try:
            target()
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done


def test_an_event_still_being_written_is_not_skipped_by_the_watermark(world, settings):
    settings.PRM_ROLLUP_LOCK_TIMEOUT_MS = 300
    a = world.partner_a
    holding, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            record_events([event("auth.login", "slow", partner=a, day=DAY)])  # takes a lower id
            holding.set()
            release.wait(10)

    thread, _ = in_thread(slow_writer)
    assert holding.wait(10)
    record_events([event("auth.login", "fast", partner=a, day=DAY)])  # higher id, committed
    busy = rollup_incremental()
    # max(id) would be "fast"'s id and the watermark would jump past "slow" for ever.
    assert not busy.ran and "writers" in busy.reason
    release.set()
    thread.join(10)
    result = roll()
    assert result.ran and result.events == 2
    before = snapshot()
    recompute()
    assert snapshot() == before


def hold_rollup_lock():
    """Another run (or a killed run's statement still ending) holds shard 0's state row, in a
    thread with its own connection, until ``release`` is set; returns (thread, release)."""
    RollupState.objects.get_or_create(name=ROLLUP_NAME)
    holding, release = threading.Event(), threading.Event()

    def other_run():
        with transaction.atomic():
            RollupState.objects.select_for_update().get(name=ROLLUP_NAME)
            holding.set()
            release.wait(10)

    thread, _ = in_thread(other_run)
    assert holding.wait(10)
    return thread, release


def test_an_overlapping_run_gives_up_instead_of_running_twice(world):
    record_events([event("auth.login", "x", partner=world.partner_a, day=DAY)])
    thread, release = hold_rollup_lock()
    result = rollup_incremental()
    release.set()
    thread.join(10)
    assert not result.ran and result.reason == "another rollup run is in progress"
    assert result.busy
    assert roll().events == 1


def test_the_task_tries_again_when_a_killed_runs_lock_is_still_held(world):
    """A redelivered task (its worker was killed mid-rollup) can arrive while the killed run's
    last statement still holds the locks: it retries (BUSY_RETRIES times, BUSY_RETRY_SECONDS
    apart) instead of waiting for beat's next run; the last try gives up quietly."""
    from celery.exceptions import Retry

    from metrics import tasks

    record_events([event("auth.login", "x", partner=world.partner_a, day=DAY)])
    thread, release = hold_rollup_lock()
    with pytest.raises(Retry):  # eager mode raises what a worker would send to the broker
        tasks.rollup_metrics.apply().get()
    last = tasks.rollup_metrics.apply(retries=tasks.BUSY_RETRIES).get()
    assert last["ran"] is False and last["reason"] == "another rollup run is in progress"
    release.set()
    thread.join(10)
    retried = tasks.rollup_metrics.apply(retries=1).get()
    assert retried["ran"] and retried["events"] == 1


def test_rollups_during_concurrent_ingestion_equal_a_recompute(world):
    partners = [world.partner_a, world.partner_b]
    stop = threading.Event()

    def writer(n):
        def run():
            i = 0
            while not stop.is_set() and i < 60:
                record_events(
                    [
                        event("lesson.viewed", f"w{n}-{i}-{k}", partner=partners[k % 2], day=DAY)
                        for k in range(5)
                    ]
                )
                i += 1

        return run

    threads = [in_thread(writer(n))[0] for n in range(3)]
    runs = 0
    while any(t.is_alive() for t in threads):
        rollup_incremental()
        runs += 1
    for t in threads:
        t.join(10)
    roll()
    incremental = snapshot()
    assert sum(events for events, _ in incremental["day"].values()) == 3 * 60 * 5
    recompute()
    assert snapshot() == incremental
    assert runs >= 1
