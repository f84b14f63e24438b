"""Offering adoption: which partners adopted which offering, its curve since launch."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum

from metrics.adoption_rules import DEFAULT_OFFERING_RULES, Rule, trusted_offerings
from metrics.definitions.common import _day_start, _today, partners_matching
from metrics.models import OfferingAdoptionRule, OfferingAdoptionSpan, PartnerDayOffering
from partners.choices import PartnerStatus
from partners.models import Offering, Partner
from partners.selectors import OfferingAudience, offering_audiences, offerings_for_partner


# --- Offering adoption ----------------------------------------------------------------------------
def offering_rules(offering: Offering) -> tuple[Rule, ...]:
    """The offering's configured rules (OfferingAdoptionRule), or the defaults."""
    configured = tuple(
        Rule(r.description, tuple(r.kinds), r.window_days, r.min_events)
        for r in OfferingAdoptionRule.objects.filter(offering=offering)
    )
    return configured or DEFAULT_OFFERING_RULES


def _eligible(filters: dict, as_of: date) -> QuerySet[Partner]:
    """Partners that could adopt on ``as_of``: joined by then, not applicants, not churned."""
    return (
        partners_matching(**filters)
        .filter(joined_at__lt=_day_start(as_of + timedelta(days=1)))
        .exclude(status__in=[PartnerStatus.APPLICANT, PartnerStatus.CHURNED])
    )


def _adopters(usage, rules, as_of: date) -> dict[int, list[str]]:
    """Partner id → descriptions of the rules it meets on ``as_of``."""
    met: dict[int, list[str]] = defaultdict(list)
    for rule in rules:
        start = as_of - timedelta(days=rule.window_days - 1) if rule.window_days else date.min
        totals: dict[int, int] = defaultdict(int)
        for partner_id, day, kind, events in usage:
            if kind in rule.kinds and start <= day <= as_of:
                totals[partner_id] += events
        for partner_id, total in totals.items():
            if total >= rule.min_events:
                met[partner_id].append(rule.description)
    return met


@dataclass(frozen=True)
class OfferingAdoption:
    offering: Offering
    eligible: int
    adopted: int
    rules: tuple[Rule, ...] = field(default=())

    @property
    def share(self) -> float | None:
        return round(100.0 * self.adopted / self.eligible, 1) if self.eligible else None


def _adopters_by_usage(offering: Offering, rules, as_of: date, eligible: QuerySet[Partner]):
    """The ``eligible`` partners meeting any rule on ``as_of``, as ``partner_id`` rows: one
    grouped query on the summary, a conditional sum per rule and the "any rule" test in HAVING."""
    sums, any_rule, met = {}, Q(), Q()
    for i, rule in enumerate(rules):
        condition = Q(kind__in=list(rule.kinds))
        if rule.window_days:
            condition &= Q(day__gte=as_of - timedelta(days=rule.window_days - 1))
        sums[f"rule_{i}"] = Sum("events", filter=condition)
        any_rule |= condition
        met |= Q(**{f"rule_{i}__gte": rule.min_events})
    return (
        PartnerDayOffering.objects.filter(
            any_rule, offering=offering.slug, day__lte=as_of, partner__in=eligible
        )
        .order_by()
        .values("partner_id")
        .annotate(**sums)
        .filter(met)
    )


def _adopted_count(offering: Offering, rules, as_of: date, eligible: QuerySet[Partner]) -> int:
    """How many ``eligible`` partners meet any rule on ``as_of`` (one query)."""
    return _adopters_by_usage(offering, rules, as_of, eligible).count()


def _spans_on(slugs, as_of: date, eligible: QuerySet[Partner]):
    """The adoption spans (``metrics.summaries``) of ``slugs`` containing ``as_of``, of
    ``eligible`` partners."""
    return OfferingAdoptionSpan.objects.filter(
        offering__in=slugs, start__lte=as_of, end__gte=as_of, partner__in=eligible
    )


def offering_members(
    *, offering: Offering, group: str, as_of: date | None = None, **filters
) -> QuerySet[Partner]:
    """The partners behind ``offering_adoption``'s row of ``offering`` on ``as_of``: its
    ``eligible`` partners, those who ``adopted`` it, or the eligible ones who did not
    (``not_adopted``), by the same audience, eligibility and adoption (spans when they match
    the rules, else the usage summary) as the counts."""
    as_of = as_of or _today()
    eligible = offering_audiences([offering])[offering.pk].partners(_eligible(filters, as_of))
    if group == "eligible":
        return eligible
    rules = offering_rules(offering)
    if offering.slug in trusted_offerings({offering.slug: rules}):
        adopters = _spans_on([offering.slug], as_of, eligible).values("partner_id")
    else:
        adopters = _adopters_by_usage(offering, rules, as_of, eligible).values("partner_id")
    if group == "adopted":
        return eligible.filter(pk__in=adopters)
    return eligible.exclude(pk__in=adopters)


def offering_adoption(*, as_of: date | None = None, **filters) -> list[OfferingAdoption]:
    """Per active offering: eligible partners and how many adopted it (met any rule) on ``as_of``.
    Eligible partners are those of ``_eligible`` in the offering's audience (its programs and
    partner types; empty: everyone). Seven queries (offerings, rules, their programs and types,
    eligible, span fingerprints, span counts) when every offering is for everyone; two more
    (eligible, span counts) per other audience; plus one per offering whose spans do not match
    its current rules."""
    as_of = as_of or _today()
    base = _eligible(filters, as_of)
    offerings = list(Offering.objects.filter(is_active=True, launched_on__lte=as_of))
    configured: dict[int, list[Rule]] = defaultdict(list)
    for r in OfferingAdoptionRule.objects.filter(offering__in=offerings):
        configured[r.offering_id].append(
            Rule(r.description, tuple(r.kinds), r.window_days, r.min_events)
        )
    rules_of = {
        o.slug: tuple(configured.get(o.pk, ())) or DEFAULT_OFFERING_RULES for o in offerings
    }
    audiences = offering_audiences(offerings)
    groups: dict[OfferingAudience, list[Offering]] = defaultdict(list)
    for offering in offerings:
        groups[audiences[offering.pk]].append(offering)
    by_slug: dict[str, OfferingAdoption] = {}
    for audience, members in groups.items():
        eligible = audience.partners(base)
        size = eligible.count()
        group_rules = {o.slug: rules_of[o.slug] for o in members}
        from_spans = _adopted_from_spans(group_rules, as_of, eligible) if size else {}
        for offering in members:
            rules = rules_of[offering.slug]
            if not size:
                adopted = 0
            elif offering.slug in from_spans:
                adopted = from_spans[offering.slug]
            else:  # rules changed since the spans were computed, or a new offering
                adopted = _adopted_count(offering, rules, as_of, eligible)
            by_slug[offering.slug] = OfferingAdoption(
                offering=offering, eligible=size, adopted=adopted, rules=rules
            )
    return [by_slug[o.slug] for o in offerings]


def _adopted_from_spans(
    rules_of: dict[str, tuple], as_of: date, eligible: QuerySet[Partner]
) -> dict[str, int]:
    """Slug → eligible adopters on ``as_of``, for the offerings whose ``OfferingAdoptionSpan``
    rows were computed with these rules (``metrics.summaries``). Two queries."""
    trusted = trusted_offerings(rules_of)
    if not trusted:
        return {}
    counts = dict(
        _spans_on(sorted(trusted), as_of, eligible)
        .order_by()
        .values("offering")
        .annotate(n=Count("partner_id"))
        .values_list("offering", "n")
    )
    return {slug: counts.get(slug, 0) for slug in trusted}


@dataclass(frozen=True)
class PartnerOffering:
    offering: Offering
    adopted: bool
    reasons: list[str]


def partner_offerings(*, partner_id: int, as_of: date | None = None) -> list[PartnerOffering]:
    """Which active offerings of its audience one partner has adopted on ``as_of``, with the
    rules it meets (an offering meant for other programs or types is not listed).
    Three queries whatever the number of offerings (offerings, their rules, the partner's usage)."""
    as_of = as_of or _today()
    offerings = list(
        offerings_for_partner(
            Offering.objects.filter(is_active=True, launched_on__lte=as_of), partner=partner_id
        )
    )
    configured: dict[int, list[Rule]] = defaultdict(list)
    for r in OfferingAdoptionRule.objects.filter(offering__in=offerings):
        configured[r.offering_id].append(
            Rule(r.description, tuple(r.kinds), r.window_days, r.min_events)
        )
    usage: dict[str, list] = defaultdict(list)
    for slug, day, kind, events in PartnerDayOffering.objects.filter(
        partner_id=partner_id, offering__in=[o.slug for o in offerings], day__lte=as_of
    ).values_list("offering", "day", "kind", "events"):
        usage[slug].append((partner_id, day, kind, events))
    result = []
    for offering in offerings:
        rules = tuple(configured.get(offering.pk, ())) or DEFAULT_OFFERING_RULES
        reasons = _adopters(usage[offering.slug], rules, as_of).get(partner_id, [])
        result.append(PartnerOffering(offering=offering, adopted=bool(reasons), reasons=reasons))
    return result


def first_launched_offering(*, as_of: date | None = None) -> Offering | None:
    """The active offering launched first (by ``as_of``): the dashboard's default curve."""
    as_of = as_of or _today()
    return (
        Offering.objects.filter(is_active=True, launched_on__lte=as_of)
        .order_by("launched_on", "name")
        .first()
    )


def adopted_by_partner(*, partner_ids, offering_ids, as_of: date) -> dict[tuple[int, int], int]:
    """``(partner id, offering id) → 1`` for each of ``partner_ids`` that has adopted each of
    ``offering_ids`` on ``as_of`` (met any of its rules, counted from the usage summary as
    ``partner_offerings`` counts it); pairs not adopted are left out. Two queries plus one per
    offering: the offering adoption goal measure (``metrics.measures``)."""
    if not partner_ids or not offering_ids:
        return {}
    offerings = list(Offering.objects.filter(pk__in=offering_ids))
    configured: dict[int, list[Rule]] = defaultdict(list)
    for r in OfferingAdoptionRule.objects.filter(offering__in=offerings):
        configured[r.offering_id].append(
            Rule(r.description, tuple(r.kinds), r.window_days, r.min_events)
        )
    partners = Partner.objects.filter(pk__in=list(partner_ids))
    adopted: dict[tuple[int, int], int] = {}
    for offering in offerings:
        rules = tuple(configured.get(offering.pk, ())) or DEFAULT_OFFERING_RULES
        for partner_id in _adopters_by_usage(offering, rules, as_of, partners).values_list(
            "partner_id", flat=True
        ):
            adopted[(partner_id, offering.pk)] = 1
    return adopted
