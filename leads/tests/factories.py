"""Leads built through the real services, for tests of every floor."""

from django.utils import timezone

from leads import services
from leads.models import RoutingRule
from partners.choices import PartnerStatus, Region


def activate(*partners) -> None:
    for p in partners:
        p.status = PartnerStatus.ACTIVE
        p.activated_at = p.activated_at or timezone.now()
        p.save(update_fields=["status", "activated_at"])


def catch_all_rule(program, **kw) -> RoutingRule:
    values = {"name": "Everyone in the region", "position": 10} | kw
    return RoutingRule.objects.create(program=program, **values)


def make_lead(*, actor, program, route=True, **overrides):
    data = {
        "program": program,
        "company": "Initech",
        "domain": "initech.example",
        "country": "DE",
        "region": Region.EMEA,
        "contact_name": "Bill Lumbergh",
        "contact_email": "bill@initech.example",
        "source": "website",
    } | overrides
    lead, _created = services.lead_create(actor=actor, route=route, **data)
    return lead
