"""Routing as a pure function: which partner gets a lead, and why. No database here: the caller
(``leads.services.lead_route``) reads the facts (``LeadFacts``, ``PartnerFacts``, ``RuleFacts``)
in a bounded number of queries and passes them in, so the decision is testable as a table.

Rules are tried in ``position`` order. A rule applies to a lead when each of its lead criteria
that is set matches (the lead's region among ``regions``, its country among ``countries``, one of
its offerings among ``offerings``). Its candidates are the partners of the lead's program that
pass each partner criterion that is set (same region as the lead, partner type, tier,
certification held, fewer open leads than ``max_open_leads``, an acceptance rate of at least
``min_acceptance_rate``, an adoption score of at least ``min_adoption_score``) and were not
offered the lead before. The acceptance rate is accepted / answered offers of the last
``PERFORMANCE_DAYS`` days; a partner with fewer than ``MIN_ANSWERED`` answered offers has no
rate: it passes the minimum (a newcomer is not shut out) and ranks as 0 in best match's
tie-breaker. A partner without an adoption score scores 0. The first rule with a candidate
picks one by its strategy:

- best match: the highest tier rank, then the highest acceptance rate, then the fewest open
  leads, then the lowest partner id;
- weighted round-robin: each partner's weight is its tier rank (1 without a tier); the partner
  with the lowest ``(leads this rule offered it + 1) / weight`` wins (ties: the lowest id), so over
  time a rank-3 partner gets three leads for a rank-1 partner's one;
- first come: the ``offer_count`` best matches (as best match orders them) are offered the lead
  at once (``Choice.also``: the others than the first); the first to accept wins it and the other
  offers are withdrawn.

The ``why`` of a choice names the rule and the values that decided it (JSON-safe).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

BEST_MATCH, ROUND_ROBIN, FIRST_COME = "best_match", "round_robin", "first_come"
PERFORMANCE_DAYS = 180  # the acceptance rate counts the offers answered in these last days
MIN_ANSWERED = 3  # fewer answered offers: no acceptance rate (passes a minimum, ranks as 0)


@dataclass(frozen=True)
class LeadFacts:
    program_id: int
    region: str
    country: str = ""
    offering_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PartnerFacts:
    id: int
    name: str
    program_id: int
    region: str
    type_id: int
    type_name: str = ""
    tier_id: int | None = None
    tier_name: str = ""
    tier_rank: int = 0
    open_leads: int = 0
    certification_ids: frozenset[int] = frozenset()
    answered_offers: int = 0  # accepted or declined in the last PERFORMANCE_DAYS days
    accepted_offers: int = 0
    adoption_score: float | None = None  # the latest (None: not read, or no score: counts 0)
    # leads offered to this partner by each rule so far (rule id → count): round-robin's memory
    offers_by_rule: dict[int, int] = field(default_factory=dict, hash=False, compare=False)

    @property
    def acceptance_rate(self) -> float | None:
        """accepted / answered in %, one decimal; None under ``MIN_ANSWERED`` answered offers."""
        if self.answered_offers < MIN_ANSWERED:
            return None
        return round(100 * self.accepted_offers / self.answered_offers, 1)


@dataclass(frozen=True)
class RuleFacts:
    id: int
    name: str
    program_id: int
    position: int = 10
    strategy: str = BEST_MATCH
    regions: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    offering_ids: frozenset[int] = frozenset()
    same_region: bool = True
    type_ids: frozenset[int] = frozenset()
    tier_ids: frozenset[int] = frozenset()
    certification_id: int | None = None
    certification_name: str = ""
    max_open_leads: int | None = None
    min_acceptance_rate: int | None = None  # %, over the last PERFORMANCE_DAYS days
    min_adoption_score: int | None = None  # 0 to 100, the latest score
    offer_count: int = 1  # first come: how many partners at once


@dataclass(frozen=True)
class Choice:
    partner_id: int
    rule_id: int
    why: dict
    # first come: the other partners offered the lead at the same time, each with its why
    also: tuple[tuple[int, dict], ...] = ()


def _lead_matches(rule: RuleFacts, lead: LeadFacts) -> dict | None:
    """The lead's values the rule matched on, or None when one of its criteria fails."""
    matched: dict = {}
    if rule.program_id != lead.program_id:
        return None
    if rule.regions:
        if lead.region not in rule.regions:
            return None
        matched["region"] = lead.region
    if rule.countries:
        if lead.country not in rule.countries:
            return None
        matched["country"] = lead.country
    if rule.offering_ids:
        common = rule.offering_ids & lead.offering_ids
        if not common:
            return None
        matched["offerings"] = sorted(common)
    return matched


def rule_applies(rule: RuleFacts, lead: LeadFacts) -> bool:
    """Whether ``rule``'s lead criteria match ``lead`` (the partners are not looked at)."""
    return _lead_matches(rule, lead) is not None


def _candidate(rule: RuleFacts, lead: LeadFacts, partner: PartnerFacts) -> bool:
    return (
        partner.program_id == lead.program_id
        and (not rule.same_region or partner.region == lead.region)
        and (not rule.type_ids or partner.type_id in rule.type_ids)
        and (not rule.tier_ids or partner.tier_id in rule.tier_ids)
        and (rule.certification_id is None or rule.certification_id in partner.certification_ids)
        and (rule.max_open_leads is None or partner.open_leads < rule.max_open_leads)
        and (
            rule.min_acceptance_rate is None
            or partner.acceptance_rate is None
            or partner.acceptance_rate >= rule.min_acceptance_rate
        )
        and (
            rule.min_adoption_score is None
            or (partner.adoption_score or 0) >= rule.min_adoption_score
        )
    )


def _weight(partner: PartnerFacts) -> int:
    return max(partner.tier_rank, 1)


def _best_key(p: PartnerFacts) -> tuple:
    return (-p.tier_rank, -(p.acceptance_rate or 0), p.open_leads, p.id)


def _best_first(candidates: list[PartnerFacts]) -> list[PartnerFacts]:
    return sorted(candidates, key=_best_key)


def _pick(rule: RuleFacts, candidates: list[PartnerFacts]) -> tuple[PartnerFacts, dict]:
    if rule.strategy == ROUND_ROBIN:

        def load(p: PartnerFacts) -> Fraction:
            return Fraction(p.offers_by_rule.get(rule.id, 0) + 1, _weight(p))

        chosen = min(candidates, key=lambda p: (load(p), p.id))
        return chosen, {
            "weight": _weight(chosen),
            "offered_by_rule": chosen.offers_by_rule.get(rule.id, 0),
        }
    return min(candidates, key=_best_key), {}


def _why(rule: RuleFacts, matched: dict, chosen: PartnerFacts, extra: dict, n: int) -> dict:
    partner_values: dict = {"region": chosen.region, "type": chosen.type_name}
    if rule.tier_ids or rule.strategy != ROUND_ROBIN:
        partner_values["tier"] = chosen.tier_name
        partner_values["tier_rank"] = chosen.tier_rank
    if rule.certification_id is not None:
        partner_values["certification"] = rule.certification_name
    partner_values["open_leads"] = chosen.open_leads
    if rule.max_open_leads is not None:
        partner_values["capacity"] = rule.max_open_leads
    if rule.min_acceptance_rate is not None or rule.strategy != ROUND_ROBIN:
        partner_values["acceptance_rate"] = chosen.acceptance_rate
        partner_values["answered_offers"] = chosen.answered_offers
    if rule.min_acceptance_rate is not None:
        partner_values["min_acceptance_rate"] = rule.min_acceptance_rate
    if rule.min_adoption_score is not None:
        partner_values["adoption_score"] = chosen.adoption_score or 0
        partner_values["min_adoption_score"] = rule.min_adoption_score
    return {
        "rule": rule.id,
        "rule_name": rule.name,
        "strategy": rule.strategy,
        "lead": matched,
        "partner": partner_values | extra,
        "candidates": n,
    }


def route(
    lead: LeadFacts,
    partners: Iterable[PartnerFacts],
    rules: Iterable[RuleFacts],
    *,
    exclude: Iterable[int] = (),
) -> Choice | None:
    """The partner ``lead`` goes to, by the first rule that finds one (None: nobody). ``exclude``:
    partners already offered this lead (who declined it or let it expire)."""
    excluded = set(exclude)
    pool = [p for p in partners if p.id not in excluded]
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        matched = _lead_matches(rule, lead)
        if matched is None:
            continue
        candidates = [p for p in pool if _candidate(rule, lead, p)]
        if not candidates:
            continue
        if rule.strategy == FIRST_COME:
            chosen = _best_first(candidates)[: max(rule.offer_count, 1)]
            whys = [_why(rule, matched, p, {}, len(candidates)) for p in chosen]
            also = tuple((p.id, why) for p, why in zip(chosen[1:], whys[1:], strict=True))
            return Choice(partner_id=chosen[0].id, rule_id=rule.id, why=whys[0], also=also)
        partner, extra = _pick(rule, candidates)
        why = _why(rule, matched, partner, extra, len(candidates))
        return Choice(partner_id=partner.id, rule_id=rule.id, why=why)
    return None
