"""Lead services: intake is idempotent by external id, routing records why, one partner wins a
lead, a decline or an expiry passes it on (once, also when the expiry job runs twice), the
partner's updates and the conversion to a deal registration through deals' event."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from deals.tests.factories import make_deal
from events.models import Event
from kernel.models import OutboundEmail
from leads import services
from leads.choices import LeadStatus, OfferState
from leads.models import Lead, LeadOffer, LeadSla
from leads.tests.factories import activate, catch_all_rule, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    activate(world.partner_a, world.partner_b)
    # A outranks B (best match: the highest tier first)
    world.partner_a.tier = world.partner_a.program.tiers.get(rank=2)
    world.partner_a.save(update_fields=["tier"])
    rule = catch_all_rule(world.partner_a.program)
    return world, rule


def kinds(lead) -> list[str]:
    return list(
        Event.objects.filter(subject_id=str(lead.pk), kind__startswith="lead.")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_create_routes_to_the_best_partner_and_records_why(setup):
    world, rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer = lead.offers.get()
    assert lead.status == LeadStatus.OFFERED
    assert (offer.partner, offer.rule, offer.state) == (world.partner_a, rule, OfferState.OFFERED)
    assert offer.why["rule"] == rule.pk and offer.why["partner"]["tier"] == "Silver"
    assert offer.deadline == offer.offered_at + timedelta(hours=48)
    assert kinds(lead) == ["lead.created", "lead.offered"]
    email = OutboundEmail.objects.get(key=f"leads.offer:{offer.pk}")
    assert email.to == ["admin@alpha.example"] and "Initech" in email.subject
    # the in-app notice (notifications hears of every email), linking to the partner's inbox
    notices = apps.get_model("notifications", "Notification").objects  # no import: a feature
    notice = notices.get(user=world.users["partner_a_admin"], kind="leads_offered")
    assert notice.link == f"/leads/{lead.pk}/"


def test_sla_is_per_program(setup):
    world, _rule = setup
    LeadSla.objects.create(program=world.partner_a.program, hours=6)
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer = lead.offers.get()
    assert offer.deadline - offer.offered_at == timedelta(hours=6)


def test_external_id_makes_one_lead(setup):
    world, _rule = setup
    actor = world.users["manager_owner"]
    first, created = services.lead_create(
        actor=actor, program=world.partner_a.program, company="Initech", region="emea",
        external_id="crm-1",
    )  # fmt: skip
    again, created_again = services.lead_create(
        actor=actor, program=world.partner_a.program, company="Other name", region="emea",
        external_id="crm-1",
    )  # fmt: skip
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Lead.objects.count() == 1 and LeadOffer.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("company", "  "), ("region", "mars"), ("domain", "not a domain"),
     ("contact_email", "nope"), ("source", "psychic"), ("size", "huge"), ("program", None)],
)  # fmt: skip
def test_bad_input_is_refused_on_its_field(setup, field, value):
    world, _rule = setup
    with pytest.raises(ValidationError) as exc:
        make_lead(
            **(
                {"actor": world.users["manager_owner"], "program": world.partner_a.program}
                | {field: value}
            )
        )
    assert field in exc.value.message_dict
    assert not Lead.objects.exists()


def test_no_rule_or_no_partner_leaves_the_lead_unrouted(world):
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    assert lead.status == LeadStatus.UNROUTED and not lead.offers.exists()
    assert OutboundEmail.objects.filter(key__startswith=f"leads.unrouted:{lead.pk}:").exists()


def test_accept_wins_the_lead_once(setup):
    world, _rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer = lead.offers.get()
    services.offer_accept(offer=offer, actor=world.users["partner_a_admin"])
    lead.refresh_from_db()
    assert (lead.status, lead.partner) == (LeadStatus.ACCEPTED, world.partner_a)
    with pytest.raises(services.LeadError):
        services.offer_accept(offer=offer, actor=world.users["partner_a_admin"])
    assert kinds(lead)[-1] == "lead.accepted"


def test_the_database_refuses_a_second_accepted_offer(setup):
    world, _rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    services.offer_accept(offer=lead.offers.get(), actor=world.users["partner_a_admin"])
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadOffer.objects.create(
            lead=lead, partner=world.partner_b, state=OfferState.ACCEPTED,
            deadline=timezone.now() + timedelta(hours=1),
        )  # fmt: skip


def test_a_late_answer_is_refused(setup):
    world, _rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer = lead.offers.get()
    with pytest.raises(services.LeadError):
        services.offer_accept(offer=offer, actor=world.users["partner_a_admin"], now=offer.deadline)


def test_decline_needs_a_reason_and_passes_the_lead_on(setup):
    world, _rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer = lead.offers.get()
    with pytest.raises(ValidationError) as exc:
        services.offer_decline(offer=offer, actor=world.users["partner_a_admin"], reason=" ")
    assert "reason" in exc.value.message_dict
    services.offer_decline(offer=offer, actor=world.users["partner_a_admin"], reason="No capacity")
    offer.refresh_from_db()
    assert (offer.state, offer.decline_reason) == (OfferState.DECLINED, "No capacity")
    nxt = lead.offers.get(state=OfferState.OFFERED)
    assert nxt.partner == world.partner_b
    # B declines too: nobody is left, the lead is the vendor's again
    services.offer_decline(offer=nxt, actor=world.users["partner_b_admin"], reason="Too small")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNROUTED
    assert kinds(lead) == [
        "lead.created", "lead.offered", "lead.declined", "lead.offered", "lead.declined",
        "lead.unrouted",
    ]  # fmt: skip


def test_expiry_reassigns_exactly_once_under_a_rerun(setup):
    world, _rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    first = lead.offers.get()
    before = first.deadline - timedelta(seconds=1)
    assert services.offers_expire(now=before) == 0  # not due yet
    later = first.deadline + timedelta(minutes=1)
    assert services.offers_expire(now=later) == 1
    assert services.offers_expire(now=later) == 0  # the rerun finds nothing
    offers = list(lead.offers.order_by("pk").values_list("partner_id", "state"))
    assert offers == [
        (world.partner_a.pk, OfferState.EXPIRED),
        (world.partner_b.pk, OfferState.OFFERED),
    ]
    assert kinds(lead).count("lead.offer_expired") == 1
    # the second partner's deadline passes too: no one left
    assert services.offers_expire(now=later + timedelta(hours=49)) == 1
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNROUTED


def test_partner_updates_follow_the_allowed_moves(setup):
    world, _rule = setup
    user = world.users["partner_a_user"]
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    services.offer_accept(offer=lead.offers.get(), actor=world.users["partner_a_admin"])
    services.lead_set_status(lead=lead, actor=user, status=LeadStatus.CONTACTED)
    with pytest.raises(ValidationError):
        services.lead_set_status(lead=lead, actor=user, status=LeadStatus.CONTACTED)
    with pytest.raises(ValidationError) as exc:
        services.lead_set_status(lead=lead, actor=user, status=LeadStatus.LOST)
    assert "reason" in exc.value.message_dict
    services.lead_set_status(lead=lead, actor=user, status=LeadStatus.LOST, reason="Went in-house")
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "Went in-house")


def test_a_submitted_deal_for_the_lead_converts_and_links_it(setup):
    world, _rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    services.offer_accept(offer=lead.offers.get(), actor=world.users["partner_a_admin"])
    # another partner's deal for the same customer links nothing of A's
    other = make_deal(
        user=world.users["partner_b_admin"], submit=True, customer_domain="initech.example"
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED and lead.deal_id is None
    deal = make_deal(
        user=world.users["partner_a_user"], submit=True, customer_domain="initech.example"
    )
    lead.refresh_from_db()
    assert (lead.status, lead.deal_id) == (LeadStatus.CONVERTED, deal.pk)
    assert other.pk != deal.pk
    assert kinds(lead)[-1] == "lead.converted"


def test_offerings_must_be_for_the_leads_program(setup):
    from partners.tests.factories import OfferingFactory, ProgramFactory

    world, _rule = setup
    everyone = OfferingFactory()  # no programs: every program
    elsewhere = OfferingFactory()
    elsewhere.programs.add(ProgramFactory(slug="elsewhere"))
    actor, program = world.users["manager_owner"], world.partner_a.program
    lead = make_lead(actor=actor, program=program, offerings=[everyone])
    assert list(lead.offerings.all()) == [everyone]
    with pytest.raises(ValidationError) as exc:
        make_lead(actor=actor, program=program, offerings=[elsewhere], company="Other")
    assert "offerings" in exc.value.message_dict


def test_the_vendor_may_route_among_named_partners_by_the_same_rules(setup):
    world, rule = setup
    lead = make_lead(
        actor=world.users["manager_owner"], program=world.partner_a.program, route=False
    )
    offer = services.lead_route(lead=lead, only=[world.partner_b.pk])  # A would win on tier
    assert (offer.partner, offer.why["rule"]) == (world.partner_b, rule.pk)


def test_offered_to_several_the_first_to_accept_wins_and_the_others_are_withdrawn(setup):
    world, rule = setup
    rule.strategy, rule.offer_count = "first_come", 2
    rule.save()
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offers = {o.partner_id: o for o in lead.offers.all()}
    assert set(offers) == {world.partner_a.pk, world.partner_b.pk}
    services.offer_accept(offer=offers[world.partner_b.pk], actor=world.users["partner_b_admin"])
    with pytest.raises(services.LeadError):
        services.offer_accept(
            offer=offers[world.partner_a.pk], actor=world.users["partner_a_admin"]
        )
    states = dict(lead.offers.values_list("partner_id", "state"))
    assert states == {
        world.partner_a.pk: OfferState.WITHDRAWN,
        world.partner_b.pk: OfferState.ACCEPTED,
    }
    lead.refresh_from_db()
    assert lead.partner == world.partner_b


def test_offered_to_several_one_decline_waits_for_the_others(setup):
    world, rule = setup
    rule.strategy, rule.offer_count = "first_come", 2
    rule.save()
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer_a = lead.offers.get(partner=world.partner_a)
    services.offer_decline(offer=offer_a, actor=world.users["partner_a_admin"], reason="Busy")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED and lead.offers.count() == 2  # B may still take it


def test_partners_outside_the_leads_region_are_read_only_when_a_rule_allows_them(setup):
    world, rule = setup
    world.partner_a.region = "apac"
    world.partner_a.save(update_fields=["region"])
    actor, program = world.users["manager_owner"], world.partner_a.program
    lead = make_lead(actor=actor, program=program)  # EMEA: only B is in its region
    assert lead.offers.get().partner == world.partner_b
    rule.same_region = False
    rule.save()
    other = make_lead(actor=actor, program=program, company="Hooli", domain="hooli.example")
    assert other.offers.get().partner == world.partner_a  # A's higher tier wins anywhere


def test_a_reminder_goes_once_when_a_quarter_of_the_answer_time_is_left(setup):
    world, _rule = setup
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer = lead.offers.get()
    assert offer.remind_at == offer.offered_at + timedelta(hours=36)
    assert services.offers_remind(now=offer.remind_at - timedelta(minutes=1)) == 0
    assert services.offers_remind(now=offer.remind_at) == 1
    assert services.offers_remind(now=offer.remind_at + timedelta(minutes=10)) == 0  # a rerun
    email = OutboundEmail.objects.get(key=f"leads.reminder:{offer.pk}")
    assert email.to == ["admin@alpha.example"]
    # an answered offer is not reminded
    other = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program,
                      company="Hooli", domain="hooli.example")  # fmt: skip
    services.offer_accept(offer=other.offers.get(), actor=world.users["partner_a_admin"])
    assert services.offers_remind(now=offer.deadline - timedelta(minutes=1)) == 0
