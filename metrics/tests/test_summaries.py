"""The dashboard summaries (``metrics.summaries``) equal a recompute from the bucket tables, stay
equal through incremental runs with late events, and are never trusted after a rule change."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from events.services import record_events
from metrics import adoption_rules, summaries
from metrics.definitions import offering_adoption, offering_adoption_curve, program
from metrics.definitions.offerings import _adopted_count, _eligible, offering_rules
from metrics.models import (
    OfferingAdoptionRule,
    OfferingAdoptionSpan,
    OfferingSpanRules,
    PartnerDay,
    PartnerDayUser,
    PartnerWeek,
)
from metrics.tests.helpers import event, recompute, roll
from metrics.tests.naive import expected_tables
from partners.models import Partner
from partners.tests.factories import MembershipFactory, OfferingFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _payloads_as_they_come(settings):
    """The rollups count whatever an event carries, declared or not: production records a payload
    that does not match its declaration (with a warning), and older events predate it."""
    settings.PRM_EVENTS_STRICT = False


TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
KINDS = ["deal.won", "deal.submitted", "certification.earned", "resource.viewed",
         "resource.downloaded", "offering.used", "auth.login"]  # fmt: skip


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def spans() -> set:
    return set(OfferingAdoptionSpan.objects.values_list("offering", "partner_id", "start", "end"))


def random_events(rng, partners, n, prefix, max_ago=200):
    return [
        event(
            rng.choice(KINDS),
            f"{prefix}{i}",
            partner=rng.choice(partners),
            day=TODAY - timedelta(days=rng.randint(0, max_ago)),
            properties={"offerings": [rng.choice(["edge", "core", "gone"])]},
        )
        for i in range(n)
    ]


@pytest.fixture
def offerings(world):
    Partner.objects.update(joined_at=NOW - timedelta(days=300))
    edge = OfferingFactory(slug="edge", launched_on=TODAY - timedelta(days=200))
    core = OfferingFactory(slug="core", launched_on=TODAY - timedelta(days=200))
    OfferingAdoptionRule.objects.create(
        offering=core, description="Twice", kinds=["offering.used"], window_days=20, min_events=2
    )
    return edge, core


def test_spans_after_incremental_runs_with_late_events_equal_a_full_recompute(world, offerings):
    rng = random.Random(11)
    partners = list(Partner.objects.all()) + [PartnerFactory(tier=None) for _ in range(4)]
    Partner.objects.update(joined_at=NOW - timedelta(days=300))
    for batch in range(5):  # every batch lands anywhere in the last 200 days: late events
        record_events(random_events(rng, partners, 60, f"b{batch}-"))
        roll()
    incremental = spans()
    assert incremental and {s[0] for s in incremental} == {"edge", "core"}
    OfferingAdoptionSpan.objects.all().delete()
    summaries.refresh(partner_ids=None)
    assert spans() == incremental
    recompute()  # a full rollup rebuild rebuilds the spans too
    assert spans() == incremental


def test_adoption_and_curve_from_spans_equal_the_computation_from_usage(world, offerings):
    rng = random.Random(12)
    partners = list(Partner.objects.all()) + [PartnerFactory(tier=None) for _ in range(5)]
    Partner.objects.update(joined_at=NOW - timedelta(days=300))
    Partner.objects.filter(pk=partners[-1].pk).update(joined_at=NOW - timedelta(days=50))
    for batch in range(3):
        record_events(random_events(rng, partners, 120, f"c{batch}-"))
        roll()
    assert OfferingSpanRules.objects.count() == 2
    days = [TODAY - timedelta(days=n) for n in range(0, 200, 3)]
    from_spans = {
        d: [(r.offering.slug, r.adopted) for r in offering_adoption(as_of=d)] for d in days
    }
    curves = {o.slug: offering_adoption_curve(offering=o, step_days=7) for o in offerings}
    for day in days:  # the usage computation, offering by offering
        expected = [
            (o.slug, _adopted_count(o, offering_rules(o), day, _eligible({}, day)))
            for o in offerings
        ]
        assert from_spans[day] == expected
    OfferingSpanRules.objects.all().delete()  # nothing trusted: the readers compute from usage
    for o in offerings:
        assert offering_adoption_curve(offering=o, step_days=7) == curves[o.slug]
    assert any(p.adopted for p in curves["edge"]) and any(p.adopted for p in curves["core"])


def test_edited_rules_are_answered_from_usage_until_the_next_refresh(world, offerings):
    _edge, core = offerings
    a = world.partner_a
    record_events(
        [
            event("offering.used", f"u{n}", partner=a, day=TODAY, properties={"offering": "core"})
            for n in range(2)
        ]
    )
    roll()
    assert [r.adopted for r in offering_adoption() if r.offering == core] == [1]
    OfferingAdoptionRule.objects.filter(offering=core).update(min_events=3)
    assert [r.adopted for r in offering_adoption() if r.offering == core] == [0]  # not the spans
    assert [p.adopted for p in offering_adoption_curve(offering=core)][-1] == 0
    roll()  # no new event: the refresh still rebuilds the offering whose rules changed
    assert adoption_rules.trusted_offerings({"core": offering_rules(core)}) == {"core"}
    assert not OfferingAdoptionSpan.objects.filter(offering="core").exists()
    assert [r.adopted for r in offering_adoption() if r.offering == core] == [0]


def test_at_risk_windows_from_scores_equal_the_partner_day_sums(world):
    from django.db.models import Q, Sum

    from metrics.definitions.risk import _activity_windows
    from metrics.models import PartnerDay

    rng = random.Random(13)
    partners = list(Partner.objects.all()) + [PartnerFactory(tier=None) for _ in range(4)]
    for batch in range(3):  # late events included: every batch spans 200 days
        record_events(
            [
                event(
                    "auth.login",
                    f"w{batch}-{i}",
                    partner=rng.choice(partners),
                    day=TODAY - timedelta(days=int(200 * rng.random() ** 2)),
                )
                for i in range(150)
            ]
        )
        roll()
    for as_of in [TODAY - timedelta(days=n) for n in (0, 1, 17, 45, 90)]:
        recent_start = as_of - timedelta(days=29)
        expected = {
            r["partner_id"]: (r["recent"] or 0, r["before"] or 0)
            for r in PartnerDay.objects.filter(
                day__range=(recent_start - timedelta(days=90), as_of)
            )
            .values("partner_id")
            .annotate(
                recent=Sum("events", filter=Q(day__gte=recent_start)),
                before=Sum("events", filter=Q(day__lt=recent_start)),
            )
        }
        found = {
            r["partner_id"]: (r["recent"] or 0, r["before"] or 0)
            for r in _activity_windows(Partner.objects.all(), as_of)
        }
        assert found == expected and any(v[0] and v[1] for v in found.values())


def test_feature_adoption_from_score_masks_equals_the_partner_day_computation(world):
    from metrics.definitions.adoption import (
        _feature_adoption_from_days,
        _feature_adoption_from_scores,
    )

    rng = random.Random(14)
    partners = list(Partner.objects.all()) + [PartnerFactory(tier=None) for _ in range(5)]
    kinds = ["auth.login", "lesson.viewed", "resource.viewed", "deal.submitted", "tier.changed"]
    for batch in range(3):
        record_events(
            [
                event(
                    rng.choice(kinds),
                    f"f{batch}-{i}",
                    partner=rng.choice(partners),
                    day=TODAY - timedelta(days=rng.randint(0, 120)),
                    properties={"marketing_asset": rng.random() < 0.5},
                )
                for i in range(80)
            ]
        )
        roll()
    for n in (0, 3, 40, 100):
        as_of = TODAY - timedelta(days=n)
        scores = _feature_adoption_from_scores(as_of, Partner.objects.all())
        days = _feature_adoption_from_days(as_of, as_of - timedelta(days=29), Partner.objects.all())
        assert scores == days
        assert scores.active_partners and any(a.partners for a in scores.areas)


def weeks() -> dict:
    return {(w.partner_id, w.week): (w.users, w.active_days) for w in PartnerWeek.objects.all()}


def weeks_from_buckets() -> dict:
    """The weekly summary recomputed in Python from PartnerDay / PartnerDayUser."""
    users, days = defaultdict(set), defaultdict(set)
    for p, d in PartnerDay.objects.values_list("partner_id", "day"):
        days[p, d - timedelta(days=d.weekday())].add(d)
    for p, d, u in PartnerDayUser.objects.values_list("partner_id", "day", "user_id"):
        users[p, d - timedelta(days=d.weekday())].add(u)
    return {k: (len(users[k]), len(v)) for k, v in days.items()}


def test_weekly_summary_and_reader_equal_the_bucket_and_naive_computations(world):
    """Incremental runs with late events (touching old weeks) keep ``PartnerWeek`` equal to a
    recompute from the bucket tables, to the naive computation from raw events, and to a full
    rebuild; the dashboard reader equals ``program.weekly_active`` for ranges with partial and
    whole weeks, with and without filters."""
    rng = random.Random(7)
    extra = PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier)
    partners = [world.partner_a, world.partner_b, extra]
    people = [u for u in world.users.values() if u is not None]
    people += [MembershipFactory(partner=extra).user for _ in range(3)]

    def batch(prefix, n, max_ago):
        return [
            event(
                rng.choice(KINDS),
                f"{prefix}{i}",
                partner=rng.choice(partners),
                user=rng.choice([*people, None]),
                day=TODAY - timedelta(days=rng.randint(0, max_ago)),
            )
            for i in range(n)
        ]

    record_events(batch("a", 300, 120))
    roll()
    for late in range(3):  # late events land in old weeks
        record_events(batch(f"late{late}-", 40, 120))
        roll()
        assert weeks() == weeks_from_buckets()
    assert weeks() == expected_tables({}, TODAY)["week"]
    incremental = weeks()
    recompute()
    assert weeks() == incremental

    mon = TODAY - timedelta(days=TODAY.weekday())
    ranges = [
        (TODAY - timedelta(days=89), TODAY),  # partial first and last weeks
        (mon - timedelta(days=28), mon - timedelta(days=1)),  # whole weeks only
        (mon - timedelta(days=26), mon - timedelta(days=23)),  # inside one week, counted whole
        (mon - timedelta(days=28), mon - timedelta(days=24)),  # one week, from its Monday
        (mon - timedelta(days=30), mon - timedelta(days=22)),  # two partial weeks
    ]
    for since, until in ranges:
        for filters in (
            {},
            {"tier": world.partner_a.tier},
            {"owner": world.users["manager_owner"]},
        ):
            expected = program.weekly_active(since=since, until=until, **filters)
            assert (
                program.weekly_active_from_summary(since=since, until=until, **filters) == expected
            )
            assert any(w.users for w in expected) or filters


def test_a_range_that_starts_or_ends_mid_week_counts_those_weeks_whole(world):
    """The dashboard's weekly chart counts every week the range touches over the whole week: a
    range starting on a Wednesday still shows the Monday's activity (a partial week would read
    as a drop in activity that did not happen)."""
    member = MembershipFactory(partner=world.partner_a).user
    other = MembershipFactory(partner=world.partner_a).user
    mon = TODAY - timedelta(days=TODAY.weekday()) - timedelta(days=14)
    record_events(
        [
            event("resource.viewed", "mon", partner=world.partner_a, user=member, day=mon),
            event("resource.viewed", "sun", partner=world.partner_a, user=other,
                  day=mon + timedelta(days=6)),
        ]
    )  # fmt: skip
    roll()
    since, until = mon + timedelta(days=2), mon + timedelta(days=4)  # Wednesday to Friday
    for weekly in (program.weekly_active, program.weekly_active_from_summary):
        weeks = weekly(since=since, until=until)
        assert [(w.week, w.partners, w.users) for w in weeks] == [(mon, 1, 2)], weekly
