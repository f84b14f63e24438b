"""Partner shards of the incremental rollup (Postgres): each shard is its own exactly-once fold,
shards run at once on their own connections, and changing PRM_ROLLUP_SHARDS, a shard that fell
behind, a range rebuild or a broken layout never fold an event twice or skip one."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from conftest import require_service
from events.models import Event
from events.services import record_events
from metrics.definitions import metrics_freshness
from metrics.models import RollupState
from metrics.rollups import (
    _run_shard,
    rollup_incremental,
    rollup_recompute,
    shard_name,
    shard_states,
)
from metrics.scores import scores_refresh
from metrics.tests.helpers import event, recompute, roll, snapshot
from metrics.tests.naive import expected_tables
from partners.models import PartnerMembership
from partners.tests.factories import PartnerFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def postgres_only():
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def partners(world):
    """Four partners, so every shard of two or three gets some."""
    extra = [
        PartnerFactory(
            name=f"Extra {n}", program=world.partner_a.program, tier=world.partner_a.tier
        )
        for n in range(2)
    ]
    return [world.partner_a, world.partner_b, *extra]


def seats() -> dict[int, int]:
    active = PartnerMembership.objects.filter(user__is_active=True)
    return dict(Counter(active.values_list("partner_id", flat=True)))


def last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True)[0]


def add_events(partners, world, tag: str, days=(0, 1, 9)) -> None:
    user = world.users["partner_a_user"]
    record_events(
        [
            event(
                kind,
                f"{tag}-{p.pk}-{d}-{kind}",
                partner=p,
                day=TODAY - timedelta(days=d),
                user=user,
            )
            for p in partners
            for d in days
            for kind in ("auth.login", "deal.submitted", "lesson.viewed")
        ]
    )


def watermarks() -> dict[str, int]:
    return dict(shard_states().values_list("name", "watermark"))


def test_each_shard_keeps_its_own_watermark_and_together_they_fold_every_partner(
    partners, world, frozen, settings
):
    settings.PRM_ROLLUP_SHARDS = 2
    assert {p.pk % 2 for p in partners} == {0, 1}
    add_events(partners, world, "a")
    result = roll()
    top = last_event_id()
    assert result.ran and result.events == Event.objects.count()
    assert watermarks() == {shard_name(0): top, shard_name(1): top}
    assert snapshot() == expected_tables(seats(), TODAY)
    again = rollup_incremental()
    assert again.ran and again.events == 0


def test_a_shard_that_fell_behind_catches_up_before_the_shard_count_changes(
    partners, world, frozen, settings
):
    settings.PRM_ROLLUP_SHARDS = 2
    add_events(partners, world, "a")
    roll()
    add_events(partners, world, "b")
    # Shard 1's run failed: only shard 0 folded the new events.
    upper = last_event_id()
    assert _run_shard(0, 2, upper).ran
    assert watermarks()[shard_name(0)] > watermarks()[shard_name(1)]
    settings.PRM_ROLLUP_SHARDS = 3
    add_events(partners, world, "c")
    assert roll().ran
    top = last_event_id()
    assert watermarks() == {shard_name(k): top for k in range(3)}
    assert snapshot() == expected_tables(seats(), TODAY)


def test_going_back_to_one_shard_drops_the_other_state_rows(partners, world, frozen, settings):
    settings.PRM_ROLLUP_SHARDS = 2
    add_events(partners, world, "a")
    roll()
    settings.PRM_ROLLUP_SHARDS = 1
    add_events(partners, world, "b")
    roll()
    assert list(watermarks()) == [shard_name(0)]
    assert snapshot() == expected_tables(seats(), TODAY)


def test_a_range_rebuild_stops_at_each_shards_own_watermark(partners, world, frozen, settings):
    settings.PRM_ROLLUP_SHARDS = 2
    add_events(partners, world, "a")
    roll()
    add_events(partners, world, "b")
    upper = last_event_id()
    _run_shard(0, 2, upper)  # shard 1 is behind
    assert rollup_recompute(since=TODAY - timedelta(days=3), until=TODAY).ran
    scores_refresh()
    roll()  # shard 1 folds its events now, once
    assert snapshot() == expected_tables(seats(), TODAY)


def test_a_broken_layout_stops_incremental_runs_until_a_full_rebuild(
    partners, world, frozen, settings
):
    settings.PRM_ROLLUP_SHARDS = 2
    add_events(partners, world, "a")
    roll()
    RollupState.objects.filter(name=shard_name(1)).update(name=shard_name(5))
    add_events(partners, world, "b")
    result = rollup_incremental()
    assert not result.ran and "rollup_metrics --full" in result.reason
    recompute()
    assert sorted(watermarks()) == [shard_name(0), shard_name(1)]
    assert snapshot() == expected_tables(seats(), TODAY)


def test_freshness_is_the_oldest_shards_last_success(partners, world, frozen, settings):
    settings.PRM_ROLLUP_SHARDS = 2
    add_events(partners, world, "a")
    roll()
    earlier = NOW - timedelta(minutes=7)
    RollupState.objects.filter(name=shard_name(1)).update(last_success_at=earlier)
    assert metrics_freshness().last_success_at == earlier


@pytest.mark.django_db(transaction=True)
def test_shards_run_at_once_on_their_own_connections_and_equal_a_recompute(partners, world):
    """Outside a transaction the shards run in threads, each with its own connection."""
    with time_machine.travel(NOW, tick=False):
        from django.conf import settings

        assert settings.PRM_ROLLUP_SHARDS == 2
        add_events(partners, world, "a")
        result = roll()
        assert result.ran and result.events == Event.objects.count()
        incremental = snapshot()
        assert incremental == expected_tables(seats(), TODAY)
        recompute()
        assert snapshot() == incremental
