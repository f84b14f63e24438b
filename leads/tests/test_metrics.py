"""Lead metrics (issue 20, item 5) with figures worked out by hand: the offers partners answered,
acceptance rate, median time to accept, conversion to a deal and to a won deal, and the revenue
of won deals, learnt from deals' ``deal.won`` / ``deal.lost`` events through the conversion link
the lead keeps (leads never imports deals).

The story (T0: a day ago; A outranks B, so every lead goes to A first):

=========  ===================================  ===================================
lead       Alpha Systems (A)                    Bravo Consulting (B)
=========  ===================================  ===================================
Initech    accepts at T0+2h; deal won EUR 5,000
Globex     accepts at T0+6h; deal lost
Umbrella   accepts at T0+10h; no deal yet
Hooli      declines at T0+1h                    offered at T0+1h, accepts at T0+4h (3h)
Soylent    declines at T0+1h                    offered at T0+1h, declines at T0+2h
=========  ===================================  ===================================

A: 5 answered, 3 accepted (60.0%), median of 2, 6, 10 h = 6.0 h, 2 converted (66.7% of the
accepted), 1 won (33.3%), EUR 5,000.00. B: 2 answered, 1 accepted (50.0%), 3.0 h, none
converted (0.0%). Everyone: 7 answered, 4 accepted (57.1%), median of 2, 3, 6, 10 h = 4.5 h,
2 converted (50.0%), 1 won (25.0%), EUR 5,000.00.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from deals import services as deal_services
from deals.tests.factories import make_deal
from leads import services
from leads.choices import DealOutcome, LeadStatus
from leads.models import Lead
from leads.tests.factories import activate, catch_all_rule, make_lead
from metrics import definitions as d

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


@pytest.fixture
def story(world):
    activate(world.partner_a, world.partner_b)
    world.partner_a.tier = world.partner_a.program.tiers.get(rank=2)
    world.partner_a.save(update_fields=["tier"])
    program = world.partner_a.program
    catch_all_rule(program)
    manager, a_admin, b_admin = (
        world.users["manager_owner"],
        world.users["partner_a_admin"],
        world.users["partner_b_admin"],
    )
    t0 = timezone.now() - timedelta(days=1)

    def lead(company):
        made = make_lead(
            actor=manager, program=program, company=company,
            domain=f"{company.lower()}.example", now=t0,
        )  # fmt: skip
        return made, made.offers.get()

    leads = {}
    for company, hours in (("Initech", 2), ("Globex", 6), ("Umbrella", 10)):
        leads[company], offer = lead(company)
        assert offer.partner == world.partner_a
        services.offer_accept(offer=offer, actor=a_admin, now=t0 + hours * H)
    for company in ("Hooli", "Soylent"):
        leads[company], offer = lead(company)
        services.offer_decline(offer=offer, actor=a_admin, reason="Not our field", now=t0 + H)
    hooli_b = leads["Hooli"].offers.get(partner=world.partner_b)
    services.offer_accept(offer=hooli_b, actor=b_admin, now=t0 + 4 * H)
    soylent_b = leads["Soylent"].offers.get(partner=world.partner_b)
    services.offer_decline(offer=soylent_b, actor=b_admin, reason="Too small", now=t0 + 2 * H)

    # A registers deals for two of its leads; the vendor approves them; one is won, one lost
    a_user = world.users["partner_a_user"]
    won = make_deal(user=a_user, submit=True, customer_domain="initech.example")
    lost = make_deal(user=a_user, submit=True, customer_domain="globex.example")
    for deal in (won, lost):
        deal_services.deal_approve(deal=deal, actor=manager, acknowledge_conflicts=True)
    deal_services.deal_mark_won(deal=won, actor=manager, final_amount=Decimal("5000"))
    deal_services.deal_mark_lost(deal=lost, actor=manager, reason="Budget cut")
    # B's own deal, from no lead, won: it changes no lead's figures
    other = make_deal(user=b_admin, submit=True, customer_domain="hooli-elsewhere.example")
    deal_services.deal_approve(deal=other, actor=manager, acknowledge_conflicts=True)
    deal_services.deal_mark_won(deal=other, actor=manager, final_amount=Decimal("999"))
    return world, leads, (won, lost)


def _since_until():
    today = timezone.now().date()
    return today - timedelta(days=7), today


def test_deal_outcomes_are_kept_on_the_lead_they_came_from(story):
    _world, leads, (won, lost) = story
    initech, globex = (Lead.objects.get(pk=leads[c].pk) for c in ("Initech", "Globex"))
    assert (initech.status, initech.deal_id) == (LeadStatus.CONVERTED, won.pk)
    assert (globex.status, globex.deal_id) == (LeadStatus.CONVERTED, lost.pk)
    assert (initech.deal_outcome, initech.deal_amount, initech.deal_currency) == (
        DealOutcome.WON, Decimal("5000.00"), "EUR",
    )  # fmt: skip
    assert (globex.deal_outcome, globex.deal_amount, globex.deal_currency) == (
        DealOutcome.LOST, None, "",
    )  # fmt: skip
    # the lead of no deal is untouched, and the outcome is kept once however often it is heard
    assert (
        Lead.objects.exclude(pk__in=[initech.pk, globex.pk]).filter(deal_outcome__gt="").count()
        == 0
    )
    assert (
        services.lead_record_deal_outcome(
            deal_id=won.pk, outcome="won", amount=Decimal("5000"), currency="EUR"
        )
        == 1
    )
    assert Lead.objects.filter(deal_outcome=DealOutcome.WON).count() == 1


def test_per_partner_figures_match_the_hand_computed_ones(story):
    world, _leads, _deals = story
    since, until = _since_until()
    perf = d.lead_performance(since=since, until=until, program=world.partner_a.program)
    a, b = perf.partners
    assert (a.pk, a.name, b.pk) == (world.partner_a.pk, "Alpha Systems", world.partner_b.pk)
    assert (a.answered, a.accepted, a.declined) == (5, 3, 2)
    assert (a.acceptance_rate, a.median_hours_to_accept) == (60.0, 6.0)
    assert (a.converted, a.conversion_rate, a.won, a.win_rate) == (2, 66.7, 1, 33.3)
    assert a.revenue == {"EUR": Decimal("5000.00")}
    assert (b.answered, b.accepted, b.acceptance_rate, b.median_hours_to_accept) == (
        2, 1, 50.0, 3.0,
    )  # fmt: skip
    assert (b.converted, b.conversion_rate, b.won, b.win_rate, b.revenue) == (
        0, 0.0, 0, 0.0, {},
    )  # fmt: skip


def test_per_program_and_total_figures(story):
    world, _leads, _deals = story
    since, until = _since_until()
    perf = d.lead_performance(since=since, until=until)
    (program,) = perf.programs
    assert (program.pk, program.name) == (world.partner_a.program.pk, "Global")
    for f in (program, perf.total):
        assert (f.answered, f.accepted, f.acceptance_rate) == (7, 4, 57.1)
        assert f.median_hours_to_accept == 4.5
        assert (f.converted, f.conversion_rate, f.won, f.win_rate) == (2, 50.0, 1, 25.0)
        assert f.revenue == {"EUR": Decimal("5000.00")}


def test_filters_and_the_date_range_narrow_the_offers(story):
    world, _leads, _deals = story
    since, until = _since_until()
    only_b = d.lead_performance(since=since, until=until, owner=world.users["manager_other"])
    assert [f.pk for f in only_b.partners] == [world.partner_b.pk]
    assert (only_b.total.answered, only_b.total.accepted) == (2, 1)
    # answered a day ago: a range ending the day before has none, and no rate to show
    empty = d.lead_performance(since=since, until=since + timedelta(days=4))
    assert (empty.total.answered, empty.partners, empty.programs) == (0, [], [])
    assert (empty.total.acceptance_rate, empty.total.median_hours_to_accept) == (None, None)
    one = d.lead_performance_for_partner(partner_id=world.partner_a.pk, since=since, until=until)
    assert (one.answered, one.accepted, one.won, one.median_hours_to_accept) == (5, 3, 1, 6.0)


def test_the_metric_reads_one_query(story, django_assert_num_queries):
    since, until = _since_until()
    with django_assert_num_queries(1):
        d.lead_performance(since=since, until=until)


def test_the_staff_list_drills_down_to_a_partners_or_a_programs_leads(story, client_as):
    world, _leads, _deals = story
    client = client_as("manager_owner")
    response = client.get("/manage/leads/", {"partner": world.partner_b.pk})
    assert response.status_code == 200
    assert sorted(lead.company for lead in response.context["leads"]) == ["Hooli", "Soylent"]
    response = client.get("/manage/leads/", {"program": world.partner_a.program.pk})
    assert len(response.context["leads"]) == 5
    response = client.get("/manage/leads/", {"program": world.partner_a.program.pk + 1000})
    assert len(response.context["leads"]) == 0
    assert client.get("/manage/leads/", {"partner": "x"}).status_code == 400
