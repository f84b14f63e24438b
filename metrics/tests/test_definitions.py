import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from events.models import Event
from events.services import record_events
from metrics.definitions import (
    activation_cohorts,
    activation_funnel,
    activation_rate,
    adoption_ranking,
    adoption_score_explained,
    adoption_score_for_partner,
    adoption_score_history,
    area_of,
    at_risk_partners,
    feature_adoption,
    metrics_freshness,
    offering_adoption,
    offering_adoption_curve,
    offering_rules,
    partner_offerings,
    percentile,
    time_to_activation,
    time_to_first_deal,
)
from metrics.models import AdoptionScore, OfferingAdoptionRule
from metrics.tests.domain import checklist, deal_submitted
from metrics.tests.helpers import event, roll
from metrics.tests.naive import offerings_of
from partners.choices import PartnerStatus, Region
from partners.models import Offering, Partner
from partners.tests.factories import OfferingFactory, PartnerFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _payloads_as_they_come(settings):
    """The rollups count whatever an event carries, declared or not: production records a payload
    that does not match its declaration (with a warning), and older events predate it."""
    settings.PRM_EVENTS_STRICT = False


TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def joined(day: date, *, activated_after: int | None = None, **fields):
    joined_at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    activated_at = None if activated_after is None else joined_at + timedelta(days=activated_after)
    status = PartnerStatus.ACTIVE if activated_at else PartnerStatus.ONBOARDING
    fields.setdefault("tier", None)
    return PartnerFactory(
        joined_at=joined_at,
        activated_at=activated_at,
        status=fields.pop("status", status),
        **fields,
    )


# --- Activation -----------------------------------------------------------------------------------
def test_activation_rate_test_vectors_per_monthly_cohort():
    program = ProgramFactory()
    for n in range(20):  # January: 10 of 20 activated within 90 days -> 50%
        joined(date(2026, 1, 1 + n), activated_after=30 if n < 10 else None, program=program)
    for n in range(10):  # February: 8 of 10 -> 80%
        joined(date(2026, 2, 1 + n), activated_after=89 if n < 8 else None, program=program)
    cohorts = activation_cohorts(since=date(2026, 1, 1), until=date(2026, 2, 28), program=program)
    assert [(c.month, c.partners, c.activated, c.rate) for c in cohorts] == [
        (date(2026, 1, 1), 20, 10, 50.0),
        (date(2026, 2, 1), 10, 8, 80.0),
    ]
    assert activation_rate(since=date(2026, 1, 1), until=date(2026, 2, 28)).rate == 60.0


def test_activation_after_the_window_does_not_count():
    joined(date(2026, 1, 5), activated_after=91)
    joined(date(2026, 1, 6), activated_after=90)
    assert activation_rate(since=date(2026, 1, 1), until=date(2026, 1, 31)).activated == 1
    assert (
        activation_rate(since=date(2026, 1, 1), until=date(2026, 1, 31), window_days=120).rate
        == 100.0
    )


def test_activation_window_comes_from_settings(settings):
    settings.PRM_ACTIVATION_WINDOW_DAYS = 30
    joined(date(2026, 1, 5), activated_after=45)
    assert activation_rate(since=date(2026, 1, 1), until=date(2026, 1, 31)).activated == 0


def test_partners_whose_window_is_still_open_are_counted_as_pending():
    joined(TODAY - timedelta(days=10))
    joined(TODAY - timedelta(days=200))
    rate = activation_rate(since=TODAY - timedelta(days=365))
    assert (rate.partners, rate.activated, rate.pending) == (2, 0, 1)


def test_activation_rate_filters_by_region_and_owner(world):
    joined(date(2026, 1, 5), activated_after=5, region=Region.APAC)
    joined(date(2026, 1, 6), region=Region.NORTH_AMERICA)
    assert activation_rate(region=Region.APAC, since=date(2026, 1, 1)).rate == 100.0
    owner = world.users["manager_owner"]
    assert activation_rate(owner=owner).partners == 1  # partner A


def test_empty_cohort_has_no_rate():
    assert activation_rate(since=date(2020, 1, 1), until=date(2020, 1, 31)).rate is None


def test_funnel_counts_partners_per_checklist_step_in_order():
    cohort = [joined(date(2026, 3, n + 1)) for n in range(4)]
    done = date(2026, 3, 20)
    for i, p in enumerate(cohort):  # everyone did step 1, one partner also step 2
        checklist(
            p,
            [
                ("agreement", "Sign the agreement", 1, True, done),
                ("training", "Complete training", 2, True, None if i else done),
                ("logo", "Upload your logo", 3, False, None),
            ],
        )
    joined(date(2026, 3, 25))  # in the cohort without a checklist: counts in the denominator
    funnel = activation_funnel(since=date(2026, 3, 1), until=date(2026, 3, 31))
    assert funnel.cohort == 5
    assert [(s.title, s.partners, s.share, s.required) for s in funnel.steps] == [
        ("Sign the agreement", 4, 80.0, True),
        ("Complete training", 1, 20.0, True),
        ("Upload your logo", 0, 0.0, False),
    ]


def test_funnel_leaves_out_partners_who_joined_outside_the_range():
    inside, outside = joined(date(2026, 3, 2)), joined(date(2026, 4, 2))
    checklist(inside, [("agreement", "Sign the agreement", 1, True, date(2026, 3, 5))])
    checklist(outside, [("agreement", "Sign the agreement", 1, True, date(2026, 4, 5))])
    funnel = activation_funnel(since=date(2026, 3, 1), until=date(2026, 3, 31))
    assert (funnel.cohort, [s.partners for s in funnel.steps]) == (1, [1])


def test_time_to_activation_median_and_p75():
    for days in (10, 20, 30, 40):
        joined(date(2026, 1, 1), activated_after=days)
    joined(date(2026, 1, 1))  # not activated: not part of the distribution
    result = time_to_activation(since=date(2026, 1, 1), until=date(2026, 1, 31))
    assert (result.count, result.median_days, result.p75_days) == (4, 25.0, 32.5)


def test_time_to_first_deal_uses_the_first_submitted_deal():
    a, b = joined(date(2026, 1, 1)), joined(date(2026, 1, 1))
    deal_submitted(a, date(2026, 1, 11), customer_domain="one.example")
    deal_submitted(a, date(2026, 1, 5), customer_domain="two.example")
    deal_submitted(b, date(2026, 1, 21), customer_domain="three.example")
    joined(date(2026, 1, 1))  # no deal: not part of the distribution
    result = time_to_first_deal(since=date(2026, 1, 1), until=date(2026, 1, 31))
    assert (result.count, result.median_days) == (2, 12.0)


def test_percentile_interpolates_between_ranks():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([5], 0.75) == 5
    assert percentile([], 0.5) is None


# --- Feature areas, scores ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "properties", "area"),
    [
        ("auth.login", {}, "portal"),
        ("partner.profile_updated", {}, "portal"),
        ("user.invited", {}, "portal"),
        ("quiz.passed", {}, "training"),
        ("certification.earned", {}, "training"),
        ("resource.viewed", {"marketing_asset": True}, "marketing"),
        ("resource.viewed", {}, "resources"),
        ("deal.won", {}, "deals"),
        ("onboarding.step_completed", {}, None),
        ("offering.used", {}, None),
    ],
)
def test_area_of_each_kind(kind, properties, area):
    assert area_of(kind, properties) == area


def test_adoption_score_combines_breadth_frequency_and_users(world):
    a = world.partner_a
    admin, user = world.users["partner_a_admin"], world.users["partner_a_user"]
    record_events(
        [
            event("auth.login", f"l{n}", partner=a, day=TODAY - timedelta(days=n), user=admin)
            for n in range(6)
        ]
        + [event("deal.submitted", "d", partner=a, day=TODAY, user=user)]
    )
    roll()
    score = adoption_score_for_partner(partner_id=a.pk)
    # breadth 2/5, frequency 6/12, users 2/2 -> 40*0.4 + 30*0.5 + 30*1 = 61
    assert (score.score, score.areas, score.active_days, score.active_users, score.seats) == (
        61.0,
        2,
        6,
        2,
        2,
    )
    assert adoption_score_explained(score)[0].startswith("Breadth (40%): 2 of 5")
    history = adoption_score_history(partner_id=a.pk, since=TODAY - timedelta(days=40))
    assert len(history) == 41 and history[0].score == 0.0 and history[-1].score == 61.0


def test_adoption_weights_are_configurable(world, settings):
    settings.PRM_ADOPTION_WEIGHT_BREADTH = 100
    settings.PRM_ADOPTION_WEIGHT_FREQUENCY = 0
    settings.PRM_ADOPTION_WEIGHT_USERS = 0
    record_events([event("auth.login", "x", partner=world.partner_a, day=TODAY)])
    roll()
    assert adoption_score_for_partner(partner_id=world.partner_a.pk).score == 20.0


def test_adoption_ranking_orders_by_score_then_name_within_the_filters():
    def scored(name, score, day=TODAY, region=Region.NORTH_AMERICA):
        partner = joined(TODAY - timedelta(days=200), activated_after=10, name=name, region=region)
        AdoptionScore.objects.create(
            partner=partner, day=day, score=score, areas=3, area_mask=7, active_days=9,
            active_users=4, seats=5, events=40,
        )  # fmt: skip
        return partner

    zeta, alpha = scored("Zeta", 100.0), scored("Alpha", 100.0)
    scored("Mid", 80.0), scored("Low", 10.0)
    scored("Yesterday", 99.0, day=TODAY - timedelta(days=1))  # another day: not ranked today
    emea = scored("Emea", 90.0, region=Region.EMEA)

    ranked = adoption_ranking(day=TODAY, limit=4)
    assert [s.partner.name for s in ranked] == ["Alpha", "Zeta", "Emea", "Mid"]
    assert [s.partner_id for s in ranked[:2]] == [alpha.pk, zeta.pk]
    assert (ranked[0].score, ranked[0].active_users, ranked[0].areas) == (100.0, 4, 3)
    assert [s.partner_id for s in adoption_ranking(day=TODAY, region=Region.EMEA)] == [emea.pk]
    everyone = [s.partner.name for s in adoption_ranking(day=TODAY, limit=20)]
    assert everyone == ["Alpha", "Zeta", "Emea", "Mid", "Low"]


def test_feature_adoption_is_a_share_of_active_partners(world):
    a, b = world.partner_a, world.partner_b
    record_events(
        [
            event("auth.login", "1", partner=a, day=TODAY),
            event("deal.submitted", "2", partner=a, day=TODAY - timedelta(days=3)),
            event("auth.login", "3", partner=b, day=TODAY - timedelta(days=29)),
            event("deal.submitted", "4", partner=b, day=TODAY - timedelta(days=31)),  # too old
        ]
    )
    roll()
    result = feature_adoption()
    shares = {a.area: (a.partners, a.share) for a in result.areas}
    assert result.active_partners == 2
    assert shares["portal"] == (2, 100.0) and shares["deals"] == (1, 50.0)
    assert shares["training"] == (0, 0.0)


# --- Offerings ------------------------------------------------------------------------------------
def test_offering_adoption_uses_default_rules_and_windows(world):
    a, b = world.partner_a, world.partner_b
    edge = OfferingFactory(slug="edge", launched_on=TODAY - timedelta(days=120))
    Partner.objects.filter(pk__in=[a.pk, b.pk]).update(joined_at=NOW - timedelta(days=200))
    record_events(
        [
            event(
                "deal.won",
                "1",
                partner=a,
                day=TODAY - timedelta(days=10),
                properties={"offerings": ["edge"]},
            ),
            event(
                "deal.won",
                "2",
                partner=b,
                day=TODAY - timedelta(days=100),
                properties={"offerings": ["edge"]},
            ),
        ]
    )
    roll()
    (result,) = offering_adoption()
    assert (result.offering, result.eligible, result.adopted, result.share) == (edge, 2, 1, 50.0)
    mine = partner_offerings(partner_id=a.pk)
    assert mine[0].adopted and "deal registered or won" in mine[0].reasons[0]
    assert not partner_offerings(partner_id=b.pk)[0].adopted
    curve = offering_adoption_curve(offering=edge, step_days=30)
    assert curve[0].day == edge.launched_on and curve[-1].day == TODAY
    assert [p.adopted for p in curve] == [0, 1, 1, 1, 1]  # b's deal (day -100) counted 90 days


def test_configured_rules_replace_the_defaults(world):
    a = world.partner_a
    core = OfferingFactory(slug="core", launched_on=TODAY - timedelta(days=10))
    OfferingAdoptionRule.objects.create(
        offering=core,
        description="Used it 3 times in 30 days",
        kinds=["offering.used"],
        window_days=30,
        min_events=3,
    )
    record_events(
        [
            event("offering.used", f"u{n}", partner=a, day=TODAY, properties={"offering": "core"})
            for n in range(2)
        ]
        + [event("deal.won", "d", partner=a, day=TODAY, properties={"offerings": ["core"]})]
    )
    roll()
    assert offering_adoption()[0].adopted == 0
    record_events(
        [event("offering.used", "u3", partner=a, day=TODAY, properties={"offering": "core"})]
    )
    roll()
    assert offering_adoption()[0].adopted == 1


def test_offering_adoption_matches_a_naive_count_over_raw_events(world):
    rng = random.Random(5)
    Partner.objects.update(joined_at=NOW - timedelta(days=300))
    partners = list(Partner.objects.all()) + [joined(TODAY - timedelta(days=300)) for _ in range(6)]
    OfferingFactory(slug="edge", launched_on=TODAY - timedelta(days=200))
    core = OfferingFactory(slug="core", launched_on=TODAY - timedelta(days=200))
    OfferingAdoptionRule.objects.create(
        offering=core, description="Twice", kinds=["offering.used"], window_days=30, min_events=2
    )
    kinds = ["deal.won", "deal.submitted", "certification.earned", "resource.viewed",
             "offering.used", "auth.login"]  # fmt: skip
    record_events(
        event(
            rng.choice(kinds),
            f"r{i}",
            partner=rng.choice(partners),
            day=TODAY - timedelta(days=rng.randint(0, 200)),
            properties={"offering": rng.choice(["edge", "core"])},
        )
        for i in range(300)
    )
    roll()
    for as_of in (TODAY, TODAY - timedelta(days=45)):
        results = offering_adoption(as_of=as_of)
        assert {r.offering.slug for r in results} == {"edge", "core"}
        for result in results:
            naive = set()
            for rule in offering_rules(result.offering):
                start = as_of - timedelta(days=rule.window_days - 1) if rule.window_days else None
                totals = Counter(
                    e.partner_id
                    for e in Event.objects.filter(kind__in=rule.kinds, day__lte=as_of)
                    if (start is None or e.day >= start)
                    and result.offering.slug in offerings_of(e.properties)
                )
                naive |= {pk for pk, n in totals.items() if n >= rule.min_events}
            assert (result.eligible, result.adopted) == (len(partners), len(naive))
    for offering in Offering.objects.all():  # the curve agrees with every single day's value
        curve = offering_adoption_curve(offering=offering, step_days=9)
        assert len(curve) > 20 and any(point.adopted for point in curve)
        by_day = {
            point.day: [
                r.adopted for r in offering_adoption(as_of=point.day) if r.offering == offering
            ]
            for point in curve
        }
        assert [point.adopted for point in curve] == [by_day[point.day][0] for point in curve]


# --- At risk, freshness ---------------------------------------------------------------------------
def test_a_partner_whose_activity_dropped_is_at_risk_with_the_reason(world):
    a = world.partner_a
    record_events(
        [
            event("auth.login", f"old{n}", partner=a, day=TODAY - timedelta(days=40 + n))
            for n in range(60)
        ]
        + [event("auth.login", "new", partner=a, day=TODAY)]
    )
    roll()
    (risk,) = [r for r in at_risk_partners() if r.partner == a]
    assert risk.reasons == [
        "Activity fell 95%: 1 events in the last 30 days against 20 per 30 days in the 90 days before."
    ]


def test_steady_partner_is_not_at_risk(world):
    a = world.partner_a
    record_events(
        [event("auth.login", f"e{n}", partner=a, day=TODAY - timedelta(days=n)) for n in range(100)]
    )
    roll()
    assert all(r.partner != a for r in at_risk_partners())


def test_stalled_onboarding_is_at_risk_with_the_reason():
    stalled = joined(TODAY - timedelta(days=40))
    moving = joined(TODAY - timedelta(days=40))
    silent = joined(TODAY - timedelta(days=40))
    fresh = joined(TODAY - timedelta(days=3))
    checklist(
        stalled, [("a", "Sign", 1, True, TODAY - timedelta(days=20)), ("b", "Go", 2, True, None)]
    )
    checklist(
        moving, [("a", "Sign", 1, True, TODAY - timedelta(days=2)), ("b", "Go", 2, True, None)]
    )
    checklist(silent, [("a", "Sign", 1, True, None)])
    risks = {r.partner: r.reasons for r in at_risk_partners()}
    assert risks[stalled] == ["Onboarding stalled: no checklist step completed for 20 days."]
    assert risks[silent] == [
        "Onboarding stalled: no checklist step completed in 40 days since joining."
    ]
    assert moving not in risks and fresh not in risks


def test_freshness_reports_the_last_successful_rollup(world):
    assert metrics_freshness().label == "Metrics have not been computed yet."
    roll()
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        fresh = metrics_freshness()
        assert fresh.label == "Metrics updated 3 min ago." and not fresh.is_stale
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert metrics_freshness().is_stale


def test_an_adoption_rule_needs_kinds_and_at_least_one_event():
    from django.core.exceptions import ValidationError

    offering = OfferingFactory()
    rule = OfferingAdoptionRule(offering=offering, description="x", kinds=[], min_events=0)
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert set(error.value.message_dict) == {"kinds", "min_events"}
