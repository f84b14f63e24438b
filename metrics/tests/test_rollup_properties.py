"""Property tests: for random event streams, recorded in random batches (late events, duplicate
keys, repeated runs included), the incremental rollups equal a full recompute, and both equal a
naive Python computation from the raw events."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.services import record_events
from metrics.rollups import rollup_incremental, rollup_recompute
from metrics.scores import scores_refresh
from metrics.tests.helpers import event, snapshot
from metrics.tests.naive import expected_tables

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _payloads_as_they_come(settings):
    """The rollups count whatever an event carries, declared or not: production records a payload
    that does not match its declaration (with a warning), and older events predate it."""
    settings.PRM_EVENTS_STRICT = False


TODAY = date(2026, 5, 20)
NOW = datetime(2026, 5, 20, 23, 0, tzinfo=UTC)

KINDS = [
    ("auth.login", {}),
    ("user.joined", {}),
    ("lesson.viewed", {"course": 1, "offerings": ["edge"]}),
    ("certification.earned", {"certification": 2, "offerings": ["edge", "core"]}),
    ("resource.viewed", {"resource": 3, "marketing_asset": False, "offerings": ["core"]}),
    ("resource.downloaded", {"resource": 4, "marketing_asset": True, "offerings": []}),
    ("deal.submitted", {"deal": 5, "amount": "10.00", "offerings": ["core", "core"]}),
    ("deal.won", {"deal": 5, "offerings": ["edge"]}),
    ("offering.used", {"offering": "edge"}),
    ("onboarding.step_completed", {"step": 1, "position": 1, "required": True}),
    ("tier.changed", {"offerings": "not-a-list"}),
    # Both fields naming one slug (counted once), a non-string element, an empty and an
    # over-long slug (ignored): the incremental path expands these from its temp table.
    ("deal.approved", {"offerings": ["core", 7, "", "x" * 61, "edge"], "offering": "core"}),
    ("offering.used", {"offering": ["edge"]}),
]


class Rollback(Exception):
    pass


raw_event = st.tuples(
    st.integers(0, len(KINDS) - 1),  # kind
    st.integers(0, 2),  # partner: A, B, or none
    st.integers(0, 4),  # user: three partner people, a channel manager, or none
    st.integers(0, 45),  # days ago: late events land up to 45 days back
    st.integers(0, 23),  # hour
    st.integers(0, 30),  # key: repeats are duplicates and must count once
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=st.lists(st.lists(raw_event, max_size=12), min_size=1, max_size=6),
    rerun=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_incremental_rollups_equal_recompute_and_naive(world, batches, rerun):
    partners = [world.partner_a, world.partner_b, None]
    users = [
        world.users["partner_a_admin"],
        world.users["partner_a_user"],
        world.users["partner_b_admin"],
        world.users["manager_owner"],  # vendor staff: counts in events, never as a user
        None,
    ]
    seats = {world.partner_a.pk: 2, world.partner_b.pk: 1}
    with time_machine.travel(NOW, tick=False):
        try:
            with transaction.atomic():
                for i, batch in enumerate(batches):
                    record_events(
                        [
                            event(
                                KINDS[k][0],
                                f"key-{key}",
                                partner=partners[p],
                                user=users[u],
                                day=TODAY - timedelta(days=ago),
                                hour=hour,
                                properties=KINDS[k][1],
                            )
                            for k, p, u, ago, hour, key in batch
                        ]
                    )
                    rollup_incremental()
                    if rerun[i]:  # a redelivered task, or scores refreshed between rollups
                        rollup_incremental()
                        scores_refresh()
                scores_refresh()
                incremental = snapshot()
                assert incremental == expected_tables(seats, TODAY)
                rollup_recompute()
                scores_refresh()
                assert snapshot() == incremental
                raise Rollback
        except Rollback:
            pass
