"""The facts routing decides on, read from the database in a bounded number of queries (a fixed
few, plus one per distinct certification the program's rules name), whatever the number of
partners: the routing itself (``leads.routing``) reads nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from leads.choices import WORKING_STATUSES, OfferState, Strategy
from leads.models import Lead, LeadOffer, RoutingRule
from leads.routing import PERFORMANCE_DAYS, LeadFacts, PartnerFacts, RuleFacts, rule_applies
from partners.choices import PartnerStatus
from partners.models import Partner
from partners.readers import partner_list_filters, readers

CERTIFICATION_FILTER = "certification"  # registered by enablement (partners.readers)
ADOPTION_READER = "metrics.adoption_scores"  # registered by metrics (partners.readers)


def lead_facts(lead: Lead) -> LeadFacts:
    return LeadFacts(
        program_id=lead.program_id,
        region=lead.region,
        country=lead.country.code or "",
        offering_ids=frozenset(o.pk for o in lead.offerings.all()),
    )


def certification_names() -> dict[int, str]:
    """Every certification by id (through the reader enablement registers; {} without it)."""
    if CERTIFICATION_FILTER not in partner_list_filters:
        return {}
    return {int(pk): name for pk, name in partner_list_filters.get(CERTIFICATION_FILTER).choices()}


def rule_facts(program_id: int) -> list[RuleFacts]:
    rules = list(
        RoutingRule.objects.filter(program_id=program_id, is_active=True).prefetch_related(
            "offerings", "partner_types", "tiers"
        )
    )
    names = certification_names() if any(r.certification_id for r in rules) else {}
    return [
        RuleFacts(
            id=r.pk,
            name=r.name,
            program_id=r.program_id,
            position=r.position,
            strategy=r.strategy,
            regions=frozenset(r.regions or ()),
            countries=frozenset(r.countries or ()),
            offering_ids=frozenset(o.pk for o in r.offerings.all()),
            same_region=r.same_region,
            type_ids=frozenset(t.pk for t in r.partner_types.all()),
            tier_ids=frozenset(t.pk for t in r.tiers.all()),
            certification_id=r.certification_id,
            certification_name=names.get(r.certification_id or 0, ""),
            max_open_leads=r.max_open_leads,
            min_acceptance_rate=r.min_acceptance_rate,
            min_adoption_score=r.min_adoption_score,
            offer_count=r.offer_count,
        )
        for r in rules
    ]


def open_leads_by_partner(partner_ids=None) -> dict[int, int]:
    """Per partner: offers waiting for its answer plus leads it accepted and still works on."""
    waiting = LeadOffer.objects.filter(state=OfferState.OFFERED)
    working = Lead.objects.filter(status__in=WORKING_STATUSES, partner__isnull=False)
    if partner_ids is not None:
        waiting = waiting.filter(partner_id__in=partner_ids)
        working = working.filter(partner_id__in=partner_ids)
    counts: dict[int, int] = {}
    for pid, n in waiting.order_by().values_list("partner_id").annotate(n=Count("pk")):
        counts[pid] = counts.get(pid, 0) + n
    for pid, n in working.order_by().values_list("partner_id").annotate(n=Count("pk")):
        counts[pid] = counts.get(pid, 0) + n
    return counts


def answer_counts(
    partner_ids, *, since: datetime, until: datetime
) -> dict[int, tuple[int, int, int]]:
    """Per partner: the offers it answered (accepted or declined) in ``(since, until]``, how many
    of them it accepted, and how many of those accepted leads it converted to a deal registration
    (the lead is still its own and links a deal). ``partner_ids``: ids or a subquery. One grouped
    query; a partner without answered offers is missing."""
    rows = (
        LeadOffer.objects.filter(
            partner_id__in=partner_ids,
            state__in=(OfferState.ACCEPTED, OfferState.DECLINED),
            answered_at__gt=since,
            answered_at__lte=until,
        )
        .order_by()
        .values_list("partner_id")
        .annotate(
            answered=Count("pk"),
            accepted=Count("pk", filter=Q(state=OfferState.ACCEPTED)),
            converted=Count(
                "pk",
                filter=Q(
                    state=OfferState.ACCEPTED,
                    lead__partner_id=F("partner_id"),
                    lead__deal_id__isnull=False,
                ),
            ),
        )
    )
    return {pid: (answered, accepted, converted) for pid, answered, accepted, converted in rows}


def _narrowing(rules: list[RuleFacts], lead: LeadFacts | None) -> Q:
    """A filter every candidate of ``lead`` passes, so fewer partners are read: the rules that
    apply to the lead (its region, country, offerings) and, when all of them ask for the lead's
    region or name partner types, those. Routing still checks every criterion itself."""
    if lead is None:
        return Q()
    applicable = [r for r in rules if rule_applies(r, lead)]
    if not applicable:
        return Q(pk__in=[])
    narrow = Q()
    if all(r.same_region for r in applicable):
        narrow &= Q(region=lead.region)
    if all(r.type_ids for r in applicable):
        narrow &= Q(partner_type_id__in=sorted(set().union(*(r.type_ids for r in applicable))))
    return narrow


def partner_facts(
    program_id: int, rules: list[RuleFacts], lead: LeadFacts | None = None
) -> list[PartnerFacts]:
    """The program's active partners with what the rules look at (with ``lead``: only those that
    could be its candidates). A fixed number of queries: the partners, their open leads (two),
    their answered offers of the last ``PERFORMANCE_DAYS`` days, one per certification the rules
    name, the round-robin counts, the adoption scores when a rule asks a minimum of it."""
    in_program = Partner.objects.filter(
        _narrowing(rules, lead), program_id=program_id, status=PartnerStatus.ACTIVE
    )
    partners = list(
        in_program.order_by().values_list(
            "pk",
            "name",
            "region",
            "partner_type_id",
            "partner_type__name",
            "tier_id",
            "tier__name",
            "tier__rank",
        )
    )
    if not partners:
        return []
    open_leads = open_leads_by_partner(in_program.values("pk"))
    now = timezone.now()
    answers = answer_counts(
        in_program.values("pk"), since=now - timedelta(days=PERFORMANCE_DAYS), until=now
    )
    scores: dict[int, float] = {}
    if any(r.min_adoption_score is not None for r in rules):
        scores = readers.get(ADOPTION_READER)(partners=in_program)
    held: dict[int, set[int]] = {}
    certifications = {r.certification_id for r in rules if r.certification_id}
    if certifications and CERTIFICATION_FILTER in partner_list_filters:
        condition = partner_list_filters.get(CERTIFICATION_FILTER).condition
        for cert in sorted(certifications):
            for pid in in_program.filter(condition(value=str(cert))).values_list("pk", flat=True):
                held.setdefault(pid, set()).add(cert)
    by_rule: dict[int, dict[int, int]] = {}
    robin = [r.id for r in rules if r.strategy == Strategy.ROUND_ROBIN]
    if robin:
        rows = (
            LeadOffer.objects.filter(rule_id__in=robin, partner__in=in_program.values("pk"))
            .order_by()
            .values_list("partner_id", "rule_id")
            .annotate(n=Count("pk"))
        )
        for pid, rid, n in rows:
            by_rule.setdefault(pid, {})[rid] = n
    return [
        PartnerFacts(
            id=pk,
            name=name,
            program_id=program_id,
            region=region,
            type_id=type_id,
            type_name=type_name,
            tier_id=tier_id,
            tier_name=tier_name or "",
            tier_rank=tier_rank or 0,
            open_leads=open_leads.get(pk, 0),
            certification_ids=frozenset(held.get(pk, ())),
            answered_offers=answers.get(pk, (0, 0, 0))[0],
            accepted_offers=answers.get(pk, (0, 0, 0))[1],
            adoption_score=scores.get(pk),
            offers_by_rule=by_rule.get(pk, {}),
        )
        for pk, name, region, type_id, type_name, tier_id, tier_name, tier_rank in partners
    ]


__all__ = ["answer_counts", "lead_facts", "open_leads_by_partner", "partner_facts", "rule_facts"]
