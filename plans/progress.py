"""Progress of measured goals, from the same measures tiers use (``partners.measures``).

A goal's **actual** is its measure for the plan's period (docs/metrics.md "Business plan
progress"): a *flow* measure (one with ``compute_between``: deals won, revenue won, courses
completed) counts what happened in the period, from the first day's midnight to the midnight after
the last day (or now, while it runs); a *level* measure (certified people, adoption score, active
users, activation) is read at the period's end, or now while it runs.

**Pace**: ``share`` = elapsed days of the period (today included) / days of the period;
``expected`` = target * share; a goal is on track when actual ≥ expected. Before the period
starts nothing is expected (on track); after it ends the whole target is.

``progress_for_plans`` costs a fixed number of queries per (period, compute function) pair,
whatever the number of plans and goals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from partners.measures import Unit, measures, number_text
from plans.models import Goal


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    actual: Decimal
    target: Decimal
    share: Decimal  # of the period elapsed, 0..1
    unit: str

    @property
    def expected(self) -> Decimal:
        return self.target * self.share

    @property
    def percent(self) -> int:
        """Actual as a whole percentage of the target (may pass 100)."""
        return int((self.actual * 100 / self.target).to_integral_value(ROUND_HALF_UP))

    @property
    def share_percent(self) -> int:
        return int((self.share * 100).to_integral_value(ROUND_HALF_UP))

    @property
    def on_track(self) -> bool:
        return self.actual >= self.expected

    @property
    def bar_percent(self) -> int:
        return max(0, min(self.percent, 100))

    @property
    def pace_text(self) -> str:
        values = {"percent": self.percent, "share": self.share_percent}
        if self.on_track:
            return _("On track: %(percent)s%% of target at %(share)s%% of the period") % values
        return _("Behind: %(percent)s%% of target at %(share)s%% of the period") % values

    @property
    def actual_text(self) -> str:
        return number_text(self.actual.quantize(Decimal("0.01")))


def level_moment(until: datetime.datetime) -> datetime.datetime:
    """A level measure is read at the last instant of the period (its last day, not the next
    day's midnight), or now while the period runs."""
    return until - datetime.timedelta(microseconds=1)


def _moments(period, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    since, until = period.bounds()
    return since, min(until, max(now, since))


def progress_for_plans(plans, *, now: datetime.datetime | None = None) -> dict[int, GoalProgress]:
    """``goal id → GoalProgress`` for the measured goals of ``plans`` (with ``goals`` and
    ``partner`` loaded or cheap to load). Goals whose measure is no longer registered are left
    out (the page shows them without progress)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    groups: dict[tuple, dict] = {}  # (fiscal_year, quarter, compute, flow) → partners, subjects
    goals: list[tuple[Goal, object]] = []
    for plan in plans:
        for goal in plan.goals.all():
            if not goal.is_measured or goal.measure not in measures:
                continue
            definition = measures.get(goal.measure)
            flow = definition.compute_between is not None
            fn = definition.compute_between if flow else definition.compute
            group = groups.setdefault(
                (plan.fiscal_year, plan.quarter, fn, flow),
                {"period": plan.period, "partners": {}, "subjects": set()},
            )
            group["partners"][plan.partner_id] = plan.partner
            if goal.subject_id:
                group["subjects"].add(goal.subject_id)
            goals.append((goal, plan))
    tables: dict[tuple, dict] = {}
    for (year, quarter, fn, flow), group in groups.items():
        since, until = _moments(group["period"], now)
        kwargs = {
            "partner_ids": sorted(group["partners"]),
            "subject_ids": sorted(group["subjects"]),
            "partners": list(group["partners"].values()),
        }
        tables[(year, quarter, fn)] = (
            fn(since=since, until=until, **kwargs) if flow else fn(at=level_moment(until), **kwargs)
        )
    result = {}
    for goal, plan in goals:
        definition = measures.get(goal.measure)
        fn = definition.compute_between or definition.compute
        table = tables[(plan.fiscal_year, plan.quarter, fn)].get(goal.measure, {})
        key = (plan.partner_id, goal.subject_id) if goal.subject_id else plan.partner_id
        result[goal.pk] = GoalProgress(
            goal=goal,
            actual=Decimal(str(table.get(key, 0))),
            target=goal.target,
            share=plan.period.elapsed_share(today),
            unit=definition.unit,
        )
    return result


def plan_on_track(plan, progress: dict[int, GoalProgress]) -> bool | None:
    """Every measured goal on track (None when the plan has no measured goal)."""
    rows = [progress[g.pk] for g in plan.goals.all() if g.pk in progress]
    if not rows:
        return None
    return all(row.on_track for row in rows)


def unit_label(unit: str) -> str:
    return str(Unit(unit).label) if unit in Unit.values else unit
