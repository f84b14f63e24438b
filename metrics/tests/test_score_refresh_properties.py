"""Property test of the incremental score refresh (issue 24): after random batches recorded over
several days (late events for old days, events on the edge of a 30-day window, days that pass
with no event, refreshes on some days only), the scores kept by ``scores_refresh`` equal the
naive computation after every refresh, and a full rebuild gives exactly the same rows."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.services import record_events
from metrics.models import AdoptionScore, RollupState
from metrics.rollups import SCORES_NAME, rollup_incremental, rollup_recompute
from metrics.scores import scores_refresh
from metrics.tests.helpers import event, snapshot
from metrics.tests.naive import expected_tables
from metrics.tests.test_rollup_properties import KINDS

pytestmark = pytest.mark.django_db

START = date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _payloads_as_they_come(settings):
    settings.PRM_EVENTS_STRICT = False


class Rollback(Exception):
    pass


# Days before the day of the batch: recent, late, and the window's edges (29 = its first day,
# 30 = just outside it, 59/60 = the edge of the window of a score that a late event changes).
days_ago = st.one_of(st.integers(0, 45), st.sampled_from([29, 30, 31, 58, 59, 60]))
raw_event = st.tuples(
    st.integers(0, len(KINDS) - 1),  # kind
    st.integers(0, 2),  # partner: A, B, or none
    st.integers(0, 4),  # user: three partner people, a channel manager, or none
    days_ago,
    st.integers(0, 22),  # hour (the clock stands at 23:00)
    st.integers(0, 20),  # key: repeats are duplicates and must count once
)
batch = st.tuples(
    st.integers(0, 40),  # days that pass before the batch (over 30: every window moves on)
    st.lists(raw_event, max_size=8),
    # After this batch's rollup: refresh the scores, or not (the queue waits), or first rebuild
    # the last days' buckets (a range rebuild queues them for a recompute, next to waiting deltas).
    st.sampled_from(["refresh", "wait", "rebuild"]),
)


def scores() -> dict:
    return snapshot()["score"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(batch, min_size=1, max_size=6))
def test_incremental_score_refresh_equals_rebuild_and_naive(world, batches):
    partners = [world.partner_a, world.partner_b, None]
    users = [
        world.users["partner_a_admin"],
        world.users["partner_a_user"],
        world.users["partner_b_admin"],
        world.users["manager_owner"],
        None,
    ]
    seats = {world.partner_a.pk: 2, world.partner_b.pk: 1}
    today = START
    try:
        with transaction.atomic():
            for n, (passed, events, after) in enumerate(batches):
                today += timedelta(days=passed)
                now = datetime(today.year, today.month, today.day, 23, tzinfo=UTC)
                with time_machine.travel(now, tick=False):
                    record_events(
                        [
                            event(
                                KINDS[k][0],
                                f"b{n}-{key}",
                                partner=partners[p],
                                user=users[u],
                                day=today - timedelta(days=ago),
                                hour=hour,
                                properties=KINDS[k][1],
                            )
                            for k, p, u, ago, hour, key in events
                        ]
                    )
                    rollup_incremental()
                    if after == "rebuild":
                        assert rollup_recompute(since=today - timedelta(days=3), until=today).ran
                    if after != "wait" or n == len(batches) - 1:
                        assert scores_refresh().ran
                        assert scores() == expected_tables(seats, today)["score"], n
            incremental = scores()
            with time_machine.travel(now, tick=False):
                rollup_recompute()
                assert RollupState.objects.get(name=SCORES_NAME).scores_through is None
                scores_refresh()
            assert scores() == incremental
            raise Rollback
    except Rollback:
        pass


def test_a_late_event_rewrites_only_the_days_of_its_window(world):
    """A late event 40 days back changes the scores of the 30 days from its day, and only
    those: the older and newer scores keep their rows (the same physical row, unchanged: its
    ``ctid`` on Postgres, ``rowid`` on SQLite, which a delete and insert would change)."""
    today = START + timedelta(days=90)
    now = datetime(today.year, today.month, today.day, 23, tzinfo=UTC)
    user = world.users["partner_a_admin"]
    where = "ctid::text" if connection.vendor == "postgresql" else "rowid"

    def rows():
        with connection.cursor() as cursor:
            sql = (
                f"SELECT day, {where}, events, active_days, active_users, score "  # noqa: S608
                f"FROM {AdoptionScore._meta.db_table} WHERE partner_id = %s"
            )
            cursor.execute(sql, [world.partner_a.pk])
            return {
                day if isinstance(day, date) else date.fromisoformat(day): tuple(rest)
                for day, *rest in cursor.fetchall()
            }

    with time_machine.travel(now, tick=False):
        record_events(
            [
                event("auth.login", f"d{ago}", partner=world.partner_a, user=user, day=day)
                for ago in (80, 50, 5)
                for day in [today - timedelta(days=ago)]
            ]
        )
        rollup_incremental()
        scores_refresh()
        before = rows()
        late = today - timedelta(days=40)
        record_events([event("auth.login", "late", partner=world.partner_a, user=user, day=late)])
        rollup_incremental()
        scores_refresh()
        after = rows()
        assert scores() == expected_tables({world.partner_a.pk: 2}, today)["score"]
    window = {late + timedelta(days=k) for k in range(30)}
    assert window <= set(after)
    changed = {day for day in after if before.get(day) != after[day]}
    assert changed == window


# Runs of one day each: (days ago of each event, user key or None), the run's hour. Each case
# is checked against the naive computation after every refresh, then against a full rebuild.
A_ADMIN, A_USER = "partner_a_admin", "partner_a_user"
DELTA_CASES = {
    # A user back after a gap of over 30 days: counted again only on the days whose window
    # no longer holds the old day.
    "user back after a 31-day gap": [[(31, A_ADMIN)], [(0, A_ADMIN)]],
    "user back after a 29-day gap": [[(29, A_ADMIN)], [(0, A_ADMIN)]],
    "user back after exactly 30 days": [[(30, A_ADMIN)], [(0, A_ADMIN)]],
    # Late events around another active day of the same user: before it, after it, both.
    "late day before another active day": [[(10, A_ADMIN)], [(25, A_ADMIN)]],
    "late day after another active day": [[(25, A_ADMIN)], [(10, A_ADMIN)]],
    "late day between two active days": [[(40, A_ADMIN), (3, A_ADMIN)], [(20, A_ADMIN)]],
    "late day 59 days before today's": [[(0, A_ADMIN)], [(59, A_ADMIN), (30, A_USER)]],
    # Two first-seen days of one user in the same run: the window holding both counts it once.
    "two new days of one user in one run": [[(45, A_USER)], [(20, A_ADMIN), (5, A_ADMIN)]],
    "two new days, old day between them": [[(12, A_ADMIN)], [(20, A_ADMIN), (5, A_ADMIN)]],
    # An existing bucket (more events, same and new users) against a new one.
    "existing bucket, same user": [[(3, A_ADMIN)], [(3, A_ADMIN)]],
    "existing bucket, new user": [[(3, A_ADMIN)], [(3, A_USER)]],
    "existing bucket, no user": [[(3, None)], [(3, None), (8, None)]],
    "new bucket next to an existing one": [[(3, A_ADMIN)], [(4, A_ADMIN), (4, A_USER)]],
    # Two runs the same day, then the same user again.
    "two runs today": [[(0, A_ADMIN)], [(0, A_USER)], [(0, A_ADMIN), (0, A_USER)]],
    # Deltas waiting (no refresh) when a range rebuild queues the partner's buckets.
    "deltas waiting, then a range rebuild": [
        [(0, A_ADMIN)],
        ["wait", (9, A_ADMIN), (1, A_USER)],
        ["rebuild", (2, A_USER)],
        [(9, A_USER)],
    ],
}


@pytest.mark.parametrize("runs", DELTA_CASES.values(), ids=DELTA_CASES.keys())
def test_deltas_equal_naive(world, runs):
    """The delta path (runs within a day add their buckets' deltas to the stored scores) gives
    the naive scores after every run, and the rebuild's."""
    today = START + timedelta(days=90)
    seats = {world.partner_a.pk: 2, world.partner_b.pk: 1}
    kinds = ["auth.login", "lesson.viewed", "deal.submitted", "resource.viewed"]
    for n, run in enumerate(runs):
        after = run[0] if run and isinstance(run[0], str) else "refresh"
        run = [item for item in run if not isinstance(item, str)]
        now = datetime(today.year, today.month, today.day, 10 + n, tzinfo=UTC)
        with time_machine.travel(now, tick=False):
            record_events(
                [
                    event(
                        kinds[(n + i) % len(kinds)],
                        f"r{n}-{i}",
                        partner=world.partner_a,
                        user=world.users[who] if who else None,
                        day=today - timedelta(days=ago),
                        hour=min(now.hour, 9),
                        properties=dict(KINDS)[kinds[(n + i) % len(kinds)]],
                    )
                    for i, (ago, who) in enumerate(run)
                ]
            )
            rollup_incremental()
            if after == "wait":
                continue
            if after == "rebuild":
                assert rollup_recompute(since=today - timedelta(days=3), until=today).ran
            assert scores_refresh().ran
            assert scores() == expected_tables(seats, today)["score"], n
    incremental = scores()
    with time_machine.travel(now, tick=False):
        rollup_recompute()
        scores_refresh()
    assert scores() == incremental
