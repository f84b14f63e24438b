"""Co-selling (issue 20, item 4): on an approved deal the partner asks the vendor for help
(pre-sales, pricing, an executive sponsor), a channel manager assigns a vendor person, both sides
share notes on the request; each step is an event. A partner reaches only its own deals'
requests (other partners: 404, even by id)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from deals import services
from deals.choices import HelpStatus
from deals.models import DealHelpNote, DealHelpRequest
from deals.tests.factories import make_deal
from events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(world):
    deal = make_deal(user=world.users["partner_a_user"], submit=True, customer_name="Initech")
    return services.deal_approve(deal=deal, actor=world.users["manager_owner"])


def _events(kind):
    return list(Event.objects.filter(kind=kind).order_by("pk"))


def test_the_whole_exchange_from_both_pages(client_as, world, approved):
    partner, manager = client_as("partner_a_user"), client_as("manager_owner")
    other = world.users["manager_other"]
    other.full_name = "Olga Presales"
    other.save(update_fields=["full_name"])
    # the partner asks for pre-sales help
    url = reverse("deals:help_request", args=[approved.pk])
    response = partner.post(url, {"kind": "presales", "message": "Need a demo on Tuesday"})
    assert response.status_code == 302
    help_request = DealHelpRequest.objects.get(deal=approved)
    assert (help_request.kind, help_request.status) == ("presales", HelpStatus.OPEN)
    (event,) = _events("deal.help_requested")
    assert event.partner_id == world.partner_a.pk
    assert event.properties == {"deal": approved.pk, "request": help_request.pk, "kind": "presales"}
    # the manager sees it and assigns a colleague
    page = manager.get(reverse("deals:manager_detail", args=[approved.pk])).content.decode()
    assert "Need a demo on Tuesday" in page and "Pre-sales help" in page
    assign = reverse("deals:manager_help_assign", args=[approved.pk, help_request.pk])
    assert manager.post(assign, {"assignee": other.pk}).status_code == 302
    help_request.refresh_from_db()
    assert (help_request.assignee, help_request.status) == (other, HelpStatus.ASSIGNED)
    assert _events("deal.help_assigned")[0].properties["assignee"] == other.pk
    # notes from both sides, seen on both pages, the vendor's marked
    note_url = reverse("deals:manager_help_note", args=[approved.pk, help_request.pk])
    assert manager.post(note_url, {"body": "Olga will bring the demo kit"}).status_code == 302
    note_url = reverse("deals:help_note", args=[approved.pk, help_request.pk])
    assert partner.post(note_url, {"body": "Thanks, 10:00 works"}).status_code == 302
    notes = list(DealHelpNote.objects.filter(request=help_request).order_by("pk"))
    assert [(n.body, n.by_vendor) for n in notes] == [
        ("Olga will bring the demo kit", True),
        ("Thanks, 10:00 works", False),
    ]
    assert [e.properties["by_vendor"] for e in _events("deal.help_note_added")] == [True, False]
    partner_page = partner.get(reverse("deals:detail", args=[approved.pk])).content.decode()
    assert "with Olga Presales" in partner_page
    assert "Olga will bring the demo kit" in partner_page and "Thanks, 10:00 works" in partner_page


def test_help_is_for_approved_deals_once_per_kind(world, approved):
    user = world.users["partner_a_user"]
    services.deal_help_request(deal=approved, actor=user, kind="pricing", message="Discount?")
    with pytest.raises(services.DealError, match="already been requested"):
        services.deal_help_request(deal=approved, actor=user, kind="pricing", message="Again")
    services.deal_help_request(deal=approved, actor=user, kind="executive", message="CIO call")
    draft = make_deal(user=user, customer_name="Draft Co")
    with pytest.raises(services.DealError, match="approved deals only"):
        services.deal_help_request(deal=draft, actor=user, kind="pricing", message="Early")
    with pytest.raises(services.DealError):
        services.deal_help_request(deal=approved, actor=user, kind="lunch", message="x")
    with pytest.raises(services.DealError, match="Say what you need"):
        services.deal_help_request(deal=approved, actor=user, kind="presales", message="  ")
    # a won deal takes no new requests either
    services.deal_mark_won(
        deal=approved, actor=world.users["manager_owner"], final_amount=Decimal(1)
    )
    with pytest.raises(services.DealError, match="approved deals only"):
        services.deal_help_request(deal=approved, actor=user, kind="presales", message="Late")


def test_only_vendor_staff_assign_and_only_vendor_staff_are_assigned(world, approved):
    help_request = services.deal_help_request(
        deal=approved, actor=world.users["partner_a_user"], kind="presales", message="Demo"
    )
    with pytest.raises(services.DealError, match="Only channel managers"):
        services.deal_help_assign(
            help_request=help_request,
            actor=world.users["partner_a_admin"],
            assignee=world.users["manager_owner"],
        )
    with pytest.raises(services.DealError, match="vendor's staff"):
        services.deal_help_assign(
            help_request=help_request,
            actor=world.users["manager_owner"],
            assignee=world.users["partner_a_admin"],
        )
    assert not _events("deal.help_assigned")


def test_the_assign_form_offers_vendor_staff_only_and_refuses_a_partner_user(
    client_as, world, approved
):
    help_request = services.deal_help_request(
        deal=approved, actor=world.users["partner_a_user"], kind="presales", message="Demo"
    )
    manager = client_as("manager_owner")
    page = manager.get(reverse("deals:manager_detail", args=[approved.pk])).content.decode()
    assert f'value="{world.users["manager_other"].pk}"' in page
    assert f'value="{world.users["partner_a_admin"].pk}"' not in page
    assign = reverse("deals:manager_help_assign", args=[approved.pk, help_request.pk])
    response = manager.post(assign, {"assignee": world.users["partner_a_admin"].pk})
    assert response.status_code == 400
    help_request.refresh_from_db()
    assert help_request.assignee is None


def test_another_partner_reaches_no_request_even_by_id(client_as, world, approved):
    help_request = services.deal_help_request(
        deal=approved, actor=world.users["partner_a_user"], kind="presales", message="Secret plan"
    )
    b = client_as("partner_b_admin")
    note_url = reverse("deals:help_note", args=[approved.pk, help_request.pk])
    assert b.post(note_url, {"body": "peek"}).status_code == 404
    ask = reverse("deals:help_request", args=[approved.pk])
    assert b.post(ask, {"kind": "pricing", "message": "mine now"}).status_code == 404
    # B's own deal with A's request id: 404 too
    b_deal = make_deal(
        user=world.users["partner_b_admin"], submit=True, customer_name="Bravo Co",
        customer_domain="bravo-co.example",
    )  # fmt: skip
    b_deal = services.deal_approve(deal=b_deal, actor=world.users["manager_owner"])
    wrong = reverse("deals:help_note", args=[b_deal.pk, help_request.pk])
    assert b.post(wrong, {"body": "peek"}).status_code == 404
    assert not DealHelpNote.objects.exists()
    assert DealHelpRequest.objects.count() == 1


def test_bad_notes_get_a_400_with_the_reason(client_as, world, approved):
    help_request = services.deal_help_request(
        deal=approved, actor=world.users["partner_a_user"], kind="presales", message="Demo"
    )
    partner = client_as("partner_a_user")
    note_url = reverse("deals:help_note", args=[approved.pk, help_request.pk])
    assert partner.post(note_url, {"body": ""}).status_code == 400
    assert partner.post(note_url, {"body": "x" * 2001}).status_code == 400
    assert not DealHelpNote.objects.exists()
    # a partner asking on a submitted (not approved) deal is told, and nothing is made
    submitted = make_deal(
        user=world.users["partner_a_user"], submit=True, customer_name="Soon",
        customer_domain="soon.example",
    )  # fmt: skip
    ask = reverse("deals:help_request", args=[submitted.pk])
    assert partner.post(ask, {"kind": "pricing", "message": "Early"}).status_code == 302
    assert DealHelpRequest.objects.filter(deal=submitted).count() == 0


def test_a_request_tells_the_owner_and_an_assignment_tells_both_people_once(world, approved):
    from kernel.models import OutboundEmail
    from notifications.models import Notification

    owner, other = world.users["manager_owner"], world.users["manager_other"]
    other.full_name = "Olga Other"
    other.save(update_fields=["full_name"])
    asker = world.users["partner_a_user"]
    OutboundEmail.objects.all().delete()
    help_request = services.deal_help_request(
        deal=approved, actor=asker, kind="pricing", message="Can we go to 20% off?"
    )
    (request_email,) = OutboundEmail.objects.filter(template="deals_help_requested")
    assert request_email.to == [owner.email]  # the partner's owning channel manager
    assert "Initech" in request_email.subject and "20% off" in request_email.body
    for _rerun in range(2):  # assigning the same person again tells nobody again
        services.deal_help_assign(help_request=help_request, actor=owner, assignee=other)
    (to_helper,) = OutboundEmail.objects.filter(template="deals_help_assigned")
    (to_asker,) = OutboundEmail.objects.filter(template="deals_help_assigned_partner")
    assert to_helper.to == [other.email] and "Hello Olga Other" in to_helper.body
    assert to_asker.to == [asker.email] and "Olga Other from the vendor's team" in to_asker.body
    assert Notification.objects.filter(user=other, kind="deals_help_assigned").count() == 1
