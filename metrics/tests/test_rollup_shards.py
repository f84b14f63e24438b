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
from metrics.models import (
    OfferingAdoptionRule,
    OfferingAdoptionSpan,
    RollupState,
    ScoreDelta,
    ScoreDirty,
)
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
from partners.tests.factories import OfferingFactory, PartnerFactory

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


def spans() -> set:
    return set(OfferingAdoptionSpan.objects.values_list("partner_id", "offering", "start", "end"))


def offering_with_a_rule(slug: str = "core") -> None:
    offering = OfferingFactory(slug=slug, launched_on=TODAY - timedelta(days=90))
    OfferingAdoptionRule.objects.create(
        offering=offering, description="r", kinds=["offering.used"], window_days=5, min_events=1
    )


@pytest.mark.django_db(transaction=True)
def test_the_score_refresh_shards_run_at_once_and_equal_naive_and_a_rebuild(
    partners, world, settings
):
    """Outside a transaction each shard of the score refresh drains its own partners' queue
    entries on its own connection (REPEATABLE READ): over runs within a day (deltas), late
    events (recomputed windows), a range rebuild and a day that passes, the scores equal the
    naive ones after every refresh, and the spans and weeks equal a full rebuild's."""
    settings.PRM_EVENTS_STRICT = False
    assert settings.PRM_ROLLUP_SHARDS == 2
    assert {p.pk % 2 for p in partners} == {0, 1}
    offering_with_a_rule()
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        scores_refresh()  # the first refresh computes everything, on one connection
    user = world.users["partner_a_user"]
    runs = [
        (NOW, [0, 1, 9], None),
        (NOW + timedelta(minutes=5), [0, 0, 31], None),  # within the day: deltas
        (NOW + timedelta(minutes=10), [2, 45], "rebuild"),  # late, then a range rebuild
        (NOW + timedelta(days=1), [0, 29, 30], None),  # the first run of a new day
        (NOW + timedelta(days=3, minutes=1), [1], None),
    ]
    for n, (now, days, then) in enumerate(runs):
        with time_machine.travel(now, tick=False):
            today = now.date()
            record_events(
                [
                    event(
                        kind,
                        f"s{n}-{p.pk}-{i}-{kind}",
                        partner=p,
                        day=today - timedelta(days=d),
                        user=user if i % 2 else None,
                        properties={"offering": "core"} if kind == "offering.used" else None,
                    )
                    for p in partners
                    for i, d in enumerate(days)
                    for kind in ("auth.login", "offering.used")
                ]
            )
            assert rollup_incremental().ran
            if then == "rebuild":
                assert rollup_recompute(since=today - timedelta(days=3), until=today).ran
            result = scores_refresh()
            assert result.ran and "offerings" in result.steps  # the sharded path
            assert snapshot()["score"] == expected_tables(seats(), today)["score"], n
    assert not ScoreDelta.objects.exists() and not ScoreDirty.objects.exists()
    kept, kept_spans = snapshot(), spans()
    assert kept_spans  # the rule was met: the spans were written by the shards
    with time_machine.travel(runs[-1][0], tick=False):
        recompute()
    assert snapshot() == kept and spans() == kept_spans


@pytest.mark.django_db(transaction=True)
def test_a_failing_shard_leaves_the_days_to_the_next_refresh(partners, world, monkeypatch):
    """A shard that fails rolls back the refresh's state (``scores_through`` stays); the shard
    that committed keeps its work, and the next refresh brings every partner up to date."""
    from metrics import scores as scores_module

    user = world.users["partner_a_user"]

    def record(tag: str, today: date) -> None:
        record_events(
            [
                event(
                    "auth.login",
                    f"{tag}-{p.pk}-{d}",
                    partner=p,
                    day=today - timedelta(days=d),
                    user=user,
                )
                for p in partners
                for d in (0, 3)
            ]
        )

    with time_machine.travel(NOW, tick=False):
        record("a", TODAY)
        roll()
    drain = scores_module._drain

    def failing(cursor, **kwargs):
        if kwargs.get("shard") == 1:
            raise RuntimeError("shard 1 broke")
        return drain(cursor, **kwargs)

    later = NOW + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        record("b", later.date())
        assert rollup_incremental().ran
        monkeypatch.setattr(scores_module, "_drain", failing)
        with pytest.raises(RuntimeError, match="shard 1 broke"):
            scores_refresh()
        assert RollupState.objects.get(name="scores").scores_through == TODAY
        assert ScoreDelta.objects.exists()  # shard 1's deltas wait
        assert not ScoreDelta.objects.filter(
            partner_id__in=[p.pk for p in partners if p.pk % 2 == 0]
        ).exists()
        monkeypatch.setattr(scores_module, "_drain", drain)
        assert scores_refresh().ran
        assert RollupState.objects.get(name="scores").scores_through == later.date()
        assert snapshot()["score"] == expected_tables(seats(), later.date())["score"]
