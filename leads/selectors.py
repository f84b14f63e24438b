"""Scoped reads. Vendor staff see every lead; a partner sees only the leads offered to it (its own
offer of each, never another partner's offer or why): anything else is 404, even by id."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from leads.conversions import protection_of
from leads.models import Lead, LeadOffer, LeadSla, RoutingRule
from partners.selectors import membership_for_user

PAGE_SIZE = 50


def lead_list_for_staff(
    *,
    q: str = "",
    status: str = "",
    source: str = "",
    region: str = "",
    partner: int | None = None,
    program: int | None = None,
) -> QuerySet[Lead]:
    """Every lead for vendor staff, narrowed: ``partner`` keeps the leads offered to that partner
    (whatever its answer), ``program`` the leads of that program."""
    qs = Lead.objects.select_related("program", "partner", "created_by")
    if q:
        qs = qs.filter(Q(company__icontains=q) | Q(domain__icontains=q) | Q(external_id=q))
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if region:
        qs = qs.filter(region=region)
    if partner:
        qs = qs.filter(Exists(LeadOffer.objects.filter(lead=OuterRef("pk"), partner_id=partner)))
    if program:
        qs = qs.filter(program_id=program)
    return qs


def lead_list_for_user(*, user) -> QuerySet[Lead]:
    """The API's leads: vendor staff see every lead, anybody else none (a partner reads the
    leads offered to it in its inbox, not through this list)."""
    qs = Lead.objects.select_related("program").prefetch_related(
        "offerings",
        Prefetch("offers", queryset=LeadOffer.objects.order_by("offered_at", "pk")),
    )
    if not (user.is_authenticated and user.is_channel_manager):
        return qs.none()
    return qs


def lead_get_for_staff(*, pk) -> Lead:
    lead = (
        Lead.objects.select_related("program", "partner", "created_by")
        .prefetch_related(
            "offerings",
            Prefetch(
                "offers",
                queryset=LeadOffer.objects.select_related(
                    "partner", "answered_by", "rule"
                ).order_by("offered_at", "pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if lead is None:
        raise Http404("No such lead.")
    return lead


def protection_for(leads) -> dict[str, dict]:
    """Which of these leads' customers a partner already protects with an approved deal
    registration (domain → who, until when). One query for the whole page."""
    return protection_of({lead.domain for lead in leads if lead.domain})


# --- A partner's inbox ----------------------------------------------------------------------------
def _partner_id(user) -> int:
    membership = membership_for_user(user)
    if membership is None:
        raise Http404("No such lead.")
    return membership.partner_id


def inbox_for_user(*, user, state: str = "") -> QuerySet[LeadOffer]:
    """The offers made to the user's partner, newest first, each with its lead."""
    qs = LeadOffer.objects.filter(partner_id=_partner_id(user)).select_related("lead")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-offered_at", "-pk")


def offer_get_for_user(*, user, lead_pk) -> LeadOffer:
    """The user's partner's offer of lead ``lead_pk``: 404 when the lead was never offered to it."""
    offer = (
        LeadOffer.objects.select_related("lead", "lead__program", "answered_by")
        .prefetch_related("lead__offerings")
        .filter(partner_id=_partner_id(user), lead_id=lead_pk)
        .first()
    )
    if offer is None:
        raise Http404("No such lead.")
    return offer


# --- Setup ----------------------------------------------------------------------------------------
def rule_list() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("program").prefetch_related(
        "offerings", "partner_types", "tiers"
    )


def rule_get(*, pk) -> RoutingRule:
    rule = rule_list().filter(pk=pk).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


def sla_list() -> QuerySet[LeadSla]:
    return LeadSla.objects.select_related("program").order_by("program__name")
