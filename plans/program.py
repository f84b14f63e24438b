"""The program view of business plans (the dashboard's "Business plans" panel): for the current
fiscal year, the share of active partners with an approved plan, the share of those on track
(every measured goal at or above its pace, docs/metrics.md "Business plan progress") and the
plans awaiting approval, overall and per program. A partner's approved plan for the current
quarter counts when it has none for the year.

Queries: active partners per program (1), the approved plans with their goals (2), one per
measure family the goals use, the plans awaiting approval (1).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from partners.choices import PartnerStatus
from partners.models import Partner
from plans import periods
from plans.choices import PlanStatus
from plans.models import BusinessPlan
from plans.progress import plan_on_track, progress_for_plans
from plans.selectors import plans_in_force


@dataclass
class ProgramRow:
    program_id: int | None
    name: str
    active: int = 0
    approved: int = 0
    on_track: int = 0
    awaiting: int = 0

    @property
    def approved_share(self) -> int | None:
        return round(100 * self.approved / self.active) if self.active else None

    @property
    def on_track_share(self) -> int | None:
        return round(100 * self.on_track / self.approved) if self.approved else None


@dataclass
class ProgramView:
    period: periods.Period
    total: ProgramRow
    programs: list[ProgramRow] = field(default_factory=list)


def program_view(*, today: datetime.date | None = None, program_ids=None) -> ProgramView:
    today = today or timezone.localdate()
    year = periods.period_containing(today, quarterly=False)
    quarter = periods.period_containing(today, quarterly=True)
    active = Partner.objects.filter(status=PartnerStatus.ACTIVE)
    if program_ids:
        active = active.filter(program_id__in=program_ids)
    rows = {
        r["program_id"]: ProgramRow(r["program_id"], r["program__name"], active=r["n"])
        for r in active.values("program_id", "program__name").annotate(n=Count("pk")).order_by()
    }
    plans = [
        p
        for p in plans_in_force(periods=[year, quarter], partner_status=PartnerStatus.ACTIVE)
        if p.partner.program_id in rows
    ]
    chosen: dict[int, BusinessPlan] = {}
    for plan in sorted(plans, key=lambda p: p.quarter):  # the year's plan (quarter 0) first
        chosen.setdefault(plan.partner_id, plan)
    progress = progress_for_plans(chosen.values())
    for plan in chosen.values():
        row = rows[plan.partner.program_id]
        row.approved += 1
        row.on_track += plan_on_track(plan, progress) is True
    awaiting = (
        BusinessPlan.objects.filter(status=PlanStatus.SUBMITTED, partner__program_id__in=rows)
        .values("partner__program_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in awaiting:
        rows[r["partner__program_id"]].awaiting = r["n"]
    programs = sorted(rows.values(), key=lambda r: r.name)
    total = ProgramRow(None, "", **{
        name: sum(getattr(r, name) for r in programs)
        for name in ("active", "approved", "on_track", "awaiting")
    })  # fmt: skip
    return ProgramView(period=year, total=total, programs=programs)
