"""Lead pages: vendor intake, list and detail with the why and the protection flag; the partner
inbox scoped to the partner (a lead not offered to it is 404, even by id); answers, updates and
the conversion into a pre-filled deal registration; the routing setup, audited. Query bounds."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from audit.choices import AuditAction
from audit.models import AuditEntry
from deals import services as deal_services
from deals.tests.factories import make_deal
from leads.choices import LeadStatus, OfferState
from leads.models import Lead, LeadSla, RoutingRule
from leads.tests.factories import activate, catch_all_rule, make_lead
from partners.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(world):
    activate(world.partner_a, world.partner_b)
    world.partner_a.tier = world.partner_a.program.tiers.get(rank=2)
    world.partner_a.save(update_fields=["tier"])
    catch_all_rule(world.partner_a.program)
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    return world, lead


def form_data(world, **kw) -> dict:
    return {
        "program": world.partner_a.program.pk, "company": "Umbrella Corp",
        "domain": "https://www.umbrella.example/", "country": "FR", "region": "emea",
        "contact_name": "Albert Wesker", "contact_email": "aw@umbrella.example",
        "source": "event", "size": "large", "notes": "Met at the fair",
    } | kw  # fmt: skip


def test_staff_enter_a_lead_that_is_routed_at_once(world, client_as):
    activate(world.partner_a)
    catch_all_rule(world.partner_a.program)
    c = client_as("manager_other")
    response = c.post(reverse("leads:manage_create"), form_data(world))
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "leads:manage_detail", args=[lead.pk]
    )
    assert (lead.domain, lead.status, lead.created_by) == (
        "umbrella.example", LeadStatus.OFFERED, world.users["manager_other"],
    )  # fmt: skip
    page = c.get(response["Location"]).content.decode()
    assert "Alpha Systems" in page and 'data-testid="offer-why"' in page
    assert "Everyone in the region" in page  # the rule's name: why this partner


def test_bad_intake_is_a_400_with_the_errors(world, client_as):
    response = client_as("manager_owner").post(
        reverse("leads:manage_create"), form_data(world, company="", region="mars")
    )
    assert response.status_code == 400 and not Lead.objects.exists()


def test_a_customer_protected_by_an_approved_deal_is_flagged(routed, client_as):
    world, lead = routed
    deal = make_deal(user=world.users["partner_b_admin"], submit=True, customer_domain=lead.domain)
    deal_services.deal_approve(deal=deal, actor=world.users["manager_other"])
    c = client_as("manager_owner")
    listing = c.get(reverse("leads:manage_list")).content.decode()
    assert 'data-testid="protected-flag"' in listing and "Bravo Consulting" in listing
    detail = c.get(reverse("leads:manage_detail", args=[lead.pk])).content.decode()
    assert 'data-testid="protected-flag"' in detail


def test_list_filters_and_bad_filter_values(routed, client_as):
    world, _lead = routed
    make_lead(actor=world.users["manager_owner"], program=world.partner_a.program,
              company="Hooli", domain="hooli.example", route=False)  # fmt: skip
    c = client_as("manager_owner")
    page = c.get(reverse("leads:manage_list"), {"status": "offered"}).content.decode()
    assert "Initech" in page and "Hooli" not in page
    page = c.get(reverse("leads:manage_list"), {"q": "hooli"}).content.decode()
    assert "Hooli" in page and "Initech" not in page
    assert c.get(reverse("leads:manage_list"), {"status": "bogus"}).status_code == 400


def test_a_partner_sees_only_leads_offered_to_it(routed, client_as):
    world, lead = routed
    other = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program,
                      company="Hooli", domain="hooli.example", route=False)  # fmt: skip
    a = client_as("partner_a_user")
    inbox = a.get(reverse("leads:inbox")).content.decode()
    assert "Initech" in inbox and "Hooli" not in inbox
    assert a.get(reverse("leads:inbox_detail", args=[other.pk])).status_code == 404
    b = client_as("partner_b_admin")
    assert "Initech" not in b.get(reverse("leads:inbox")).content.decode()
    for name in ("inbox_detail", "convert"):
        assert b.get(reverse(f"leads:{name}", args=[lead.pk])).status_code == 404
    for name in ("accept", "decline", "status"):
        assert b.post(reverse(f"leads:{name}", args=[lead.pk]), {"reason": "x"}).status_code == 404
    # contact details only once accepted
    detail = a.get(reverse("leads:inbox_detail", args=[lead.pk])).content.decode()
    assert "bill@initech.example" not in detail


def test_only_a_partner_admin_answers(routed, client_as):
    _world, lead = routed
    response = client_as("partner_a_user").post(reverse("leads:accept", args=[lead.pk]))
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED


def test_decline_needs_a_reason_then_goes_to_the_next_partner(routed, client_as):
    world, lead = routed
    c = client_as("partner_a_admin")
    assert c.post(reverse("leads:decline", args=[lead.pk]), {"reason": ""}).status_code == 400
    response = c.post(reverse("leads:decline", args=[lead.pk]), {"reason": "Not our market"})
    assert response.status_code == 302
    assert lead.offers.get(state=OfferState.OFFERED).partner == world.partner_b
    # B now sees it; A still sees its own (declined) offer, without the contact
    assert (
        client_as("partner_b_admin").get(reverse("leads:inbox_detail", args=[lead.pk])).status_code
        == 200
    )


def test_accept_update_and_convert_into_a_prefilled_deal(routed, client_as):
    world, lead = routed
    admin, user = client_as("partner_a_admin"), client_as("partner_a_user")
    assert admin.post(reverse("leads:accept", args=[lead.pk])).status_code == 302
    detail = user.get(reverse("leads:inbox_detail", args=[lead.pk])).content.decode()
    assert "bill@initech.example" in detail and 'data-testid="convert-lead"' in detail
    response = user.post(reverse("leads:status", args=[lead.pk]), {"status": "lost"})
    assert response.status_code == 400  # lost needs a reason
    user.post(reverse("leads:status", args=[lead.pk]), {"status": "qualified"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED

    response = user.get(reverse("leads:convert", args=[lead.pk]))
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == reverse("deals:create")
    params = parse_qs(url.query)
    assert params["customer_name"] == ["Initech"]
    assert params["customer_domain"] == ["initech.example"]
    form = user.get(response["Location"]).content.decode()
    assert 'value="Initech"' in form and 'value="bill@initech.example"' in form

    # the partner registers and submits the deal: the lead is converted and linked
    deal = make_deal(user=world.users["partner_a_user"], submit=True,
                     customer_name="Initech", customer_domain="initech.example")  # fmt: skip
    lead.refresh_from_db()
    assert (lead.status, lead.deal_id) == (LeadStatus.CONVERTED, deal.pk)
    manager_page = client_as("manager_owner").get(reverse("leads:manage_detail", args=[lead.pk]))
    assert 'data-testid="lead-deal"' in manager_page.content.decode()


def test_routing_setup_is_audited_and_for_vendor_admins(world, client_as):
    offering = OfferingFactory(name="Cloud Suite")
    offering.programs.add(world.partner_a.program)
    data = {
        "name": "EMEA cloud", "program": world.partner_a.program.pk, "position": 5,
        "is_active": "on", "regions": ["emea"], "countries": ["DE", "FR"],
        "offerings": [offering.pk], "same_region": "on", "max_open_leads": 3,
        "strategy": "round_robin",
    }  # fmt: skip
    url = reverse("leads:setup_rule_create")
    assert client_as("manager_owner").post(url, data).status_code == 403
    c = client_as("vendor_admin")
    assert c.post(url, data | {"countries": ["XX"]}).status_code == 400
    assert c.post(url, data).status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.regions, rule.countries, rule.max_open_leads) == (["emea"], ["DE", "FR"], 3)
    assert list(rule.offerings.all()) == [offering]
    edit = reverse("leads:setup_rule_edit", args=[rule.pk])
    assert c.post(edit, data | {"min_acceptance_rate": 101}).status_code == 400
    minimums = {"min_acceptance_rate": 60, "min_adoption_score": 40}
    c.post(edit, data | {"name": "EMEA cloud 2"} | minimums)
    rule.refresh_from_db()
    assert (rule.min_acceptance_rate, rule.min_adoption_score) == (60, 40)
    edited = AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).order_by("pk")[1].details
    assert "min_acceptance_rate" in str(edited) and "min_adoption_score" in str(edited)
    page = c.get(edit).content.decode()
    assert 'name="min_acceptance_rate" value="60"' in page
    c.post(reverse("leads:setup_sla"), {"program": world.partner_a.program.pk, "hours": 12})
    assert LeadSla.objects.get().hours == 12
    c.post(reverse("leads:setup_rule_delete", args=[rule.pk]))
    assert not RoutingRule.objects.exists()
    summaries = list(
        AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).values_list(
            "target_type", flat=True
        )
    )
    assert len(summaries) == 4, summaries
    hub = client_as("manager_owner").get(reverse("console:setup")).content.decode()
    assert reverse("leads:setup_rules") in hub


def test_pages_hold_a_bounded_number_of_queries(routed, client_as, django_assert_max_num_queries):
    world, lead = routed
    for i in range(15):
        make_lead(actor=world.users["manager_owner"], program=world.partner_a.program,
                  company=f"Co {i}", domain=f"co{i}.example")  # fmt: skip
    staff, partner = client_as("manager_owner"), client_as("partner_a_admin")
    admin = client_as("vendor_admin")
    # measured 6, 7, 6, 8 and 9 (session, user, the bell's unread count included): the same
    # with 16 leads as with one
    with django_assert_max_num_queries(7):
        assert staff.get(reverse("leads:manage_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert staff.get(reverse("leads:manage_detail", args=[lead.pk])).status_code == 200
    with django_assert_max_num_queries(7):
        assert partner.get(reverse("leads:inbox")).status_code == 200
    with django_assert_max_num_queries(9):
        assert partner.get(reverse("leads:inbox_detail", args=[lead.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert admin.get(reverse("leads:setup_rules")).status_code == 200


def test_staff_route_a_new_or_unrouted_lead_again(world, client_as):
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    assert lead.status == LeadStatus.UNROUTED  # no rule, no active partner yet
    c = client_as("manager_other")
    page = c.get(reverse("leads:manage_detail", args=[lead.pk])).content.decode()
    assert reverse("leads:manage_route", args=[lead.pk]) in page
    activate(world.partner_a)
    catch_all_rule(world.partner_a.program)
    assert c.post(reverse("leads:manage_route", args=[lead.pk])).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED
    # once with a partner, routing again is refused (and changes nothing)
    c.post(reverse("leads:manage_route", args=[lead.pk]))
    assert lead.offers.count() == 1
