from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals import services
from deals.services import Line
from partners.models import Offering
from partners.tests.factories import OfferingFactory


def offering(slug="cloud-suite", name=None) -> Offering:
    existing = Offering.objects.filter(slug=slug).first()
    return existing or OfferingFactory(slug=slug, name=name or slug.replace("-", " ").title())


def details(**overrides) -> dict:
    data = {
        "customer_name": "Globex Corporation",
        "customer_domain": "globex.example",
        "customer_country": "DE",
        "contact_name": "Hank Scorpio",
        "contact_email": "hank@globex.example",
        "contact_phone": "",
        "currency": "EUR",
        "expected_close_date": timezone.localdate() + timedelta(days=30),
        "stage": "qualified",
        "notes": "",
    }
    data.update(overrides)
    return data


def make_deal(*, user, submit=False, lines=None, shared_with=(), **overrides):
    """A deal registered by ``user`` (a partner member) through the real services."""
    lines = (
        lines
        if lines is not None
        else [Line(offering=offering(), quantity=10, unit_amount=Decimal("123.45"))]
    )
    deal = services.deal_create(
        partner=user.membership.partner,
        created_by=user,
        details=details(**overrides),
        lines=lines,
        shared_with=shared_with,
    )
    if submit:
        deal = services.deal_submit(deal=deal, actor=user)
    return deal
