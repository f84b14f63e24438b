"""Reads for the channel manager's partner detail page: tier progress, certificates, a timeline.

Only domain tables and summaries are read (never raw events), each with a bounded query, so the
page costs the same for a partner with ten events or ten million. The caller has already checked
that the user may see the partner (``partners.selectors.partner_get_for_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from deals.choices import DealStatus
from deals.models import Deal, DealTransition
from enablement import selectors as enablement_selectors
from enablement.models import Certificate
from metrics.models import PartnerDayUser
from onboarding.choices import StepStatus
from onboarding.models import ChecklistStep
from partners.choices import TierMetric
from partners.models import Partner, PartnerMembership, Tier


# --- Tier progress --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Requirement:
    label: str
    minimum: Decimal
    current: Decimal
    note: str = ""

    @property
    def met(self) -> bool:
        return self.current >= self.minimum

    @property
    def percent(self) -> int:
        if self.minimum <= 0:
            return 100
        return min(100, int(100 * self.current / self.minimum))


@dataclass(frozen=True)
class TierProgress:
    current: Tier | None
    next_tier: Tier | None
    requirements: list[Requirement]

    @property
    def met(self) -> int:
        return sum(1 for r in self.requirements if r.met)


def _tier_values(partner: Partner, metrics: set[str], now: datetime) -> dict[str, Decimal]:
    """The partner's current value of each tier metric asked for (one query per metric family)."""
    values: dict[str, Decimal] = {}
    if TierMetric.CERTIFIED_USERS in metrics:
        values[TierMetric.CERTIFIED_USERS] = Decimal(
            enablement_selectors.certified_user_count(partner_id=partner.pk)
        )
    if TierMetric.COMPLETED_COURSES in metrics:
        counts = enablement_selectors.completed_course_counts(partner_ids=[partner.pk])
        values[TierMetric.COMPLETED_COURSES] = Decimal(counts.get(partner.pk, 0))
    if metrics & {TierMetric.WON_DEALS_12M, TierMetric.REVENUE_12M}:
        row = Deal.objects.filter(
            partner=partner, status=DealStatus.WON, closed_at__gte=now - timedelta(days=365)
        ).aggregate(won=Count("pk"), revenue=Sum("final_amount"))
        values[TierMetric.WON_DEALS_12M] = Decimal(row["won"])
        values[TierMetric.REVENUE_12M] = row["revenue"] or Decimal("0")
    if TierMetric.ACTIVE_USERS_30D in metrics:
        today = now.date()
        users = (
            PartnerDayUser.objects.filter(
                partner_id=partner.pk,
                day__range=(today - timedelta(days=29), today),
                # members only: a channel manager acting on the partner's deals is no portal user
                user_id__in=PartnerMembership.objects.filter(partner=partner).values("user_id"),
            )
            .values("user_id")
            .distinct()
            .count()
        )
        values[TierMetric.ACTIVE_USERS_30D] = Decimal(users)
    return values


def tier_progress(*, partner: Partner, now: datetime | None = None) -> TierProgress:
    """The partner's next tier in its program and, per requirement of that tier, the minimum
    against the partner's value now. Revenue adds won amounts as registered (the program is
    expected to use one currency; amounts are not converted)."""
    now = now or timezone.now()
    rank = partner.tier.rank if partner.tier_id else 0
    next_tier = (
        Tier.objects.filter(program_id=partner.program_id, rank__gt=rank)
        .prefetch_related("requirements")
        .order_by("rank")
        .first()
    )
    if next_tier is None:
        return TierProgress(current=partner.tier, next_tier=None, requirements=[])
    requirements = list(next_tier.requirements.all())
    values = _tier_values(partner, {r.metric for r in requirements}, now)
    return TierProgress(
        current=partner.tier,
        next_tier=next_tier,
        requirements=[
            Requirement(
                label=r.get_metric_display(),
                minimum=r.minimum,
                current=values.get(r.metric, Decimal("0")),
                note=r.note,
            )
            for r in requirements
        ],
    )


# --- Certificates ---------------------------------------------------------------------------------
def certificates(*, partner: Partner, limit: int = 20) -> list[Certificate]:
    """Valid certificates held by the partner's current people, newest first."""
    now = timezone.now()
    return list(
        Certificate.objects.filter(
            partner=partner,
            user__membership__partner=partner,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("certification", "user")
        .order_by("-earned_at", "-pk")[:limit]
    )


# --- Timeline -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moment:
    at: datetime
    title: str
    detail: str = ""
    icon: str = "dot"


def timeline(*, partner: Partner, limit: int = 20) -> list[Moment]:
    """What happened to the partner lately, newest first, from the domain rows themselves:
    joining and activation, people who joined, checklist steps done, certificates earned and deal
    transitions. Four queries, each bounded by ``limit``."""
    moments = [Moment(partner.joined_at, "Joined the program", icon="flag")]
    if partner.activated_at:
        moments.append(Moment(partner.activated_at, "Activated", icon="check2-circle"))
    for m in (
        PartnerMembership.objects.filter(partner=partner)
        .select_related("user")
        .order_by("-created_at")[:limit]
    ):
        moments.append(Moment(m.created_at, "Joined the team", m.user.get_full_name(), "person"))
    for step in (
        ChecklistStep.objects.filter(
            checklist__partner=partner, status=StepStatus.DONE, completed_at__isnull=False
        )
        .select_related("completed_by")
        .order_by("-completed_at")[:limit]
    ):
        who = step.completed_by.get_full_name() if step.completed_by else ""
        moments.append(Moment(step.completed_at, f"Checklist: {step.title}", who, "list-check"))
    for cert in (
        Certificate.objects.filter(partner=partner)
        .select_related("certification", "user")
        .order_by("-earned_at")[:limit]
    ):
        moments.append(
            Moment(
                cert.earned_at, f"Certified: {cert.certification.name}", cert.holder_name, "award"
            )
        )
    for t in (
        DealTransition.objects.filter(deal__partner=partner)
        .filter(~Q(to_status=DealStatus.DRAFT))
        .select_related("deal")
        .order_by("-at", "-pk")[:limit]
    ):
        moments.append(
            Moment(
                t.at,
                f"Deal {t.get_to_status_display().lower()}: {t.deal.customer_name}",
                f"{t.deal.currency} {t.deal.amount:,.2f}",
                "briefcase",
            )
        )
    moments.sort(key=lambda m: m.at, reverse=True)
    return moments[:limit]
