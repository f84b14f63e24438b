"""Metric values behind tier requirements, for many partners at once.

``measure`` runs a fixed number of grouped queries (one per metric family used by some
requirement) whatever the number of partners or requirements: the nightly evaluation and the
progress shown on the partner home read the same numbers.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch

from partners.choices import TierMetric as M
from partners.models import Tier, TierRequirement

YEAR = timedelta(days=365)


def requirement_key(requirement: TierRequirement) -> str:
    """Where a requirement's value sits in a partner's measures."""
    if requirement.certification_id:
        return f"{requirement.metric}:{requirement.certification_id}"
    return requirement.metric


def requirement_met(requirement: TierRequirement, values: dict[str, Decimal]) -> bool:
    return values.get(requirement_key(requirement), Decimal("0")) >= requirement.minimum


@dataclass(frozen=True)
class Ladder:
    """The tiers of one program, lowest rank first, with their requirements loaded."""

    tiers: list[Tier]

    @property
    def entry(self) -> Tier | None:
        return self.tiers[0] if self.tiers else None

    def qualified(self, values: dict[str, Decimal]) -> Tier | None:
        """The highest tier whose requirements are all met; never below the entry tier."""
        best = self.entry
        for tier in self.tiers:
            if all(requirement_met(r, values) for r in tier.requirements.all()):
                best = tier
        return best

    def above(self, tier: Tier | None) -> Tier | None:
        rank = tier.rank if tier is not None else 0
        return next((t for t in self.tiers if t.rank > rank), None)


def ladders(*, program_ids=None) -> dict[int, Ladder]:
    """Each program's ladder (two or three queries in all)."""
    requirements = TierRequirement.objects.select_related("certification").prefetch_related(
        "certification__courses"
    )
    qs = Tier.objects.prefetch_related(Prefetch("requirements", queryset=requirements)).order_by(
        "program_id", "rank"
    )
    if program_ids is not None:
        qs = qs.filter(program_id__in=program_ids)
    result: dict[int, list[Tier]] = {}
    for tier in qs:
        result.setdefault(tier.program_id, []).append(tier)
    return {program_id: Ladder(tiers) for program_id, tiers in result.items()}


def measure(*, partners, requirements, at: datetime) -> dict[int, dict[str, Decimal]]:
    """``partner id → {requirement key → value}`` at ``at`` for the metrics ``requirements`` use.

    ``partners`` need ``pk`` and ``activated_at``. A partner without data gets 0 for a metric.
    """
    from deals.selectors import won_totals_by_partner
    from enablement.selectors import certified_people_by_partner, completed_courses_by_partner
    from metrics.selectors import active_users_by_partner, adoption_average_by_partner

    partners = list(partners)
    ids = [p.pk for p in partners]
    metrics = {r.metric for r in requirements}
    cert_ids = sorted({r.certification_id for r in requirements if r.certification_id})
    values: dict[int, dict[str, Decimal]] = {
        p.pk: {M.ACTIVATED: Decimal(int(p.activated_at is not None and p.activated_at <= at))}
        for p in partners
    }
    if not ids:
        return values

    def put(key: str, table: dict) -> None:
        for pid in ids:
            values[pid][key] = Decimal(str(table.get(pid, 0)))

    if M.CERTIFIED_USERS in metrics:
        total, by_cert = certified_people_by_partner(
            partner_ids=ids, at=at, certification_ids=cert_ids
        )
        put(M.CERTIFIED_USERS, total)
        for cert_id in cert_ids:
            put(f"{M.CERTIFIED_USERS}:{cert_id}", {p: by_cert.get((p, cert_id), 0) for p in ids})
    if M.WON_DEALS_12M in metrics or M.REVENUE_12M in metrics:
        won = won_totals_by_partner(
            partner_ids=ids,
            since=at - YEAR,
            until=at,
            rates=settings.PRM_TIER_FX_RATES,
            target=settings.PRM_TIER_CURRENCY,
        )
        put(M.WON_DEALS_12M, {p: n for p, (n, _) in won.items()})
        put(M.REVENUE_12M, {p: amount for p, (_, amount) in won.items()})
    if M.ADOPTION_SCORE_90D in metrics:
        put(M.ADOPTION_SCORE_90D, adoption_average_by_partner(partner_ids=ids, until=at.date()))
    if M.ACTIVE_USERS_30D in metrics:
        put(M.ACTIVE_USERS_30D, active_users_by_partner(partner_ids=ids, until=at.date()))
    if M.COMPLETED_COURSES in metrics:
        put(M.COMPLETED_COURSES, completed_courses_by_partner(partner_ids=ids, at=at))
    return values


def jsonable(values: dict[str, Decimal]) -> dict[str, str]:
    return {key: f"{value.normalize():f}" for key, value in values.items()}
