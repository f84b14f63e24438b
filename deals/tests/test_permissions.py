"""Every deal route requested as every persona (tests/roles.py), and cross-partner tampering."""

from decimal import Decimal

import pytest
from django.urls import reverse

from deals import services
from deals.choices import DealStatus
from deals.models import Deal
from deals.tests.factories import make_deal
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

STAFF_404 = {"manager_owner": 404, "manager_other": 404, "vendor_admin": 404}
PARTNERS_404 = {"partner_a_admin": 404, "partner_a_user": 404, "partner_b_admin": 404}


def ok_then_redirect(response):
    return response.status_code == 302


@pytest.fixture
def deal_a(world):
    """Partner A's user's submitted deal."""
    return make_deal(user=world.users["partner_a_user"], submit=True)


def test_partner_lists_and_export_are_for_partner_members(client_as):
    for name in ["deals:list", "deals:export", "deals:create"]:
        assert_role_matrix(
            client_as,
            reverse(name),
            {
                "anonymous": LOGIN,
                "partner_a_admin": 200,
                "partner_a_user": 200,
                "partner_b_admin": 200,
            }
            | STAFF_404,
        )


def test_manager_lists_and_export_are_for_vendor_staff(client_as):
    for name in ["deals:manager_list", "deals:manager_export"]:
        assert_role_matrix(
            client_as,
            reverse(name),
            {
                "anonymous": LOGIN,
                **PARTNERS_404,
                "manager_owner": 200,
                "manager_other": 200,
                "vendor_admin": 200,
            },
        )


def test_a_deal_page_is_for_its_partner_and_vendor_staff_only(client_as, deal_a):
    assert_role_matrix(
        client_as,
        reverse("deals:detail", args=[deal_a.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 200, "partner_b_admin": 404}
        | STAFF_404,
    )
    assert_role_matrix(
        client_as,
        reverse("deals:manager_detail", args=[deal_a.pk]),
        {
            "anonymous": LOGIN,
            **PARTNERS_404,
            "manager_owner": 200,
            "manager_other": 200,
            "vendor_admin": 200,
        },
    )


def test_editing_and_submitting_a_draft_is_for_its_own_partner(client_as, world):
    draft = make_deal(user=world.users["partner_a_admin"])
    edit = reverse("deals:edit", args=[draft.pk])
    # the partner user did not register it and it is not shared with them: 404
    assert_role_matrix(
        client_as,
        edit,
        {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 404, "partner_b_admin": 404}
        | STAFF_404,
    )
    assert_role_matrix(
        client_as,
        reverse("deals:submit", args=[draft.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 404, "partner_b_admin": 404}
        | STAFF_404,
        method="post",
    )
    draft.refresh_from_db()
    assert draft.status == DealStatus.SUBMITTED


def test_deleting_a_draft_is_for_its_own_partner_and_never_a_submitted_deal(client_as, world):
    # the partner user neither registered it nor has it shared: like an outsider
    draft = make_deal(user=world.users["partner_a_admin"])
    url = reverse("deals:delete", args=[draft.pk])
    for persona in ["partner_a_user", "partner_b_admin", "manager_owner", "vendor_admin"]:
        assert client_as(persona).post(url).status_code == 404, persona
        assert Deal.objects.filter(pk=draft.pk).exists(), persona
    assert_role_matrix(
        client_as,
        url,
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 404, "partner_b_admin": 404}
        | STAFF_404,
        method="post",
    )
    assert not Deal.objects.filter(pk=draft.pk).exists()
    submitted = make_deal(user=world.users["partner_a_user"], submit=True)
    response = client_as("partner_a_user").post(
        reverse("deals:delete", args=[submitted.pk]), follow=True
    )
    assert "Only drafts can be deleted" in response.content.decode()
    assert Deal.objects.filter(pk=submitted.pk).exists()


def test_review_actions_are_for_vendor_staff_only(client_as, world, deal_a):
    other = make_deal(user=world.users["partner_b_admin"], submit=True, customer_domain="b.example")
    assert_role_matrix(
        client_as,
        reverse("deals:reject", args=[other.pk]),
        {
            "anonymous": LOGIN,
            **PARTNERS_404,
            "manager_owner": 302,
            "manager_other": 409,
            "vendor_admin": 409,
        },
        method="post",
        data={"reason": "duplicate"},
    )
    assert_role_matrix(
        client_as,
        reverse("deals:approve", args=[deal_a.pk]),
        {
            "anonymous": LOGIN,
            **PARTNERS_404,
            "manager_owner": 302,
            "manager_other": 409,
            "vendor_admin": 409,
        },
        method="post",
        data={"note": ""},
    )
    deal_a.refresh_from_db()
    assert deal_a.status == DealStatus.APPROVED


def test_outcomes_and_extensions_are_for_the_deals_partner(client_as, world, deal_a):
    services.deal_approve(deal=deal_a, actor=world.users["manager_owner"])
    assert_role_matrix(
        client_as,
        reverse("deals:extension", args=[deal_a.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 302, "partner_b_admin": 404}
        | STAFF_404,
        method="post",
        data={"days": "10", "reason": "Customer board moved"},
    )
    extension = deal_a.extension_requests.get()
    assert_role_matrix(
        client_as,
        reverse("deals:extension_decide", args=[deal_a.pk, extension.pk]),
        {
            "anonymous": LOGIN,
            **PARTNERS_404,
            "manager_owner": 302,
            "manager_other": 302,
            "vendor_admin": 302,
        },
        method="post",
        data={"decision": "grant"},
    )
    assert_role_matrix(
        client_as,
        reverse("deals:lost", args=[deal_a.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 302, "partner_b_admin": 404}
        | STAFF_404,
        method="post",
        data={"reason": "Went with a competitor"},
    )
    deal_a.refresh_from_db()
    assert deal_a.status == DealStatus.LOST


def test_changing_ids_never_reaches_another_partners_deal(client_as, world):
    b_deal = make_deal(
        user=world.users["partner_b_admin"], submit=True, customer_domain="b.example"
    )
    services.deal_approve(deal=b_deal, actor=world.users["manager_other"])
    client = client_as("partner_a_admin")
    for name, data in [
        ("deals:detail", None),
        ("deals:edit", None),
        ("deals:won", {"final_amount": "1"}),
        ("deals:lost", {"reason": "x"}),
        ("deals:extension", {"days": "5", "reason": "x"}),
        ("deals:submit", {}),
    ]:
        url = reverse(name, args=[b_deal.pk])
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, name
    ext = services.deal_extension_request(
        deal=b_deal, actor=world.users["partner_b_admin"], days=5, reason="x"
    )
    # an extension id under another deal's URL is a 404 too
    a_deal = make_deal(user=world.users["partner_a_user"], submit=True)
    response = client_as("manager_owner").post(
        reverse("deals:extension_decide", args=[a_deal.pk, ext.pk]), {"decision": "grant"}
    )
    assert response.status_code == 404
    b_deal.refresh_from_db()
    assert b_deal.status == DealStatus.APPROVED and b_deal.final_amount is None


def test_partner_a_deal_data_never_appears_in_partner_b_pages_or_exports(client_as, world):
    sentinel = "SENTINEL-DEAL-9c1e"
    deal = make_deal(
        user=world.users["partner_a_user"],
        submit=True,
        customer_name=sentinel,
        contact_email="sentinel@customer.example",
        notes=sentinel,
    )
    services.deal_approve(deal=deal, actor=world.users["manager_owner"])
    services.deal_mark_won(
        deal=deal, actor=world.users["partner_a_user"], final_amount=Decimal("7")
    )
    client = client_as("partner_b_admin")
    for url in [
        reverse("deals:list"),
        reverse("deals:create"),
        reverse("partners:home"),
    ]:
        body = client.get(url).content.decode()
        assert sentinel not in body and "sentinel@customer.example" not in body, url
    searched = client.get(reverse("deals:list"), {"q": sentinel}).content.decode()
    assert "No deals match" in searched and "sentinel@customer.example" not in searched
    export = b"".join(client.get(reverse("deals:export")).streaming_content).decode()
    assert sentinel not in export
    assert client.get(reverse("deals:detail", args=[deal.pk])).status_code == 404
    assert Deal.objects.filter(customer_name=sentinel).count() == 1


def test_marking_won_is_for_the_deals_partner(client_as, world):
    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    services.deal_approve(deal=deal, actor=world.users["manager_owner"])
    assert_role_matrix(
        client_as,
        reverse("deals:won", args=[deal.pk]),
        # the admin wins it; the user's second attempt is refused with a message (302 back)
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 302, "partner_b_admin": 404}
        | STAFF_404,
        method="post",
        data={"final_amount": "1000.00"},
    )
    deal.refresh_from_db()
    assert deal.status == DealStatus.WON and deal.final_amount == Decimal("1000.00")
    assert deal.transitions.get(to_status="won").actor == world.users["partner_a_admin"]
