"""Demo leads (issue 20): routing rules, the answer time, and a dozen vendor leads in every state,
all through the leads services (and deals' for the one converted into a registration), so the
offers carry the routing's real why. Acme Cloud Solutions, the demo partner, gets its share as the
vendor's named account (routed among Acme alone, by the same rules), so its admin's inbox shows a
waiting offer and leads it works on."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals import services as deal_services
from deals.models import Deal, DealTransition
from demo.reference import ACME_DOMAIN
from leads import services
from leads.choices import LeadStatus, Strategy
from leads.models import Lead, LeadSla, RoutingRule
from partners.choices import PartnerStatus, Region
from partners.models import Offering, Partner, PartnerType

ACME_ADMIN, ACME_USER = "partner@acme.example", "user@acme.example"
_H = timedelta(hours=1)


@dataclass(frozen=True)
class DemoLead:
    company: str
    domain: str
    country: str
    region: str
    offerings: tuple[str, ...] = ("cloud-platform",)
    size: str = "medium"
    source: str = "website"
    contact: str = ""
    acme: bool = False
    # what happens next: "" (waiting), accepted, contacted, qualified, lost, converted, declined,
    # expired, new (never routed)
    then: str = ""


LEADS = [
    DemoLead("Northwind Traders", "northwind.example", "US", Region.NORTH_AMERICA, acme=True,
             contact="Nancy Davolio"),
    DemoLead("Contoso Pharmaceuticals", "contoso-pharma.example", "US", Region.NORTH_AMERICA,
             ("cloud-platform", "ai-assistant"), "large", "event", "Ana Trujillo", True, "accepted"),
    DemoLead("Fabrikam Logistics", "fabrikam.example", "CA", Region.NORTH_AMERICA,
             size="medium", source="campaign", contact="Hanna Moos", acme=True, then="contacted"),
    DemoLead("Tailspin Toys", "tailspin.example", "US", Region.NORTH_AMERICA, ("ai-assistant",),
             "small", "referral", "Yang Wang", True, "qualified"),
    DemoLead("Wide World Importers", "wideworld.example", "US", Region.NORTH_AMERICA,
             size="large", source="sales", contact="Pedro Afonso", acme=True, then="converted"),
    DemoLead("Litware Inc.", "litware.example", "US", Region.NORTH_AMERICA, ("managed-services",),
             "small", "website", "Elizabeth Brown", True, "lost"),
    DemoLead("Proseware Health", "proseware.example", "US", Region.NORTH_AMERICA,
             size="enterprise", source="event", contact="Sven Ottlieb", acme=True, then="declined"),
    DemoLead("Adatum Energy", "adatum.example", "DE", Region.EMEA, ("cloud-platform",), "large",
             "campaign", "Maria Anders"),
    DemoLead("Lucerne Publishing", "lucerne.example", "FR", Region.EMEA, ("ai-assistant",),
             "medium", "website", "Laurence Lebihan", then="expired"),
    DemoLead("Margie's Travel", "margies-travel.example", "AU", Region.APAC, size="small",
             source="referral", contact="Liu Wong"),
    DemoLead("Coho Vineyard", "coho-vineyard.example", "BR", Region.LATIN_AMERICA, size="small",
             source="website", contact="Janete Limeira"),  # no LATAM rule: unrouted
    DemoLead("Blue Yonder Airlines", "blueyonder.example", "GB", Region.EMEA, size="enterprise",
             source="sales", contact="Victoria Ashworth", then="new"),
]  # fmt: skip

RULES = [
    # (name, regions, strategy, max open leads)
    ("North America: best match", [Region.NORTH_AMERICA], Strategy.BEST_MATCH, 8),
    ("EMEA and APAC: weighted round-robin", [Region.EMEA, Region.APAC], Strategy.ROUND_ROBIN, 10),
]


def build_leads(*, program, vendor, now) -> int:
    """The demo's leads as of ``now``, once (nothing when the program has leads already): entered
    over the two days before ``now``, every event before it. Returns how many."""
    if Lead.objects.filter(program=program).exists():
        return 0
    if not RoutingRule.objects.filter(program=program).exists():
        resellers = PartnerType.objects.filter(slug__in=["reseller", "service-provider"])
        for position, (name, regions, strategy, cap) in enumerate(RULES, start=1):
            rule = RoutingRule.objects.create(
                program=program, name=name, position=position * 10, regions=regions,
                strategy=strategy, max_open_leads=cap,
            )  # fmt: skip
            if strategy == Strategy.BEST_MATCH:
                rule.partner_types.set(resellers)
    LeadSla.objects.get_or_create(program=program, defaults={"hours": 72})
    acme = Partner.objects.filter(domain=ACME_DOMAIN, status=PartnerStatus.ACTIVE).first()
    people = {m.user.email: m.user for m in acme.memberships.select_related("user")} if acme else {}
    offerings = {o.slug: o for o in Offering.objects.all()}
    for i, spec in enumerate(LEADS):
        # the expired offer's deadline (72 hours) passed an hour before ``now``
        at = now - (timedelta(hours=73) if spec.then == "expired" else timedelta(hours=48 - i))
        first = spec.contact.split(" ")[0]
        lead, _created = services.lead_create(
            actor=vendor, via="form", route=False, now=at, program=program, company=spec.company,
            domain=spec.domain, country=spec.country, region=spec.region,
            contact_name=spec.contact, contact_email=f"{first.lower()}@{spec.domain}",
            offerings=[offerings[s] for s in spec.offerings if s in offerings],
            size=spec.size, source=spec.source, external_id=f"demo-{spec.domain}",
        )  # fmt: skip
        if spec.then == "new":
            continue
        only = [acme.pk] if spec.acme and acme is not None else None
        offer = services.lead_route(lead=lead, actor=vendor, only=only, now=at)
        if offer is None or not spec.then:
            continue
        _play(spec, offer, people, acme, at=at)
    return len(LEADS)


def _play(spec: DemoLead, offer, people: dict, acme, *, at) -> None:
    """Move a routed lead on to the state the demo shows, step by step after ``at``."""
    admin = people.get(ACME_ADMIN) if acme and offer.partner_id == acme.pk else None
    if spec.then == "expired":
        services.offers_expire(now=offer.deadline + timedelta(minutes=1))
        return
    if admin is None:
        return
    if spec.then == "declined":
        services.offer_decline(
            offer=offer, actor=admin, reason="Outside our vertical focus.", now=at + _H
        )
        return
    services.offer_accept(offer=offer, actor=admin, now=at + _H)
    user = people.get(ACME_USER, admin)
    lead = offer.lead
    if spec.then in ("contacted", "qualified", "lost", "converted"):
        services.lead_set_status(
            lead=lead, actor=user, status=LeadStatus.CONTACTED, now=at + 2 * _H
        )
    if spec.then in ("qualified", "converted"):
        services.lead_set_status(
            lead=lead, actor=user, status=LeadStatus.QUALIFIED, now=at + 3 * _H
        )
    if spec.then == "lost":
        services.lead_set_status(
            lead=lead, actor=user, status=LeadStatus.LOST, reason="Chose to build in-house.",
            now=at + 3 * _H,
        )  # fmt: skip
    if spec.then == "converted":
        cloud = Offering.objects.filter(slug="cloud-platform").first()
        deal = deal_services.deal_create(
            partner=acme,
            created_by=user,
            details={
                "customer_name": spec.company,
                "customer_domain": spec.domain,
                "customer_country": spec.country,
                "contact_name": spec.contact,
                "contact_email": f"{spec.contact.split()[0].lower()}@{spec.domain}",
                "currency": "USD",
                "stage": "qualified",
                "expected_close_date": timezone.localdate() + timedelta(days=45),
                "notes": f"From the vendor's lead {spec.company}.",
            },
            lines=[deal_services.Line(offering=cloud, quantity=25, unit_amount=Decimal("480.00"))]
            if cloud
            else [],
        )
        # drafted when the lead was qualified (the demo's history, not the seeding's clock)
        Deal.objects.filter(pk=deal.pk).update(created_at=at + 3 * _H)
        DealTransition.objects.filter(deal=deal).update(at=at + 3 * _H)
        # the lead converts on submission (a refusal, e.g. the demo's own deals protecting this
        # customer already, leaves the registration a draft)
        with contextlib.suppress(deal_services.DealError):
            deal_services.deal_submit(deal=deal, actor=user, at=at + 4 * _H)
