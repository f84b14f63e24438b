"""Lead performance as a routing input and a tier requirement (issue 20 items 2 and 5): the
acceptance rate over the last 180 days and the latest adoption score, read in bulk for routing;
the acceptance rate and the leads converted as tier measures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.choices import LeadStatus, OfferState
from leads.facts import partner_facts, rule_facts
from leads.measures import LEAD_ACCEPTANCE_12M, LEADS_CONVERTED_12M
from leads.models import Lead, LeadOffer
from leads.tests.factories import activate, catch_all_rule, make_lead
from metrics.models import AdoptionScore
from partners.measures import measures
from tiers.measures import measure, requirement_met
from tiers.models import TierRequirement

pytestmark = pytest.mark.django_db


def answered(partner, *, total, accepted, converted=0, at=None, creator):
    """``total`` offers ``partner`` answered at ``at``, the first ``accepted`` accepted, the first
    ``converted`` of those registered as a deal (the lead links it)."""
    at = at or timezone.now() - timedelta(days=1)
    for i in range(total):
        took = i < accepted
        lead = Lead.objects.create(
            program=partner.program,
            company=f"{partner.name} lead {i}",
            region=partner.region,
            created_by=creator,
            status=(LeadStatus.CONVERTED if i < converted else LeadStatus.ACCEPTED)
            if took
            else LeadStatus.UNROUTED,
            partner=partner if took else None,
            deal_id=9000 + i if i < converted else None,
        )
        LeadOffer.objects.create(
            lead=lead,
            partner=partner,
            state=OfferState.ACCEPTED if took else OfferState.DECLINED,
            offered_at=at - timedelta(hours=2),
            answered_at=at,
            deadline=at + timedelta(hours=46),
            decline_reason="" if took else "busy",
        )


def score(partner, value, day=None):
    AdoptionScore.objects.create(
        partner=partner, day=day or timezone.now().date(), score=value, areas=1, active_days=1,
        active_users=1, seats=1, events=5,
    )  # fmt: skip


@pytest.fixture
def setup(world):
    activate(world.partner_a, world.partner_b)
    # A outranks B: without a minimum, best match gives A the lead
    world.partner_a.tier = world.partner_a.program.tiers.get(rank=2)
    world.partner_a.save(update_fields=["tier"])
    return world


def test_facts_read_the_answers_of_the_last_180_days_and_the_latest_score(
    setup, django_assert_max_num_queries
):
    world = setup
    creator = world.users["manager_owner"]
    answered(world.partner_a, total=4, accepted=1, creator=creator)
    # older than 180 days: not counted
    answered(
        world.partner_a, total=5, accepted=5, at=timezone.now() - timedelta(days=181),
        creator=creator,
    )  # fmt: skip
    score(world.partner_a, 42.5)
    score(world.partner_a, 90, day=timezone.now().date() - timedelta(days=1))  # not the latest
    catch_all_rule(world.partner_a.program, min_adoption_score=40)
    rules = rule_facts(world.partner_a.program_id)
    with django_assert_max_num_queries(5):  # partners, open leads (2), answers, scores
        facts = {f.id: f for f in partner_facts(world.partner_a.program_id, rules)}
    a, b = facts[world.partner_a.pk], facts[world.partner_b.pk]
    assert (a.answered_offers, a.accepted_offers, a.acceptance_rate) == (4, 1, 25.0)
    assert a.adoption_score == 42.5
    assert (b.answered_offers, b.acceptance_rate, b.adoption_score) == (0, None, None)


def test_a_minimum_acceptance_rate_passes_the_lead_to_the_partner_meeting_it(setup):
    world = setup
    creator = world.users["manager_owner"]
    answered(world.partner_a, total=4, accepted=1, creator=creator)  # 25 %
    answered(world.partner_b, total=3, accepted=3, creator=creator)  # 100 %
    catch_all_rule(world.partner_a.program, min_acceptance_rate=50)
    lead = make_lead(actor=creator, program=world.partner_a.program, company="Perf Co")
    offer = lead.offers.get()
    assert offer.partner == world.partner_b
    assert offer.why["partner"]["acceptance_rate"] == 100.0
    assert offer.why["partner"]["min_acceptance_rate"] == 50


def test_a_minimum_adoption_score_reads_metrics_latest_score(setup):
    world = setup
    score(world.partner_a, 30)
    score(world.partner_b, 75)
    catch_all_rule(world.partner_a.program, min_adoption_score=60)
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer = lead.offers.get()
    assert offer.partner == world.partner_b
    assert (offer.why["partner"]["adoption_score"], offer.why["partner"]["min_adoption_score"]) == (
        75.0,
        60,
    )


def test_tier_requirements_on_lead_acceptance_and_conversions(setup):
    world = setup
    creator = world.users["manager_owner"]
    answered(world.partner_a, total=4, accepted=3, converted=2, creator=creator)  # 75 %, 2 deals
    answered(world.partner_b, total=5, accepted=1, creator=creator)  # 20 %, none
    # a year and a day ago: outside the measures' window
    answered(
        world.partner_b, total=3, accepted=3, converted=3,
        at=timezone.now() - timedelta(days=366), creator=creator,
    )  # fmt: skip
    silver = world.partner_a.program.tiers.get(rank=2)
    rate = TierRequirement(tier=silver, metric=LEAD_ACCEPTANCE_12M, minimum=Decimal("60"))
    converted = TierRequirement(tier=silver, metric=LEADS_CONVERTED_12M, minimum=2)
    rate.full_clean()
    converted.full_clean()
    values = measure(
        partners=[world.partner_a, world.partner_b],
        requirements=[rate, converted],
        at=timezone.now(),
    )
    a, b = values[world.partner_a.pk], values[world.partner_b.pk]
    assert (a[LEAD_ACCEPTANCE_12M], a[LEADS_CONVERTED_12M]) == (Decimal("75.0"), 2)
    assert (b[LEAD_ACCEPTANCE_12M], b[LEADS_CONVERTED_12M]) == (Decimal("20.0"), 0)
    assert requirement_met(rate, a) and requirement_met(converted, a)
    assert not requirement_met(rate, b) and not requirement_met(converted, b)
    text, _action, url = measures.get(LEAD_ACCEPTANCE_12M).describe(
        current=b[LEAD_ACCEPTANCE_12M], minimum=rate.minimum, subject=None
    )
    assert (text, url) == ("Lead acceptance rate 20% (last 12 months), needs 60%", "/leads/")
    # a business plan reads the conversions of its period (a flow measure)
    between = measures.get(LEADS_CONVERTED_12M).compute_between(
        partner_ids=[world.partner_b.pk], since=timezone.now() - timedelta(days=400),
        until=timezone.now(), subject_ids=(), partners=[world.partner_b],
    )  # fmt: skip
    assert between == {LEADS_CONVERTED_12M: {world.partner_b.pk: 3}}
