from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from events.models import Event
from events.services import record_events
from metrics.models import (
    AREA_BITS,
    AdoptionScore,
    PartnerDay,
    PartnerDayKind,
    PartnerDayUser,
    PartnerWeek,
    RollupState,
)
from metrics.rollups import ROLLUP_NAME, SCORES_NAME, rollup_incremental
from metrics.scores import scores_refresh
from metrics.tasks import rollup_metrics
from metrics.tests.helpers import event, recompute, roll, snapshot
from metrics.tests.naive import expected_tables
from partners.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _payloads_as_they_come(settings):
    """The rollups count whatever an event carries, declared or not: production records a payload
    that does not match its declaration (with a warning), and older events predate it."""
    settings.PRM_EVENTS_STRICT = False


TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)


def seats(world) -> dict[int, int]:
    return {world.partner_a.pk: 2, world.partner_b.pk: 1}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_incremental_rollup_counts_events_and_distinct_users_per_bucket(world, frozen):
    a, user = world.partner_a, world.users["partner_a_user"]
    admin = world.users["partner_a_admin"]
    record_events(
        [
            event("auth.login", "1", partner=a, day=TODAY, user=user),
            event("auth.login", "2", partner=a, day=TODAY, user=user, hour=13),
            event("auth.login", "3", partner=a, day=TODAY, user=admin),
            event("deal.submitted", "4", partner=a, day=TODAY, user=admin),
        ]
    )
    result = roll()
    assert (result.ran, result.events, result.buckets) == (True, 4, 1)
    kinds = dict(PartnerDayKind.objects.filter(partner=a).values_list("kind", "events"))
    assert kinds == {"auth.login": 3, "deal.submitted": 1}
    assert PartnerDay.objects.get(partner=a, day=TODAY).users == 2
    # A second run with one returning and one new user counts only the new one.
    newcomer = MembershipFactory(partner=a, user__email="new@alpha.example").user
    record_events(
        [
            event("auth.login", "5", partner=a, day=TODAY, user=user, hour=14),
            event("lesson.viewed", "6", partner=a, day=TODAY, user=newcomer),
        ]
    )
    roll()
    assert PartnerDay.objects.get(partner=a, day=TODAY).users == 3


def test_only_the_partners_own_people_are_its_active_users(world, frozen):
    """Vendor staff acting on a partner's deals, and another partner's users, add to the
    partner's events but not to its active users (PartnerDayUser, PartnerDay.users, the weekly
    summary), on the incremental path and on a rebuild alike."""
    a, own = world.partner_a, world.users["partner_a_user"]
    record_events(
        [
            event("auth.login", "1", partner=a, day=TODAY, user=own),
            event("deal.approved", "2", partner=a, day=TODAY, user=world.users["manager_owner"]),
            event("deal.won", "3", partner=a, day=TODAY, user=world.users["vendor_admin"]),
            event("deal.submitted", "4", partner=a, day=TODAY, user=world.users["partner_b_admin"]),
        ]
    )
    for run in (roll, recompute):
        run()
        day = PartnerDay.objects.get(partner=a, day=TODAY)
        assert (day.events, day.users) == (4, 1)
        assert list(PartnerDayUser.objects.filter(partner=a).values_list("user_id", flat=True)) == [
            own.pk
        ]
        week = PartnerWeek.objects.get(partner=a)
        assert (week.week, week.users, week.active_days) == (
            TODAY - timedelta(days=TODAY.weekday()),
            1,
            1,
        )
        assert PartnerDayKind.objects.get(partner=a, day=TODAY, kind="deal.won").events == 1


def test_running_the_rollup_twice_changes_nothing(world, frozen):
    a = world.partner_a
    record_events([event("auth.login", str(i), partner=a, day=TODAY) for i in range(3)])
    roll()
    before = snapshot()
    again = rollup_incremental()
    scores_refresh()
    assert again.ran and again.events == 0
    assert snapshot() == before


def test_a_late_event_lands_in_its_own_day_and_updates_later_scores(world, frozen):
    a, user = world.partner_a, world.users["partner_a_user"]
    record_events([event("auth.login", "now", partner=a, day=TODAY, user=user)])
    roll()
    last_week = TODAY - timedelta(days=7)
    record_events([event("deal.won", "late", partner=a, day=last_week, user=user)])
    roll()
    assert PartnerDayKind.objects.get(partner=a, day=last_week).kind == "deal.won"
    assert PartnerDay.objects.get(partner=a, day=last_week).area_mask == AREA_BITS["deals"]
    # Today's score now counts two areas (portal today, deals last week).
    assert AdoptionScore.objects.get(partner=a, day=TODAY).areas == 2
    assert snapshot() == expected_tables(seats(world), TODAY)


def test_full_recompute_and_a_range_backfill_give_the_incremental_tables(world, frozen):
    a, b = world.partner_a, world.partner_b
    user = world.users["partner_a_user"]
    for n in range(6):
        record_events(
            [
                event("lesson.viewed", f"l{n}", partner=a, day=TODAY - timedelta(days=n * 9)),
                event("auth.login", f"b{n}", partner=b, day=TODAY - timedelta(days=n), user=user),
            ]
        )
        roll()
    incremental = snapshot()
    recompute()
    assert snapshot() == incremental
    recompute(since=TODAY - timedelta(days=20), until=TODAY - timedelta(days=5))
    assert snapshot() == incremental
    assert incremental == expected_tables(seats(world), TODAY)


def test_events_without_a_partner_are_not_rolled_up(world, frozen):
    record_events([event("auth.login", "x", partner=None, day=TODAY)])
    result = roll()
    assert result.events == 0 and not PartnerDay.objects.exists()


def test_watermark_and_last_success_are_stored(world, frozen):
    record_events([event("auth.login", "x", partner=world.partner_a, day=TODAY)])
    roll()
    state = RollupState.objects.get(name=ROLLUP_NAME)
    assert state.watermark == Event.objects.get().pk and state.last_success_at == NOW
    assert RollupState.objects.get(name=SCORES_NAME).scores_through == TODAY


def test_marketing_assets_and_plain_resources_are_different_areas(world, frozen):
    a = world.partner_a
    record_events(
        [
            event(
                "resource.downloaded",
                "m",
                partner=a,
                day=TODAY,
                properties={"marketing_asset": True},
            ),
            event(
                "resource.viewed", "r", partner=a, day=TODAY, properties={"marketing_asset": False}
            ),
            event(
                "resource.viewed", "s", partner=a, day=TODAY, properties={"marketing_asset": "yes"}
            ),
        ]
    )
    roll()
    assert PartnerDay.objects.get(partner=a, day=TODAY).area_mask == (
        AREA_BITS["marketing"] | AREA_BITS["resources"]
    )


def test_the_task_runs_the_rollup(world, frozen):
    record_events([event("auth.login", "x", partner=world.partner_a, day=TODAY)])
    result = rollup_metrics.delay().get()
    assert result == {
        "ran": True,
        "events": 1,
        "scores": 1,
        "reason": "",
        "partners_turned_at_risk": 0,  # nobody at risk today that was not yesterday
        "churn_forecasts": 0,  # no churn model trained yet: nothing forecast (issue 22)
        "dashboard_rebuilds": 0,
    }


def test_the_command_rebuilds_a_range_and_refuses_bad_dates(world, frozen):
    record_events([event("auth.login", "x", partner=world.partner_a, day=TODAY)])
    out = StringIO()
    call_command("rollup_metrics", "--since", "2026-03-01", "--until", "2026-03-15", stdout=out)
    assert PartnerDay.objects.count() == 1
    assert "rebuilt: 1 partner-days" in out.getvalue()
    with pytest.raises(CommandError, match="is not a date"):
        call_command("rollup_metrics", "--since", "March")
    with pytest.raises(CommandError, match="must not be after"):
        call_command("rollup_metrics", "--since", "2026-03-10", "--until", "2026-03-01")
    with pytest.raises(CommandError, match="either --full"):
        call_command("rollup_metrics", "--full", "--since", "2026-03-10")


def test_scores_fill_the_days_between_runs(world, frozen):
    a = world.partner_a
    record_events([event("auth.login", "x", partner=a, day=TODAY)])
    roll()
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        roll()
        days = set(AdoptionScore.objects.filter(partner=a).values_list("day", flat=True))
        assert days == {TODAY + timedelta(days=n) for n in range(4)}
        assert snapshot() == expected_tables(seats(world), TODAY + timedelta(days=3))
