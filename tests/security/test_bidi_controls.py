"""Bidirectional-text controls (U+202E RIGHT-TO-LEFT OVERRIDE and friends) cannot disguise a
name: every name and identifier is stored without them, whichever way it came in (pages, API,
services), and free text keeps no control that reorders letters (kernel/text.py)."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import pre_save
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from customers.models import CustomerAccount
from deals.models import Deal
from deals.tests.test_views import form_data as deal_form
from kernel.text import MARKS, REORDERING, clean_free_text, clean_name
from onboarding.models import PartnerApplication
from onboarding.tests.test_views import form_data as application_form
from partners.models import Partner, Program
from partners.tests.factories import PartnerFactory, ProgramFactory
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db

RLO, PDF, LRI, PDI, RLM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f"
# Shown as "evil Corp" in a left-to-right page, though the letters stored are "live".
SPOOF = f"{RLO}live{PDF} Corp"
CONTROLS = set(REORDERING + MARKS)


def has_controls(text: str) -> bool:
    return bool(CONTROLS & set(text))


def test_names_lose_every_bidi_control_and_free_text_every_reordering_one():
    assert clean_name(f"{RLO}live{PDF} {LRI}Corp{PDI}{RLM}") == "live Corp"
    assert clean_free_text(f"{RLO}live{PDF} ok{RLM}\n{LRI}x{PDI}") == f"live ok{RLM}\nx"
    assert set(REORDERING) == {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    assert set(MARKS) == {"\u200e", "\u200f", "\u061c"}


def test_a_deal_registered_from_the_page_is_stored_and_listed_without_bidi_controls(client_as):
    client = client_as("partner_a_user")
    notes = f"Call {RLO}back{PDF} next week {RLM}"
    response = client.post(
        reverse("deals:create"),
        deal_form(customer_name=SPOOF, contact_name=f"{LRI}Alice{PDI}", notes=notes),
    )
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.customer_name, deal.contact_name) == ("live Corp", "Alice")
    assert deal.notes == f"Call back next week {RLM}"
    for url in (reverse("deals:list"), reverse("deals:detail", args=[deal.pk])):
        page = client.get(url).content.decode()
        assert "live Corp" in page and RLO not in page and LRI not in page


def test_a_deal_registered_through_the_api_is_stored_and_answered_without_bidi_controls(
    client, world
):
    from tests.api.test_api_deals import full_body

    headers = bearer(token_for(world.users["partner_a_admin"]))
    body = full_body() | {"customer_name": SPOOF, "notes": f"{RLO}txet{PDF}"}
    created = client.post("/api/v1/deals/", body, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    assert (created.json()["customer_name"], created.json()["notes"]) == ("live Corp", "txet")
    listed = client.get("/api/v1/deals/", **headers).content.decode()
    assert "live Corp" in listed and RLO not in listed and "\\u202e" not in listed
    assert Deal.objects.get().customer_name == "live Corp"


@override_settings(PRM_APPLICATION_MIN_FILL_SECONDS=0)
def test_a_partner_application_from_the_public_page_keeps_no_bidi_controls(client, client_as):
    response = client.post(
        reverse("onboarding:apply"),
        application_form(company_name=SPOOF, contact_name=f"Nia{RLM}", sells=f"{RLO}duolC"),
    )
    assert response.status_code == 302
    application = PartnerApplication.objects.get()
    assert (application.company_name, application.contact_name) == ("live Corp", "Nia")
    page = client_as("vendor_admin").get(reverse("onboarding:applications")).content.decode()
    assert "live Corp" in page and RLO not in page


def test_a_customer_account_created_through_the_api_keeps_no_bidi_controls(client, world):
    headers = bearer(token_for(world.users["vendor_admin"]))
    body = {"partner": world.partner_a.pk, "external_id": f"NEW{RLO}-1", "name": SPOOF}
    created = client.post(
        "/api/v1/customer-accounts/", body, content_type="application/json", **headers
    )
    assert created.status_code == 201, created.content
    assert (created.json()["name"], created.json()["external_id"]) == ("live Corp", "NEW-1")
    account = CustomerAccount.objects.get(external_id="NEW-1")
    assert account.name == "live Corp"


def test_names_saved_by_any_service_or_factory_keep_no_bidi_controls():
    program = ProgramFactory(name=SPOOF)
    partner = PartnerFactory(name=f"{LRI}Acme{PDI}", program=program)
    user = User.objects.create_user(email=f"a{RLM}@x.example", password="x", full_name=SPOOF)
    program.refresh_from_db(), partner.refresh_from_db(), user.refresh_from_db()
    assert (program.name, partner.name, user.full_name, user.email) == (
        "live Corp",
        "Acme",
        "live Corp",
        "a@x.example",
    )
    assert Program.objects.filter(name="live Corp").exists()
    assert Partner.objects.filter(name="Acme").exists()


def test_every_text_field_of_every_model_is_normalised_on_save():
    """Model-wide, not a list of fields to keep up to date: saving any model (project or
    third-party) cleans its every CharField (names, identifiers) and TextField (free text)."""
    checked = 0
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        instance = model()
        for field in fields:
            setattr(instance, field.attname, f"a{RLO}b{LRI}c")
        pre_save.send(
            sender=model, instance=instance, raw=False, using="default", update_fields=None
        )
        for field in fields:
            assert getattr(instance, field.attname) == "abc", (model, field.name)
            checked += 1
    assert checked > 100


def test_a_required_name_made_only_of_controls_is_not_stored_empty(client, world):
    from tests.api.test_api_deals import full_body

    headers = bearer(token_for(world.users["partner_a_admin"]))
    body = full_body() | {"customer_name": f"{RLO}{RLM}", "notes": RLO}
    created = client.post("/api/v1/deals/", body, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    deal = Deal.objects.get()
    assert (deal.customer_name, deal.notes) == ("\ufffd\ufffd", "")
    assert created.json()["customer_name"] == "\ufffd\ufffd"
