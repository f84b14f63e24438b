"""An offering's adoption curve since launch, computed from the usage summary in one pass.

For each partner and rule, the days on which the rule is met form a few intervals
(``metrics.adoption_rules.rule_intervals``). Their union per partner, clipped to the days the
partner was eligible, is added to the curve's points with a difference array. Exact (the same
answer as evaluating ``offering_adoption`` on every point) and linear in the usage rows, instead
of re-reading every row for every point.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from metrics.adoption_rules import merge_intervals, rule_intervals, trusted_offerings
from metrics.definitions.common import _today, partners_matching
from metrics.definitions.offerings import offering_rules
from metrics.models import OfferingAdoptionSpan, PartnerDayOffering
from partners.choices import PartnerStatus
from partners.models import Offering
from partners.selectors import offering_audiences


@dataclass(frozen=True)
class CurvePoint:
    day: date
    eligible: int
    adopted: int

    @property
    def share(self) -> float | None:
        return round(100.0 * self.adopted / self.eligible, 1) if self.eligible else None


def offering_adoption_curve(
    *, offering: Offering, until: date | None = None, step_days: int = 7, **filters
) -> list[CurvePoint]:
    """Adoption of one offering since its launch: a point every ``step_days`` from the launch day
    to ``until`` (default today). Eligibility uses each partner's join date and current status,
    among the partners in the offering's audience (its programs and types; empty: everyone).
    Six queries (rules, the audience's programs and types, span fingerprint, eligible partners,
    their spans of the offering, or their usage of it when the spans summary does not match the
    current rules)."""
    until = until or _today()
    points, day = [], offering.launched_on
    while day <= until:
        points.append(day)
        if day == until:
            break
        day = min(day + timedelta(days=step_days), until)
    joined, intervals = _adoption_intervals(offering, until, filters)
    diff = [0] * (len(points) + 1)
    for partner_id, start, end in intervals:
        first = bisect_left(points, max(start, joined[partner_id]))
        last = bisect_right(points, end) - 1
        if first <= last:
            diff[first] += 1
            diff[last + 1] -= 1
    return _curve(points, joined, diff)


def curve_members(
    *, offering: Offering, day: date, until: date | None = None, adopted: bool = True, **filters
) -> list[int]:
    """The partners behind ``offering_adoption_curve``'s point ``day`` (of the curve up to
    ``until``): the eligible ones (joined by ``day``), or those of them who had adopted on
    ``day`` (``adopted``), from the same intervals as the curve."""
    until = until or _today()
    joined, intervals = _adoption_intervals(offering, until, filters)
    if not adopted:
        return sorted(pk for pk, joined_on in joined.items() if joined_on <= day)
    return sorted({pk for pk, start, end in intervals if max(start, joined[pk]) <= day <= end})


def _adoption_intervals(offering: Offering, until: date, filters: dict):
    """``(joined, intervals)``: the eligible partners' join days (partner id → UTC day; in the
    offering's audience, neither applicant nor churned now) and the intervals of days on which
    they had adopted the offering (partner id, first day, last day; a partner may have several).
    Reads the spans summary when it matches the current rules, else the usage summary."""
    rules = offering_rules(offering)
    eligible_qs = offering_audiences([offering])[offering.pk].partners(
        partners_matching(**filters).exclude(
            status__in=[PartnerStatus.APPLICANT, PartnerStatus.CHURNED]
        )
    )
    joined = {
        pk: at.astimezone(UTC).date()
        for pk, at in eligible_qs.order_by().values_list("pk", "joined_at")
    }
    if offering.slug in trusted_offerings({offering.slug: rules}):
        # The spans summary (metrics.summaries): a few rows per partner, already merged.
        spans = OfferingAdoptionSpan.objects.filter(
            offering=offering.slug, start__lte=until, partner__in=eligible_qs
        ).values_list("partner_id", "start", "end")
        return joined, list(spans)
    kinds = sorted({k for r in rules for k in r.kinds})
    usage: dict[int, list[tuple[date, str, int]]] = defaultdict(list)
    rows = (
        PartnerDayOffering.objects.filter(
            offering=offering.slug, kind__in=kinds, day__lte=until, partner__in=eligible_qs
        )
        .order_by("partner_id", "day")
        .values_list("partner_id", "day", "kind", "events")
    )
    for partner_id, day, kind, events in rows.iterator(chunk_size=20_000):
        usage[partner_id].append((day, kind, events))
    intervals = []
    for partner_id, rows_of_partner in usage.items():
        merged = []
        for rule in rules:
            days = [(d, n) for d, kind, n in rows_of_partner if kind in rule.kinds]
            merged += rule_intervals(days, rule)
        intervals += [(partner_id, start, end) for start, end in merge_intervals(merged)]
    return joined, intervals


def _curve(points: list[date], joined: dict[int, date], diff: list[int]) -> list[CurvePoint]:
    joined_days = sorted(joined.values())
    curve, adopted = [], 0
    for i, point in enumerate(points):
        adopted += diff[i]
        curve.append(
            CurvePoint(day=point, eligible=bisect_right(joined_days, point), adopted=adopted)
        )
    return curve
