"""Every incentive page as every persona (tests/roles.py), bad input, and bounded query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from events.services import record_event
from events.tests.payloads import payload
from incentives import services
from incentives.choices import MdfStatus
from incentives.models import MdfRequest, PartnerScore
from incentives.tests.factories import allocation, mdf_request, proof_pdf, rule
from partners.tests.factories import MembershipFactory, PartnerFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

STAFF_404 = {"manager_owner": 404, "manager_other": 404, "vendor_admin": 404}
PARTNERS_404 = {"partner_a_admin": 404, "partner_a_user": 404, "partner_b_admin": 404}
STAFF_200 = {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200}


def test_partner_fund_pages_are_for_partner_admins(client_as, world):
    for name in ("incentives:mdf_list", "incentives:mdf_create"):
        assert_role_matrix(
            client_as,
            reverse(name),
            {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 404}
            | {"partner_b_admin": 200}
            | STAFF_404,
        )


def test_a_fund_request_page_is_only_for_its_partners_admins(client_as, world):
    request = mdf_request(world=world)
    assert_role_matrix(
        client_as,
        reverse("incentives:mdf_detail", args=[request.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 200}
        | PARTNERS_404
        | STAFF_404
        | {"partner_a_admin": 200},
    )


def test_claiming_is_only_for_the_requests_partner_admins(client_as, world):
    request = mdf_request(world=world, approve=True)
    assert_role_matrix(
        client_as,
        reverse("incentives:mdf_claim", args=[request.pk]),
        # partner A's admin sends no file: the form answers 400 and nothing changes
        {"anonymous": LOGIN} | PARTNERS_404 | STAFF_404 | {"partner_a_admin": 400},
        method="post",
        data={"amount": "10"},
    )
    request.refresh_from_db()
    assert request.status == MdfStatus.APPROVED


def test_the_proof_is_downloadable_by_its_partners_admins_and_vendor_staff(client_as, world):
    request = mdf_request(world=world, claim=True)
    url = reverse("incentives:mdf_proof", args=[request.pk])
    assert_role_matrix(
        client_as,
        url,
        {"anonymous": LOGIN} | PARTNERS_404 | STAFF_200 | {"partner_a_admin": 200},
    )
    response = client_as("manager_owner").get(url)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_manager_fund_pages_are_for_vendor_staff(client_as, world):
    request = mdf_request(world=world)
    for url in (
        reverse("incentives:manager_mdf"),
        reverse("incentives:manager_mdf_detail", args=[request.pk]),
        reverse("incentives:allocation_create"),
        reverse("incentives:manager_leaderboard"),
        reverse("incentives:rules"),
    ):
        assert_role_matrix(client_as, url, {"anonymous": LOGIN} | PARTNERS_404 | STAFF_200)


@pytest.mark.parametrize(
    ("name", "status", "data", "after"),
    [
        ("incentives:mdf_approve", "requested", {"amount": "", "note": "ok"}, MdfStatus.APPROVED),
        ("incentives:mdf_reject", "requested", {"reason": "Off-strategy"}, MdfStatus.REJECTED),
        ("incentives:mdf_claim_approve", "claimed", {"note": ""}, MdfStatus.PAID),
        ("incentives:mdf_claim_reject", "claimed", {"reason": "Blurry"}, MdfStatus.CLAIM_REJECTED),
    ],
)
def test_decisions_are_for_the_owning_manager_or_a_vendor_admin(
    client_as, world, name, status, data, after
):
    request = mdf_request(world=world, claim=status == "claimed")
    assert_role_matrix(
        client_as,
        reverse(name, args=[request.pk]),
        {"anonymous": LOGIN}
        | PARTNERS_404
        # the owner decides; the other manager is refused; the vendor admin then finds it decided
        | {"manager_owner": 302, "manager_other": 403, "vendor_admin": 302},
        method="post",
        data=data,
    )
    request.refresh_from_db()
    assert request.status == after
    assert request.decided_by == world.users["manager_owner"] or (
        request.claim_decided_by == world.users["manager_owner"]
    )


def test_points_page_is_for_partner_members_and_opt_out_for_partner_admins(client_as, world):
    assert_role_matrix(
        client_as,
        reverse("incentives:points"),
        {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 200}
        | {"partner_b_admin": 200}
        | STAFF_404,
    )
    assert_role_matrix(
        client_as,
        reverse("incentives:leaderboard_opt_out"),
        {"anonymous": LOGIN, "partner_a_admin": 302, "partner_a_user": 404}
        | {"partner_b_admin": 302}
        | STAFF_404,
        method="post",
        data={"opt_out": "1"},
    )
    assert PartnerScore.objects.get(partner=world.partner_a).leaderboard_opt_out


def test_a_request_through_the_form_and_bad_input_keeps_what_was_typed(client_as, world):
    allocation(partner=world.partner_a, actor=world.users["manager_owner"], amount="500")
    client = client_as("partner_a_admin")
    data = {
        "title": "Roadshow",
        "description": "Four cities.",
        "starts_on": "2030-01-10",
        "ends_on": "2030-01-01",
        "amount": "400",
    }
    response = client.post(reverse("incentives:mdf_create"), data)
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    assert "Four cities." in response.content.decode()
    response = client.post(
        reverse("incentives:mdf_create"), data | {"amount": "600", "ends_on": "2030-02-01"}
    )
    assert response.status_code == 400 and "left in your" in response.content.decode()
    response = client.post(reverse("incentives:mdf_create"), data | {"ends_on": "2030-02-01"})
    assert response.status_code == 302
    assert MdfRequest.objects.get().requested_amount == Decimal("400")


def test_a_claim_through_the_form_with_a_bad_file_is_refused_with_the_reason(client_as, world):
    request = mdf_request(world=world, approve=True)
    client = client_as("partner_a_admin")
    url = reverse("incentives:mdf_claim", args=[request.pk])
    bad = proof_pdf("payload.svg", b"<svg onload=alert(1)>")
    response = client.post(url, {"amount": "100", "proof": bad})
    assert response.status_code == 400 and "not accepted" in response.content.decode()
    response = client.post(url, {"amount": "100", "proof": proof_pdf()})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == MdfStatus.CLAIMED and request.claimed_amount == Decimal("100")


def test_fund_lists_use_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    allocation(partner=world.partner_a, actor=world.users["manager_owner"], amount="100000")
    for i in range(30):
        mdf_request(world=world, amount="10", title=f"Activity {i}", approve=i % 2 == 0)
    others = []
    for _ in range(5):
        partner = PartnerFactory(
            program=world.partner_a.program,
            tier=world.partner_a.tier,
            owner=world.users["manager_owner"],
        )
        admin = MembershipFactory(partner=partner, role="admin").user
        allocation(partner=partner, actor=world.users["manager_owner"])
        others.append(
            services.mdf_request_create(
                partner=partner,
                actor=admin,
                activity=services.Activity("Ads", "Search ads", *_dates(), Decimal("5")),
            )
        )
    partner_admin, manager = client_as("partner_a_admin"), client_as("manager_owner")
    with django_assert_max_num_queries(12):
        assert partner_admin.get(reverse("incentives:mdf_list")).status_code == 200
    with django_assert_max_num_queries(14):
        response = manager.get(reverse("incentives:manager_mdf"))
    assert response.status_code == 200 and "Activity 29" in response.content.decode()


def _dates():
    from django.utils import timezone

    today = timezone.localdate()
    return today, today


def test_points_and_leaderboard_pages_use_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    from incentives.tests.factories import badge

    rule(kind="deal.won", points=10)
    rule(kind="deal.won", points=0, badge=badge("closer", "Closer"), name="Closer badge")
    admin = world.users["partner_a_admin"]
    for i in range(30):
        record_event(
            kind="deal.won", key=f"won-{i}", user=admin, properties=payload("deal.won", {"deal": i})
        )
    for i in range(20):
        partner = PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier)
        record_event(
            kind="deal.won", key=f"other-{i}", partner=partner, properties=payload("deal.won")
        )
    partner_user, manager, vendor = (
        client_as("partner_a_user"),
        client_as("manager_other"),
        client_as("vendor_admin"),
    )
    # +1 on a cold cache: the program's default language (partners.middleware; issue 23)
    with django_assert_max_num_queries(15):
        response = partner_user.get(reverse("incentives:points"))
    body = response.content.decode()
    assert "300 points" in body and "Closer" in body and "Rank #1" in body
    with django_assert_max_num_queries(10):
        response = manager.get(reverse("incentives:manager_leaderboard"))
    assert "Alpha Systems" in response.content.decode()
    with django_assert_max_num_queries(10):
        assert vendor.get(reverse("incentives:rules")).status_code == 200
