"""A scorecard's trend: each measured goal's measure for the partner over the last four periods of
the plan's kind (fiscal quarters for a quarterly plan, fiscal years for a yearly one), the plan's
own period last (docs/metrics.md "Scorecard trend").

Each period's figure is counted exactly as a goal's actual (``plans.progress``): a *flow* measure
(``compute_between``) over the period's days in the vendor's time zone, the running period until
now; a *level* measure read at the period's last instant, but only when the measure says it can be
read at a past moment (``Measure.past_levels``: read from dated summaries, not from today's
people). Any other level measure shows "not available for past periods" for the earlier periods,
never today's figure passed off as an old one.

Queries: one call of each measure family's function per period (four at most per family; the
plan's own period is taken from the progress already computed), whatever the number of goals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from partners.measures import measures, number_text
from plans import periods
from plans.progress import GoalProgress, level_moment

PERIODS = 4


@dataclass(frozen=True)
class TrendPoint:
    period: periods.Period
    value: Decimal | None  # None: the measure cannot be read for this past period

    @property
    def text(self) -> str:
        return "" if self.value is None else number_text(self.value.quantize(Decimal("0.01")))


@dataclass(frozen=True)
class GoalTrend:
    goal: object
    label: str
    unit: str
    points: list[TrendPoint]

    @property
    def complete(self) -> bool:
        return all(point.value is not None for point in self.points)


def previous_period(period: periods.Period) -> periods.Period:
    if period.quarter == periods.YEAR:
        return periods.period_of(period.fiscal_year - 1)
    if period.quarter == 1:
        return periods.period_of(period.fiscal_year - 1, 4)
    return periods.period_of(period.fiscal_year, period.quarter - 1)


def last_periods(period: periods.Period, count: int = PERIODS) -> list[periods.Period]:
    """``period`` and the ``count - 1`` periods of its kind before it, oldest first."""
    found = [period]
    while len(found) < count:
        found.append(previous_period(found[-1]))
    return list(reversed(found))


def _moments(period: periods.Period, now: datetime.datetime):
    since, until = period.bounds()
    return since, min(until, max(now, since))


def trend_for_plan(
    plan,
    progress: dict[int, GoalProgress],
    *,
    now: datetime.datetime | None = None,
    subjects: dict | None = None,
) -> list[GoalTrend]:
    """The trend of each measured goal of ``plan`` (``plan.partner`` loaded) that has progress;
    ``progress`` is ``progress_for_plans([plan])`` for the same ``now``; ``subjects`` names the
    goals' subjects in their labels (``(measure, subject id) → subject``)."""
    now = now or timezone.now()
    goals = [g for g in plan.goals.all() if g.pk in progress]
    if not goals:
        return []
    partner = plan.partner
    subject_ids = sorted({g.subject_id for g in goals if g.subject_id})
    kwargs = {"partner_ids": [partner.pk], "subject_ids": subject_ids, "partners": [partner]}
    past = last_periods(plan.period)[:-1]
    tables: dict[tuple, dict] = {}  # (period key, fn) → the measure tables
    for goal in goals:
        definition = measures.get(goal.measure)
        flow = definition.compute_between is not None
        if not flow and not definition.past_levels:
            continue
        fn = definition.compute_between if flow else definition.compute
        for period in past:
            if (period.key, fn) in tables:
                continue
            since, until = _moments(period, now)
            tables[(period.key, fn)] = (
                fn(since=since, until=until, **kwargs)
                if flow
                else fn(at=level_moment(until), **kwargs)
            )
    trends = []
    for goal in goals:
        definition = measures.get(goal.measure)
        fn = definition.compute_between or definition.compute
        key = (partner.pk, goal.subject_id) if goal.subject_id else partner.pk
        points = []
        for period in past:
            table = tables.get((period.key, fn))
            value = None
            if table is not None:
                value = Decimal(str(table.get(goal.measure, {}).get(key, 0)))
            points.append(TrendPoint(period=period, value=value))
        points.append(TrendPoint(period=plan.period, value=progress[goal.pk].actual))
        subject = (subjects or {}).get((goal.measure, goal.subject_id))
        label = str(definition.label) + (f" ({subject})" if subject is not None else "")
        trends.append(GoalTrend(goal=goal, label=label, unit=definition.unit, points=points))
    return trends


def chart_data(trends: list[GoalTrend]) -> dict:
    """What the scorecard's chart draws (``json_script``): the period labels and, per goal, its
    values (null where not available)."""
    if not trends:
        return {"labels": [], "series": []}
    return {
        "labels": [point.period.label for point in trends[0].points],
        "series": [
            {
                "label": trend.label,
                "values": [None if p.value is None else float(p.value) for p in trend.points],
            }
            for trend in trends
        ],
    }
