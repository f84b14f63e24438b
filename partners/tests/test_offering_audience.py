"""Offering audience (issue 16): vendor staff set it in the admin; the selectors apply the course
rule (empty: everyone; a partner must match both the programs and the types)."""

import pytest
from django.urls import reverse

from partners.models import Offering
from partners.selectors import offering_audiences, offering_list_for_partner
from partners.tests.factories import OfferingFactory, PartnerTypeFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_vendor_admin_sets_an_offerings_audience_in_the_admin(client_as, world):
    services = ProgramFactory(slug="services", name="Services")
    integrator = PartnerTypeFactory(slug="integrator", name="Integrator")
    page = client_as("vendor_admin").get(reverse("admin:partners_offering_add"))
    assert page.status_code == 200
    assert 'name="programs"' in page.content.decode()
    assert 'name="partner_types"' in page.content.decode()
    response = client_as("vendor_admin").post(
        reverse("admin:partners_offering_add"),
        {
            "name": "Services Pack",
            "slug": "services-pack",
            "kind": "service",
            "launched_on": "2026-01-01",
            "is_active": "on",
            "programs": [str(services.pk)],
            "partner_types": [str(integrator.pk)],
        },
    )
    assert response.status_code == 302, response.content
    offering = Offering.objects.get(slug="services-pack")
    audience = offering_audiences([offering])[offering.pk]
    assert (audience.programs, audience.partner_types) == ({services.pk}, {integrator.pk})


def test_offering_list_for_partner_applies_programs_and_types_and_empty_means_everyone(world):
    a = world.partner_a  # program "global", type reseller
    everyone = OfferingFactory(slug="everyone")
    own_program = OfferingFactory(slug="own-program")
    own_program.programs.set([a.program])
    other_program = OfferingFactory(slug="other-program")
    other_program.programs.set([ProgramFactory(slug="other")])
    own_type_other_program = OfferingFactory(slug="own-type-other-program")
    own_type_other_program.programs.set([ProgramFactory(slug="other")])
    own_type_other_program.partner_types.set([a.partner_type])
    other_type = OfferingFactory(slug="other-type")
    other_type.partner_types.set([PartnerTypeFactory(slug="integrator", name="Integrator")])
    OfferingFactory(slug="retired", is_active=False)
    assert sorted(o.slug for o in offering_list_for_partner(partner=a)) == [
        everyone.slug,
        own_program.slug,
    ]
