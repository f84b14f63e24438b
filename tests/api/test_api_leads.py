"""Leads over the API: vendor staff tokens create (routed at once, idempotent by the client's
external id) and read leads with their offers and why; partner tokens see none and may not
create; bad input is a JSON 400 with the reason per field and nothing saved."""

import pytest

from leads.models import Lead
from leads.tests.factories import activate, catch_all_rule, make_lead
from partners.tests.factories import OfferingFactory
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/"


def body(world, **kw) -> dict:
    return {
        "external_id": "crm-42", "program": world.partner_a.program.pk, "company": "Initech",
        "domain": "initech.example", "country": "DE", "region": "emea",
        "contact_email": "bill@initech.example", "offerings": ["cloud"], "source": "campaign",
    } | kw  # fmt: skip


@pytest.fixture
def staff(world):
    activate(world.partner_a)
    catch_all_rule(world.partner_a.program)
    OfferingFactory(slug="cloud", name="Cloud")
    return bearer(token_for(world.users["manager_owner"]))


def test_staff_create_a_lead_once_per_external_id(world, client, staff):
    first = client.post(URL, body(world), content_type="application/json", **staff)
    assert first.status_code == 201, first.content
    data = first.json()
    assert (data["status"], data["offerings"], data["region"]) == ("offered", ["cloud"], "emea")
    assert data["offers"][0]["partner"] == world.partner_a.pk
    assert data["offers"][0]["why"]["rule_name"] == "Everyone in the region"
    again = client.post(
        URL, body(world, company="Renamed"), content_type="application/json", **staff
    )
    assert (again.status_code, again.json()["id"], again.json()["company"]) == (
        200, data["id"], "Initech",
    )  # fmt: skip
    assert Lead.objects.count() == 1
    assert client.get(f"{URL}{data['id']}/", **staff).json()["external_id"] == "crm-42"
    listed = client.get(URL, {"external_id": "crm-42"}, **staff).json()["results"]
    assert [row["id"] for row in listed] == [data["id"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [("region", "mars"), ("program", 999999), ("offerings", ["nope"]), ("external_id", ""),
     ("company", ""), ("contact_email", "not-an-email"), ("country", "XX")],
)  # fmt: skip
def test_bad_input_is_a_json_400_and_saves_nothing(world, client, staff, field, value):
    response = client.post(
        URL, body(world, **{field: value}), content_type="application/json", **staff
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Lead.objects.exists()


def test_partners_see_no_leads_and_may_not_create(world, client, staff):
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    partner = bearer(token_for(world.users["partner_a_admin"]))  # A is even offered the lead
    assert client.get(URL, **partner).json()["results"] == []
    assert client.get(f"{URL}{lead.pk}/", **partner).status_code == 404
    response = client.post(URL, body(world), content_type="application/json", **partner)
    assert response.status_code == 403 and not Lead.objects.filter(external_id="crm-42").exists()
