"""The statistics of an activation experiment: pure functions over plain records, so the results
page, the tests and the simulation (bench/experiments_simulation.py) run the same code.

Per variant (docs/metrics.md "Activation experiments" states each formula with an example):
- the **rate** counts only partners whose N-day window has closed: activated within N days of
  joining / closed windows, with a Wilson interval (statsmodels ``proportion_confint``);
- **time to activation** is a Kaplan-Meier curve (lifelines): a partner activated within its
  window is an event at its day; every other partner is censored at min(days since joining, N),
  so a partner still in its window is never counted as a failure;
- each variant against the control (the first): the difference of the rates with a Newcomb
  (Wilson-score) interval, the pooled two-proportion z-test and the log-rank test of the curves,
  at alpha/(k-1) per comparison (Bonferroni).

Fixed-horizon design: the z-test is a **decision** only once every variant has its planned
number of partners with a closed window (``Analysis.ready``); before that the page shows
progress and no verdict, because looking at a p-value again and again and stopping when it dips
under alpha inflates the false-positive rate.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

DAY = 86400.0


@dataclass(frozen=True)
class Record:
    """One assigned partner: its variant, when its window started and when it activated."""

    variant: int
    joined_at: datetime
    activated_at: datetime | None


@dataclass
class VariantResult:
    variant: int
    assigned: int = 0
    closed: int = 0  # windows closed: the denominator of the rate
    activated: int = 0  # of the closed, activated within the window
    in_window: int = 0  # still in their window (censored in the curve)
    activated_in_window_so_far: int = 0  # of those still in their window, already activated
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    planned: int = 0
    curve: list[tuple[float, float]] = field(default_factory=list)  # (day, share activated)
    median_days: float | None = None


@dataclass
class Comparison:
    variant: int
    control: int
    difference: float | None = None  # rate(variant) - rate(control)
    ci_low: float | None = None
    ci_high: float | None = None
    z: float | None = None
    p_value: float | None = None
    logrank_p: float | None = None
    significant: bool = False  # at the per-comparison alpha; a decision only when ready


@dataclass
class Analysis:
    variants: list[VariantResult]
    comparisons: list[Comparison]
    alpha: float
    comparison_alpha: float
    ready: bool  # every variant has its planned closed windows: the test is a decision
    winner: int | None  # the variant id, when ready and one beats the control significantly


def durations(record: Record, *, now: datetime, window_days: int) -> tuple[float, bool, bool]:
    """(days observed, activated within the window, window closed) for one partner."""
    window_end = record.joined_at + timedelta(days=window_days)
    activated = record.activated_at is not None and record.activated_at <= window_end
    if activated and record.activated_at <= now:
        days = max((record.activated_at - record.joined_at).total_seconds(), 0.0) / DAY
        return days, True, now >= window_end
    observed = min(now, window_end) - record.joined_at
    return max(observed.total_seconds(), 0.0) / DAY, False, now >= window_end


def wilson(count: int, nobs: int) -> tuple[float, float]:
    low, high = proportion_confint(count, nobs, alpha=0.05, method="wilson")
    return float(low), float(high)


def _curve(days: list[float], events: list[bool], window_days: int):
    """Kaplan-Meier: (day, share activated = 1 - S(day)) steps, and the median time to
    activation (None while fewer than half have activated)."""
    if not days:
        return [], None
    fitter = KaplanMeierFitter()
    fitter.fit(days, event_observed=events)
    survival = fitter.survival_function_.iloc[:, 0]
    points = [(0.0, 0.0)]
    points += [(round(float(t), 2), round(1.0 - float(s), 4)) for t, s in survival.items() if t > 0]
    if points[-1][0] < window_days:
        points.append((float(window_days), points[-1][1]))
    median = fitter.median_survival_time_
    return points, (None if math.isinf(median) else round(float(median), 1))


def analyse(
    records: list[Record],
    *,
    variant_ids: list[int],
    planned: list[int],
    now: datetime,
    window_days: int,
    alpha: float = 0.05,
) -> Analysis:
    """The results of one experiment at ``now``; the first variant is the control."""
    by_variant = {
        pk: VariantResult(variant=pk, planned=n) for pk, n in zip(variant_ids, planned, strict=True)
    }
    observed: dict[int, tuple[list[float], list[bool]]] = {pk: ([], []) for pk in variant_ids}
    for record in records:
        result = by_variant.get(record.variant)
        if result is None:
            continue
        days, activated, closed = durations(record, now=now, window_days=window_days)
        result.assigned += 1
        observed[record.variant][0].append(days)
        observed[record.variant][1].append(activated)
        if closed:
            result.closed += 1
            result.activated += activated
        else:
            result.in_window += 1
            result.activated_in_window_so_far += activated
    for pk, result in by_variant.items():
        if result.closed:
            result.rate = result.activated / result.closed
            result.ci_low, result.ci_high = wilson(result.activated, result.closed)
        result.curve, result.median_days = _curve(*observed[pk], window_days)
    comparison_alpha = alpha / max(1, len(variant_ids) - 1)
    control = by_variant[variant_ids[0]]
    comparisons = [
        _compare(by_variant[pk], control, observed, comparison_alpha) for pk in variant_ids[1:]
    ]
    ready = all(r.closed >= r.planned > 0 for r in by_variant.values())
    winner = None
    if ready:
        winner = _winner(control, comparisons, by_variant)
    return Analysis(
        variants=list(by_variant.values()),
        comparisons=comparisons,
        alpha=alpha,
        comparison_alpha=comparison_alpha,
        ready=ready,
        winner=winner,
    )


def _compare(result: VariantResult, control: VariantResult, observed, alpha: float) -> Comparison:
    comparison = Comparison(variant=result.variant, control=control.variant)
    if result.closed and control.closed:
        comparison.difference = result.rate - control.rate
        low, high = confint_proportions_2indep(
            result.activated, result.closed, control.activated, control.closed,
            method="newcomb", compare="diff", alpha=0.05,
        )  # fmt: skip
        comparison.ci_low, comparison.ci_high = float(low), float(high)
        total = result.activated + control.activated
        if 0 < total < result.closed + control.closed:  # the z-test needs both outcomes seen
            z, p = proportions_ztest(
                [result.activated, control.activated], [result.closed, control.closed]
            )
            comparison.z, comparison.p_value = float(z), float(p)
            comparison.significant = comparison.p_value < alpha
        elif total in (0, result.closed + control.closed):
            comparison.z, comparison.p_value = 0.0, 1.0
    days_a, events_a = observed[result.variant]
    days_b, events_b = observed[control.variant]
    if days_a and days_b and (any(events_a) or any(events_b)):
        test = logrank_test(days_a, days_b, event_observed_A=events_a, event_observed_B=events_b)
        comparison.logrank_p = float(test.p_value)
    return comparison


def _winner(control: VariantResult, comparisons: list[Comparison], by_variant) -> int | None:
    """The best variant when it beats the control significantly; the control when it beats every
    other significantly; None (no difference detected) otherwise."""
    better = [c for c in comparisons if c.significant and c.difference > 0]
    if better:
        return max(better, key=lambda c: c.difference).variant
    if comparisons and all(c.significant and c.difference < 0 for c in comparisons):
        return control.variant
    return None
