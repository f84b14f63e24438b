"""A partner can withdraw or edit a fund request until it is decided (issue 16, item 26)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from events.models import Event
from incentives import services
from incentives.choices import MdfStatus
from incentives.tests.factories import activity, mdf_request

pytestmark = pytest.mark.django_db


def test_a_partner_admin_withdraws_a_pending_request(world):
    request = mdf_request(world=world)
    request = services.mdf_request_withdraw(request=request, actor=world.users["partner_a_admin"])
    assert request.status == MdfStatus.WITHDRAWN
    assert Event.objects.filter(kind="mdf.withdrawn", subject_id=str(request.pk)).count() == 1


@pytest.mark.parametrize("decided", ["approve", "reject"])
def test_a_decided_request_cannot_be_withdrawn_or_edited(world, decided):
    request = mdf_request(world=world)
    manager = world.users["manager_owner"]
    if decided == "approve":
        services.mdf_request_approve(request=request, actor=manager)
    else:
        services.mdf_request_reject(request=request, actor=manager, reason="Not this quarter")
    admin = world.users["partner_a_admin"]
    with pytest.raises(services.MdfError):
        services.mdf_request_withdraw(request=request, actor=admin)
    with pytest.raises(services.MdfError):
        services.mdf_request_update(request=request, actor=admin, activity=activity("10.00"))
    request.refresh_from_db()
    assert request.status != MdfStatus.WITHDRAWN and request.requested_amount == Decimal("1000")


def test_a_withdrawn_request_cannot_be_approved(world):
    request = mdf_request(world=world)
    services.mdf_request_withdraw(request=request, actor=world.users["partner_a_admin"])
    with pytest.raises(services.MdfError):
        services.mdf_request_approve(request=request, actor=world.users["manager_owner"])


def test_only_the_partners_admins_withdraw_or_edit(world):
    request = mdf_request(world=world)
    for persona in ("partner_a_user", "partner_b_admin", "manager_owner"):
        with pytest.raises(services.MdfError):
            services.mdf_request_withdraw(request=request, actor=world.users[persona])
        with pytest.raises(services.MdfError):
            services.mdf_request_update(
                request=request, actor=world.users[persona], activity=activity("10.00")
            )
    request.refresh_from_db()
    assert request.status == MdfStatus.REQUESTED


def test_a_partner_admin_edits_a_pending_request_within_the_allocation(world):
    request = mdf_request(world=world)
    admin = world.users["partner_a_admin"]
    updated = services.mdf_request_update(
        request=request, actor=admin, activity=activity("1500.00", title="Roadshow")
    )
    assert (updated.title, updated.requested_amount) == ("Roadshow", Decimal("1500.00"))
    assert Event.objects.filter(kind="mdf.updated", subject_id=str(request.pk)).count() == 1
    with pytest.raises(services.MdfError):
        services.mdf_request_update(request=request, actor=admin, activity=activity("99999.00"))
    request.refresh_from_db()
    assert request.requested_amount == Decimal("1500.00")


def test_withdraw_and_edit_pages(client_as, world):
    request = mdf_request(world=world)
    client = client_as("partner_a_admin")
    detail = client.get(reverse("incentives:mdf_detail", args=[request.pk])).content.decode()
    assert reverse("incentives:mdf_edit", args=[request.pk]) in detail
    assert reverse("incentives:mdf_withdraw", args=[request.pk]) in detail
    edit = reverse("incentives:mdf_edit", args=[request.pk])
    assert client.get(edit).status_code == 200
    data = {
        "title": "Roadshow",
        "description": "Five cities.",
        "starts_on": request.activity_starts_on.isoformat(),
        "ends_on": request.activity_ends_on.isoformat(),
        "amount": "1200.00",
    }
    assert client.post(edit, data | {"amount": "-1"}).status_code == 400
    assert client.post(edit, data).status_code == 302
    request.refresh_from_db()
    assert (request.title, request.requested_amount) == ("Roadshow", Decimal("1200.00"))
    response = client.post(reverse("incentives:mdf_withdraw", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == MdfStatus.WITHDRAWN
    detail = client.get(reverse("incentives:mdf_detail", args=[request.pk])).content.decode()
    assert reverse("incentives:mdf_withdraw", args=[request.pk]) not in detail
    # Too late now: a clear message, nothing changes.
    again = client.post(reverse("incentives:mdf_withdraw", args=[request.pk]), follow=True)
    assert "cannot" in again.content.decode()
    assert client.post(edit, data).status_code == 400


def test_opening_the_claim_address_directly_leads_to_the_request_page(client_as, world):
    request = mdf_request(world=world, approve=True)
    response = client_as("partner_a_admin").get(reverse("incentives:mdf_claim", args=[request.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("incentives:mdf_detail", args=[request.pk])


def test_the_api_withdraws_for_the_partners_admin_only(world):
    from tests.api.helpers import token_client_as

    request = mdf_request(world=world)
    url = f"/api/v1/mdf-requests/{request.pk}/withdraw/"
    make = token_client_as(world)
    expected = {
        "partner_a_user": 404,
        "partner_b_admin": 404,
        "manager_owner": 403,
        "vendor_admin": 403,
    }
    for persona, status in expected.items():
        client, headers = make(persona)
        assert client.post(url, **headers).status_code == status, persona
    client, headers = make("partner_a_admin")
    response = client.post(url, **headers)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = client.post(url, **headers)
    assert again.status_code == 409 and "detail" in again.json()
