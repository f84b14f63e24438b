"""Offering adoption rules, shared by the spans summary that stores adoption
(``metrics.summaries``) and the definitions that read it (``metrics.definitions.offerings`` and
``curve``): the rule type and the default rules, the day intervals on which rules are met, and
which offerings' stored spans were computed with the current rules (their fingerprint).

A rule "at least m events in the last w days" is met from the day the running window sum reaches
m until it falls below; an "ever" rule (no window) from the day the running total reaches m on.
A partner has adopted an offering on the days any of its rules is met (the merged intervals).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from events.choices import EventKind
from metrics.models import OfferingAdoptionRule, OfferingSpanRules
from partners.models import Offering


@dataclass(frozen=True)
class Rule:
    description: str
    kinds: tuple[str, ...]
    window_days: int | None
    min_events: int = 1


DEFAULT_OFFERING_RULES = (
    Rule(
        "A deal registered or won with it in the last 90 days",
        (EventKind.DEAL_SUBMITTED, EventKind.DEAL_WON),
        90,
    ),
    Rule("A certification on it", (EventKind.CERTIFICATION_EARNED,), None),
    Rule(
        "Its assets used in the last 90 days",
        (EventKind.RESOURCE_VIEWED, EventKind.RESOURCE_DOWNLOADED),
        90,
    ),
    Rule("Product usage reported in the last 30 days", (EventKind.OFFERING_USED,), 30),
)


def rule_intervals(days: list[tuple[date, int]], rule: Rule) -> list[tuple[date, date]]:
    """Closed day intervals on which ``rule`` is met, from (day, events) sorted by day."""
    if rule.window_days is None:
        total = 0
        for day, events in days:
            total += events
            if total >= rule.min_events:
                return [(day, date.max)]
        return []
    changes: dict[date, int] = defaultdict(int)
    for day, events in days:
        changes[day] += events
        leave = day + timedelta(days=rule.window_days)
        changes[leave] -= events
    intervals, running, start = [], 0, None
    for day in sorted(changes):
        running += changes[day]
        if running >= rule.min_events and start is None:
            start = day
        elif running < rule.min_events and start is not None:
            intervals.append((start, day - timedelta(days=1)))
            start = None
    if start is not None:
        intervals.append((start, date.max))
    return intervals


def merge_intervals(intervals: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The union of closed day intervals, as sorted runs (adjacent days joined)."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted(intervals):
        if merged and (merged[-1][1] == date.max or start <= merged[-1][1] + timedelta(days=1)):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def rules_fingerprint(rules) -> str:
    """A stable digest of what decides adoption (kinds, window, minimum), not of the wording."""
    key = [[sorted(r.kinds), r.window_days, r.min_events] for r in rules]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()


def current_rules() -> dict[str, tuple]:
    """Offering slug → its rules now (configured, else the defaults), for every offering."""
    configured: dict[int, list] = defaultdict(list)
    for r in OfferingAdoptionRule.objects.all():
        configured[r.offering_id].append(
            Rule(r.description, tuple(r.kinds), r.window_days, r.min_events)
        )
    return {
        slug: tuple(configured.get(pk, ())) or DEFAULT_OFFERING_RULES
        for pk, slug in Offering.objects.values_list("pk", "slug")
    }


def trusted_offerings(rules_by_slug: dict[str, tuple]) -> set[str]:
    """The offerings whose spans (``metrics.summaries``) were computed with exactly these rules.
    One query."""
    stored = dict(
        OfferingSpanRules.objects.filter(offering__in=list(rules_by_slug)).values_list(
            "offering", "fingerprint"
        )
    )
    return {s for s, rules in rules_by_slug.items() if stored.get(s) == rules_fingerprint(rules)}
