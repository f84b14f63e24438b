"""Offering audience (issue 16): a partner registers deals only for the offerings meant for its
program and partner type, on every path (the portal form's choices, the service, the API)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from deals.models import Deal
from deals.services import DealError, Line
from deals.tests.factories import make_deal, offering
from deals.tests.test_views import form_data
from partners.tests.factories import PartnerTypeFactory, ProgramFactory
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_programs_offering(world):
    """An offering meant only for another program (partner A is in "Global")."""
    item = offering("services-pack", name="Services Pack")
    item.programs.set([ProgramFactory(slug="services", name="Services")])
    return item


def test_the_deal_form_offers_only_offerings_meant_for_the_partners_program(
    client_as, world, other_programs_offering
):
    everyone = offering("cloud-suite", name="Cloud Suite")
    page = client_as("partner_a_user").get(reverse("deals:create"))
    choices = page.context["formset"].forms[0].fields["offering"].queryset
    assert list(choices) == [everyone]
    assert "Services Pack" not in page.content.decode()


def test_a_partner_cannot_register_a_deal_for_an_offering_meant_for_another_program(
    client_as, world, other_programs_offering
):
    response = client_as("partner_a_user").post(
        reverse("deals:create"), form_data(**{"lines-0-offering": str(other_programs_offering.pk)})
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Deal.objects.exists()


def test_the_deal_service_refuses_an_offering_of_another_partner_type(world):
    item = offering("integration-kit", name="Integration Kit")
    item.partner_types.set([PartnerTypeFactory(slug="integrator", name="Integrator")])
    line = Line(offering=item, quantity=1, unit_amount=Decimal("10.00"))
    with pytest.raises(DealError, match="Integration Kit is not offered to your partner program"):
        make_deal(user=world.users["partner_a_user"], lines=[line])
    assert not Deal.objects.exists()
    item.partner_types.add(world.partner_a.partner_type)  # now meant for A's type too
    assert make_deal(user=world.users["partner_a_user"], lines=[line]).amount == Decimal("10.00")


def test_the_deals_api_refuses_an_offering_meant_for_another_program_with_a_400(
    client, world, other_programs_offering
):
    headers = bearer(token_for(world.users["partner_a_admin"]))
    body = {
        "customer_name": "Initech",
        "lines": [{"offering": "services-pack", "quantity": 1, "unit_amount": "10.00"}],
    }
    response = client.post("/api/v1/deals/", body, content_type="application/json", **headers)
    assert response.status_code == 400, response.content
    assert "not offered to your partner program" in response.content.decode()
    assert not Deal.objects.exists()
