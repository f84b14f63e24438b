"""A partner's scorecard: its plan's goals with their pace, its tier requirements (the progress
reader tiers registers, read through ``partners.selectors.tier_progress``) and, for each measured
goal, where it stands among its program's peers: the percentile and the median, never a peer's
name (docs/metrics.md "Scorecard percentile").

Queries: the plans (2), the peers (1), one per measure family for the partner's goals and one per
family for the peers, three per family for the trend's past periods (``plans.trend``), plus the
tier reader's.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from partners.choices import PartnerStatus
from partners.measures import measures
from partners.models import Partner
from partners.selectors import tier_progress
from plans import selectors
from plans.choices import PlanStatus
from plans.progress import GoalProgress, level_moment, plan_on_track, progress_for_plans
from plans.trend import chart_data, trend_for_plan


@dataclass(frozen=True)
class Benchmark:
    percentile: int | None  # of the program's other active partners below this one (ties: half)
    median: Decimal | None
    peers: int
    tier_percentile: int | None = None  # the same among the peers of the partner's tier
    tier_peers: int = 0


@dataclass
class ScorecardRow:
    goal: object
    label: str
    progress: GoalProgress | None
    benchmark: Benchmark | None


@dataclass
class Scorecard:
    partner: Partner
    plan: object | None
    on_track: bool | None
    rows: list[ScorecardRow] = field(default_factory=list)
    tier: object | None = None
    trend: list = field(default_factory=list)  # plans.trend.GoalTrend of the measured goals

    @property
    def trend_periods(self) -> list:
        return [point.period for point in self.trend[0].points] if self.trend else []

    @property
    def trend_chart(self) -> dict:
        return chart_data(self.trend)


def percentile_rank(value: Decimal, peers: list[Decimal]) -> int | None:
    """Percent of ``peers`` below ``value``, a tie counting half; None without peers."""
    if not peers:
        return None
    below = sum(1 for p in peers if p < value)
    equal = sum(1 for p in peers if p == value)
    share = (Decimal(below) + Decimal(equal) / 2) * 100 / Decimal(len(peers))
    return int(share.to_integral_value(ROUND_HALF_UP))


def _pick_plan(plans, today):
    for plan in plans:
        if plan.status == PlanStatus.APPROVED and plan.period.start <= today <= plan.period.end:
            return plan
    return plans[0] if plans else None


def _peer_values(plan, goals, now) -> dict[int, list[tuple[Decimal, bool]]]:
    """goal id → (value, same tier) of the same measure for the plan's period at every other
    active partner of the program."""
    peers = list(
        Partner.objects.filter(program_id=plan.partner.program_id, status=PartnerStatus.ACTIVE)
        .exclude(pk=plan.partner_id)
        .only("pk", "activated_at", "tier_id")
    )
    if not peers:
        return {g.pk: [] for g in goals}
    same_tier = {p.pk for p in peers if p.tier_id is not None and p.tier_id == plan.partner.tier_id}
    since, until = plan.period.bounds()
    until = min(until, max(now, since))
    ids = [p.pk for p in peers]
    tables: dict = {}
    for goal in goals:
        definition = measures.get(goal.measure)
        fn = definition.compute_between or definition.compute
        if fn not in tables:
            subjects = sorted({g.subject_id for g in goals if g.subject_id})
            kwargs = {"partner_ids": ids, "subject_ids": subjects, "partners": peers}
            if definition.compute_between is not None:
                tables[fn] = fn(since=since, until=until, **kwargs)
            else:
                tables[fn] = fn(at=level_moment(until), **kwargs)
    values = {}
    for goal in goals:
        definition = measures.get(goal.measure)
        table = tables[definition.compute_between or definition.compute].get(goal.measure, {})
        values[goal.pk] = [
            (
                Decimal(str(table.get((pid, goal.subject_id) if goal.subject_id else pid, 0))),
                pid in same_tier,
            )
            for pid in ids
        ]
    return values


def goal_label(goal, definition, subjects: dict) -> str:
    """The measure's label, with the subject a goal names ("Offering adopted (Edge Gateway)")."""
    label = str(definition.label)
    subject = subjects.get((goal.measure, goal.subject_id)) if goal.subject_id else None
    return f"{label} ({subject})" if subject is not None else label


def goal_subjects(goals) -> dict:
    """``(measure, subject id) → subject`` of the goals narrowed to one (a certification, an
    offering): one call of the measure's ``subjects`` per measure."""
    wanted: dict[str, set[int]] = {}
    for goal in goals:
        if goal.subject_id and goal.measure in measures:
            wanted.setdefault(goal.measure, set()).add(goal.subject_id)
    found = {}
    for key, ids in wanted.items():
        reader = measures.get(key).subjects
        for subject_id, subject in (reader(sorted(ids)) if reader else {}).items():
            found[(key, subject_id)] = subject
    return found


def scorecard_for_partner(*, partner: Partner, now=None) -> Scorecard:
    """The caller has checked that the user may see ``partner``."""
    now = now or timezone.now()
    plans = selectors.plans_for_partner(partner_id=partner.pk, limit=10)
    plan = _pick_plan(plans, timezone.localdate(now))
    card = Scorecard(partner=partner, plan=plan, on_track=None, tier=tier_progress(partner))
    if plan is None:
        return card
    plan.partner = partner
    progress = progress_for_plans([plan], now=now)
    card.on_track = plan_on_track(plan, progress)
    subjects = goal_subjects(plan.goals.all())
    card.trend = trend_for_plan(plan, progress, now=now, subjects=subjects)
    measured = [g for g in plan.goals.all() if g.pk in progress]
    peers = _peer_values(plan, measured, now) if measured else {}
    for goal in plan.goals.all():
        definition = measures.get(goal.measure) if goal.measure in measures else None
        benchmark = None
        if goal.pk in peers:
            values = [value for value, _tier in peers[goal.pk]]
            tier_values = [value for value, tier in peers[goal.pk] if tier]
            actual = progress[goal.pk].actual
            benchmark = Benchmark(
                percentile=percentile_rank(actual, values),
                median=Decimal(str(statistics.median(values))) if values else None,
                peers=len(values),
                tier_percentile=percentile_rank(actual, tier_values),
                tier_peers=len(tier_values),
            )
        card.rows.append(
            ScorecardRow(
                goal=goal,
                label=goal_label(goal, definition, subjects) if definition else goal.text,
                progress=progress.get(goal.pk),
                benchmark=benchmark,
            )
        )
    return card
