"""Offering audience (issue 16): an offering meant for some programs or partner types counts only
the partners of those as eligible to adopt it, in the table, the curve and a partner's list, on
both the spans summary and the raw-usage path."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from events.services import record_events
from metrics.definitions import offering_adoption, offering_adoption_curve, partner_offerings
from metrics.models import OfferingAdoptionRule
from metrics.tests.helpers import event, roll
from partners.choices import PartnerStatus
from partners.tests.factories import (
    OfferingFactory,
    PartnerFactory,
    PartnerTypeFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def two_programs():
    """Three active partners in the Cloud program (two resellers, one integrator), two in the
    Services program; every one of them used every offering this month."""
    cloud, services = ProgramFactory(slug="cloud"), ProgramFactory(slug="services")
    reseller = PartnerTypeFactory(slug="reseller", name="Reseller")
    integrator = PartnerTypeFactory(slug="integrator", name="Integrator")
    joined = NOW - timedelta(days=200)

    def partner(program, partner_type):
        return PartnerFactory(
            program=program,
            partner_type=partner_type,
            tier=None,
            status=PartnerStatus.ACTIVE,
            joined_at=joined,
            activated_at=joined + timedelta(days=10),
        )

    partners = {
        "cloud_reseller_1": partner(cloud, reseller),
        "cloud_reseller_2": partner(cloud, reseller),
        "cloud_integrator": partner(cloud, integrator),
        "services_reseller": partner(services, reseller),
        "services_integrator": partner(services, integrator),
    }
    launched = TODAY - timedelta(days=100)
    OfferingFactory(slug="everyone", name="Everyone", launched_on=launched)
    cloud_only = OfferingFactory(slug="cloud-only", name="Cloud only", launched_on=launched)
    cloud_only.programs.set([cloud])
    resellers = OfferingFactory(slug="resellers", name="Resellers", launched_on=launched)
    resellers.partner_types.set([reseller])
    cloud_resellers = OfferingFactory(
        slug="cloud-resellers", name="Cloud resellers", launched_on=launched
    )
    cloud_resellers.programs.set([cloud])
    cloud_resellers.partner_types.set([reseller])
    record_events(
        event(
            "offering.used",
            f"{name}:{slug}",
            partner=p,
            day=TODAY - timedelta(days=3),
            properties={"offering": slug},
        )
        for name, p in partners.items()
        for slug in ("everyone", "cloud-only", "resellers", "cloud-resellers")
    )
    roll()
    return {"cloud": cloud, "services": services, "reseller": reseller, **partners}


def _table(**filters) -> dict[str, tuple[int, int]]:
    return {r.offering.slug: (r.eligible, r.adopted) for r in offering_adoption(**filters)}


EXPECTED = {
    "everyone": (5, 5),
    "cloud-only": (3, 3),
    "resellers": (3, 3),
    "cloud-resellers": (2, 2),
}


def test_an_offering_for_one_program_counts_only_that_programs_partners_as_eligible(
    two_programs,
):
    assert _table() == EXPECTED
    (cloud_only,) = [r for r in offering_adoption() if r.offering.slug == "cloud-only"]
    assert cloud_only.share == 100.0  # 3 of 3, not 3 of 5 (60%) nor 5 of 5 outsiders included


def test_offering_audience_applies_when_adoption_is_computed_from_raw_usage(two_programs):
    """A rule edited since the spans were computed: the raw-usage path filters the same way."""
    from partners.models import Offering

    for offering in Offering.objects.all():
        OfferingAdoptionRule.objects.create(
            offering=offering, description="Used", kinds=["offering.used"], window_days=30
        )
    assert _table() == EXPECTED


def test_offering_audience_combines_with_the_dashboard_filters(two_programs):
    services = two_programs["services"]
    assert _table(program=services) == {
        "everyone": (2, 2),
        "cloud-only": (0, 0),
        "resellers": (1, 1),
        "cloud-resellers": (0, 0),
    }
    (row,) = [r for r in offering_adoption(program=services) if r.offering.slug == "cloud-only"]
    assert row.share is None


def test_offering_curve_counts_only_the_audience(two_programs):
    from partners.models import Offering

    for slug, (eligible, adopted) in EXPECTED.items():
        curve = offering_adoption_curve(offering=Offering.objects.get(slug=slug), step_days=30)
        assert (curve[-1].eligible, curve[-1].adopted) == (eligible, adopted), slug
    # The raw-usage path of the curve too.
    cloud_only = Offering.objects.get(slug="cloud-only")
    OfferingAdoptionRule.objects.create(
        offering=cloud_only, description="Used", kinds=["offering.used"], window_days=30
    )
    curve = offering_adoption_curve(offering=cloud_only, step_days=30)
    assert (curve[-1].eligible, curve[-1].adopted) == (3, 3)


def test_a_partner_outside_an_offerings_audience_does_not_see_it_in_its_offerings(two_programs):
    listed = {
        name: sorted(o.offering.slug for o in partner_offerings(partner_id=two_programs[name].pk))
        for name in ("cloud_reseller_1", "cloud_integrator", "services_reseller")
    }
    assert listed == {
        "cloud_reseller_1": ["cloud-only", "cloud-resellers", "everyone", "resellers"],
        "cloud_integrator": ["cloud-only", "everyone"],
        "services_reseller": ["everyone", "resellers"],
    }
