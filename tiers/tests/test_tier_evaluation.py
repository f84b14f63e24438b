from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from partners.models import Partner
from tiers.choices import TierChangeKind
from tiers.evaluation import tiers_evaluate
from tiers.models import TierHistory, TierStanding
from tiers.overrides import TierError, tier_override
from tiers.tests.tiers_helpers import T0, active_partner, build_ladder, certify, won

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    with time_machine.travel(T0 - timedelta(days=1), tick=False):
        return build_ladder()


def evaluate(at, capture):
    with capture(execute=True):
        return tiers_evaluate(at=at)


def test_partner_meeting_every_silver_requirement_is_promoted_with_history_event_and_email(
    ladder, django_capture_on_commit_callbacks, mailoutbox
):
    partner = active_partner(ladder)
    certify(partner, ladder.certification, 2)
    won(partner, 60_000, n=2)

    result = evaluate(T0, django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.silver
    assert result.counts == {TierChangeKind.PROMOTION: 1}
    entry = TierHistory.objects.get(partner=partner)
    assert (entry.kind, entry.from_tier, entry.to_tier, entry.actor) == (
        TierChangeKind.PROMOTION,
        ladder.registered,
        ladder.silver,
        None,
    )
    assert "Silver" in entry.reason and entry.values["revenue_12m"] == "120000"
    event = Event.objects.get(partner=partner, kind="tier.changed")
    assert event.properties["to"] == "Silver" and event.properties["direction"] == "up"
    assert len(mailoutbox) == 1 and mailoutbox[0].subject.endswith("Welcome to Silver")


def test_partner_short_of_one_requirement_is_not_promoted(
    ladder, django_capture_on_commit_callbacks
):
    partner = active_partner(ladder)
    certify(partner, ladder.certification, 1)  # Silver needs 2 certified sales engineers
    won(partner, 150_000)

    evaluate(T0, django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.registered
    assert not TierHistory.objects.filter(partner=partner).exists()


def test_deals_won_more_than_a_year_ago_and_other_currencies_count_at_reporting_rates(
    ladder, django_capture_on_commit_callbacks
):
    partner = active_partner(ladder)
    certify(partner, ladder.certification, 2)
    won(partner, 500_000, closed_at=T0 - timedelta(days=400))  # outside the trailing 12 months
    won(partner, 95_000, currency="EUR")  # 95,000 x 1.08 = 102,600 USD

    evaluate(T0, django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.silver
    assert TierHistory.objects.get(partner=partner).values["revenue_12m"] == "102600"


def test_partner_meeting_gold_jumps_straight_from_registered_to_gold(
    ladder, django_capture_on_commit_callbacks
):
    partner = active_partner(ladder)
    certify(partner, ladder.certification, 3)
    won(partner, 100_000, n=3)

    evaluate(T0, django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.gold


def test_rerunning_the_evaluation_changes_nothing(
    ladder, django_capture_on_commit_callbacks, mailoutbox
):
    promoted = active_partner(ladder)
    certify(promoted, ladder.certification, 2)
    won(promoted, 120_000)
    warned = active_partner(ladder, tier=ladder.gold)
    evaluate(T0, django_capture_on_commit_callbacks)
    before = (
        list(Partner.objects.order_by("pk").values_list("pk", "tier_id", "updated_at")),
        list(TierStanding.objects.order_by("pk").values()),
        TierHistory.objects.count(),
        Event.objects.count(),
        len(mailoutbox),
    )
    assert warned.pk in TierStanding.objects.values_list("partner_id", flat=True)

    again = evaluate(T0, django_capture_on_commit_callbacks)
    later = evaluate(T0 + timedelta(hours=1), django_capture_on_commit_callbacks)

    assert again.counts == {} and later.counts == {}
    assert before == (
        list(Partner.objects.order_by("pk").values_list("pk", "tier_id", "updated_at")),
        list(TierStanding.objects.order_by("pk").values()),
        TierHistory.objects.count(),
        Event.objects.count(),
        len(mailoutbox),
    )


def test_partner_below_its_tier_is_warned_first_and_keeps_the_tier_during_the_grace_period(
    ladder, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.PRM_TIER_GRACE_DAYS = 30
    partner = active_partner(ladder, tier=ladder.gold)
    certify(partner, ladder.certification, 2)
    won(partner, 120_000)  # meets Silver, not Gold

    evaluate(T0, django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    standing = TierStanding.objects.get(partner=partner)
    assert partner.tier == ladder.gold
    assert (standing.below_since, standing.demote_after, standing.demote_to) == (
        T0,
        T0 + timedelta(days=30),
        ladder.silver,
    )
    assert TierHistory.objects.get(partner=partner).kind == TierChangeKind.WARNING
    warning = Event.objects.get(partner=partner, kind="tier.demotion_warned")
    assert warning.properties["demote_after"] == (T0 + timedelta(days=30)).isoformat()
    assert len(mailoutbox) == 1 and "Gold tier is at risk" in mailoutbox[0].subject
    assert mailoutbox[0].to == [partner.memberships.filter(role="admin").first().user.email]

    evaluate(T0 + timedelta(days=29), django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.gold
    assert TierHistory.objects.filter(partner=partner).count() == 1
    assert len(mailoutbox) == 1


def test_partner_still_short_after_the_grace_period_is_demoted_to_the_tier_it_meets(
    ladder, django_capture_on_commit_callbacks, settings
):
    settings.PRM_TIER_GRACE_DAYS = 30
    partner = active_partner(ladder, tier=ladder.gold)
    certify(partner, ladder.certification, 2)
    won(partner, 120_000, closed_at=T0 - timedelta(days=5))
    evaluate(T0, django_capture_on_commit_callbacks)

    evaluate(T0 + timedelta(days=30), django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.silver
    demotion = TierHistory.objects.filter(partner=partner).first()
    assert (demotion.kind, demotion.from_tier, demotion.to_tier) == (
        TierChangeKind.DEMOTION,
        ladder.gold,
        ladder.silver,
    )
    assert "2026-03-02" in demotion.reason
    standing = TierStanding.objects.get(partner=partner)
    assert standing.below_since is None and standing.demote_after is None
    changed = Event.objects.get(partner=partner, kind="tier.changed")
    assert changed.properties["direction"] == "down"


def test_meeting_the_requirements_again_during_the_grace_period_lifts_the_warning(
    ladder, django_capture_on_commit_callbacks
):
    partner = active_partner(ladder, tier=ladder.silver)
    certify(partner, ladder.certification, 2)
    evaluate(T0, django_capture_on_commit_callbacks)  # no revenue: warned
    won(partner, 110_000, closed_at=T0 + timedelta(days=3))

    evaluate(T0 + timedelta(days=5), django_capture_on_commit_callbacks)
    evaluate(T0 + timedelta(days=40), django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.silver
    kinds = list(TierHistory.objects.filter(partner=partner).order_by("at").values_list("kind"))
    assert kinds == [(TierChangeKind.WARNING,), (TierChangeKind.RECOVERED,)]
    assert TierStanding.objects.get(partner=partner).below_since is None
    assert Event.objects.filter(partner=partner, kind="tier.recovered").count() == 1


def test_override_sets_the_tier_with_reason_and_lifts_a_pending_warning(
    ladder, django_capture_on_commit_callbacks, world
):
    partner = active_partner(ladder, tier=ladder.silver)
    evaluate(T0, django_capture_on_commit_callbacks)
    assert TierStanding.objects.get(partner=partner).below_since == T0
    admin = world.users["vendor_admin"]

    entry = tier_override(
        partner=partner, tier=ladder.gold, reason="Strategic launch partner", actor=admin,
        at=T0 + timedelta(days=1),
    )  # fmt: skip

    partner.refresh_from_db()
    assert partner.tier == ladder.gold
    assert (entry.kind, entry.actor, entry.reason) == (
        TierChangeKind.OVERRIDE,
        admin,
        "Strategic launch partner",
    )
    assert TierStanding.objects.get(partner=partner).below_since is None
    assert set(Event.objects.filter(partner=partner).values_list("kind", flat=True)) >= {
        "tier.overridden",
        "tier.changed",
    }


def test_pinned_override_is_left_alone_until_the_pin_ends_then_normal_rules_apply(
    ladder, django_capture_on_commit_callbacks, world, settings
):
    settings.PRM_TIER_GRACE_DAYS = 30
    partner = active_partner(ladder)
    tier_override(
        partner=partner,
        tier=ladder.gold,
        reason="Pilot",
        actor=world.users["vendor_admin"],
        pinned_until=T0 + timedelta(days=60),
        at=T0,
    )

    evaluate(T0 + timedelta(days=59), django_capture_on_commit_callbacks)
    partner.refresh_from_db()
    assert partner.tier == ladder.gold
    assert TierStanding.objects.get(partner=partner).below_since is None

    evaluate(T0 + timedelta(days=61), django_capture_on_commit_callbacks)
    evaluate(T0 + timedelta(days=92), django_capture_on_commit_callbacks)

    partner.refresh_from_db()
    assert partner.tier == ladder.registered
    kinds = list(TierHistory.objects.filter(partner=partner).order_by("at").values_list("kind"))
    assert kinds == [
        (TierChangeKind.OVERRIDE,),
        (TierChangeKind.WARNING,),
        (TierChangeKind.DEMOTION,),
    ]


@pytest.mark.parametrize(
    ("reason", "pinned_days", "message"),
    [("  ", None, "Say why"), ("Pilot", -1, "future")],
)
def test_override_without_reason_or_with_a_past_pin_is_refused_and_changes_nothing(
    ladder, world, reason, pinned_days, message
):
    partner = active_partner(ladder)
    pinned = T0 + timedelta(days=pinned_days) if pinned_days is not None else None

    with pytest.raises(TierError, match=message):
        tier_override(
            partner=partner, tier=ladder.gold, reason=reason,
            actor=world.users["vendor_admin"], pinned_until=pinned, at=T0,
        )  # fmt: skip

    partner.refresh_from_db()
    assert partner.tier == ladder.registered and not TierHistory.objects.exists()


def test_override_to_a_tier_of_another_program_is_refused(ladder, world):
    partner = active_partner(ladder)

    with pytest.raises(TierError, match="another program"):
        tier_override(
            partner=partner,
            tier=world.partner_a.tier,
            reason="x",
            actor=world.users["vendor_admin"],
        )


def test_evaluation_query_count_does_not_grow_with_partners(
    ladder, django_capture_on_commit_callbacks
):
    def run(n_partners, at):
        for _ in range(n_partners):
            partner = active_partner(ladder)
            certify(partner, ladder.certification, 2)
            won(partner, Decimal("120000"))
        with CaptureQueriesContext(connection) as ctx:
            evaluate(at, django_capture_on_commit_callbacks)
        return len(ctx.captured_queries)

    few = run(2, T0)
    many = run(20, T0 + timedelta(days=1))

    assert Partner.objects.filter(tier=ladder.silver).count() == 22
    assert many == few
