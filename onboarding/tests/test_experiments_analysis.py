"""The experiment statistics reproduce known results on fixed data sets, checked against an
independent computation: published textbook numbers (with their source) and the closed formulas
written out here with the standard library only."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from onboarding.experiments.analysis import Record, analyse, durations, wilson
from onboarding.experiments.design import Design, achieved_power, sample_sizes

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=200)  # every window of 90 days closed


def _closed(variant: int, activated: int, total: int) -> list[Record]:
    """``total`` partners whose window has closed, ``activated`` of them on day 10."""
    return [
        Record(
            variant=variant,
            joined_at=LONG_AGO,
            activated_at=LONG_AGO + timedelta(days=10) if i < activated else None,
        )
        for i in range(total)
    ]


def _pooled_z(k1, n1, k2, n2):
    """The pooled two-proportion z-test by hand: z = (p1 - p2) / sqrt(p(1-p)(1/n1 + 1/n2))."""
    p1, p2, p = k1 / n1, k2 / n2, (k1 + k2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return z, math.erfc(abs(z) / math.sqrt(2))  # two-sided p = 2 * (1 - Phi(|z|))


def _wilson_by_hand(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_the_wilson_interval_matches_newcombes_published_example():
    # Newcombe RG (1998), "Two-sided confidence intervals for the single proportion",
    # Stat Med 17:857-872, Table II: 81/263, Wilson score interval 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert (low, high) == pytest.approx(_wilson_by_hand(81, 263), abs=1e-12)


def test_a_known_difference_is_found_with_the_published_interval_and_the_hand_z_test():
    # Newcombe RG (1998), "Interval estimation for the difference between independent
    # proportions", Stat Med 17:873-890, example (a): 56/70 vs 48/80, difference 0.2000,
    # method 10 (score, no continuity correction) 0.0524 to 0.3339.
    records = _closed(1, 48, 80) + _closed(2, 56, 70)
    result = analyse(
        records, variant_ids=[1, 2], planned=[70, 70], now=NOW, window_days=90, alpha=0.05
    )
    (comparison,) = result.comparisons
    assert comparison.difference == pytest.approx(0.2)
    assert (round(comparison.ci_low, 4), round(comparison.ci_high, 4)) == (0.0524, 0.3339)
    z, p = _pooled_z(56, 70, 48, 80)
    assert comparison.z == pytest.approx(z) and comparison.p_value == pytest.approx(p)
    assert round(z, 3) == 2.650 and p < 0.01  # p1 .8, p2 .6, pooled .6933, se .07547
    assert result.ready and result.winner == 2 and comparison.significant
    control, variant = result.variants
    assert (control.closed, control.activated, variant.activated) == (80, 48, 56)
    assert (control.ci_low, control.ci_high) == pytest.approx(_wilson_by_hand(48, 80))


def test_no_difference_gives_no_winner_and_a_p_value_of_one():
    records = _closed(1, 30, 100) + _closed(2, 30, 100)
    result = analyse(records, variant_ids=[1, 2], planned=[100, 100], now=NOW, window_days=90)
    (comparison,) = result.comparisons
    assert comparison.difference == 0 and comparison.p_value == pytest.approx(1.0)
    assert comparison.ci_low < 0 < comparison.ci_high
    assert comparison.logrank_p == pytest.approx(1.0)
    assert result.ready and result.winner is None


def test_no_verdict_before_the_planned_sample_has_completed_its_window():
    records = _closed(1, 48, 80) + _closed(2, 56, 70)
    result = analyse(records, variant_ids=[1, 2], planned=[292, 292], now=NOW, window_days=90)
    assert not result.ready and result.winner is None
    assert result.comparisons[0].significant  # significant, yet no decision: fixed horizon


def test_a_partner_still_in_its_window_is_censored_never_a_failure():
    joined_old = NOW - timedelta(days=120)
    records = [
        Record(1, joined_old, joined_old + timedelta(days=10)),  # activated day 10
        Record(1, joined_old, joined_old + timedelta(days=20)),  # activated day 20
        Record(1, NOW - timedelta(days=15), None),  # 15 days in: still in its window
        Record(1, joined_old, None),  # window closed, not activated
    ]
    result = analyse(records, variant_ids=[1], planned=[4], now=NOW, window_days=90)
    (variant,) = result.variants
    # the rate counts closed windows only: 2 of 3, not 2 of 4
    assert (variant.assigned, variant.closed, variant.activated, variant.in_window) == (4, 3, 2, 1)
    assert variant.rate == pytest.approx(2 / 3)
    # Kaplan-Meier by hand: day 10, 4 at risk, 1 event: S = 3/4; the day-15 partner leaves the
    # risk set censored; day 20, 2 at risk, 1 event: S = 3/4 * 1/2 = 3/8, so 62.5 % activated.
    # Counted as a failure it would stay at risk: S = 3/4 * 2/3 = 1/2 (50 %).
    curve = dict(variant.curve)
    assert curve[10.0] == pytest.approx(0.25) and curve[20.0] == pytest.approx(0.625)
    assert variant.median_days == 20.0
    assert durations(records[2], now=NOW, window_days=90) == (15.0, False, False)


def test_an_activation_after_the_window_is_not_an_activation():
    joined = NOW - timedelta(days=200)
    record = Record(1, joined, joined + timedelta(days=91))
    assert durations(record, now=NOW, window_days=90) == (90.0, False, True)


def test_sample_size_matches_the_hand_formula():
    # n = 2 (z_{1-alpha/2} + z_{power})^2 / h^2 per group (the arcsine of a proportion has
    # variance 1/(4n), so 2 asin sqrt has 1/n and a difference 2/n); h = 2 asin sqrt(.3) - 2 asin
    # sqrt(.2) = 0.2320: 2 (1.95996 + 0.84162)^2 / 0.2320^2 = 291.7 -> 292 per variant.
    design = Design(baseline=0.2, difference=0.1, alpha=0.05, power=0.8)
    h = 2 * math.asin(math.sqrt(0.3)) - 2 * math.asin(math.sqrt(0.2))
    assert design.effect_size == pytest.approx(h)
    by_hand = 2 * (1.959963984540054 + 0.8416212335729143) ** 2 / h**2
    assert sample_sizes(design) == [math.ceil(by_hand), math.ceil(by_hand)] == [292, 292]
    assert achieved_power(design, 292) == pytest.approx(0.80, abs=0.005)


def test_sample_size_matches_cohens_published_table():
    # Cohen J (1988), Statistical Power Analysis for the Behavioral Sciences, 2nd ed., Table
    # 6.4.1: h = 0.20, two-sided alpha .05, power .80 -> n = 392 per group (h = 0.50 -> 63), rounded.
    from statsmodels.stats.power import NormalIndPower

    for h, n in ((0.2, 392), (0.5, 63)):
        assert round(NormalIndPower().solve_power(h, alpha=0.05, power=0.8)) == n


def test_three_variants_split_alpha_and_unequal_weights_scale_the_sample():
    three = Design(baseline=0.2, difference=0.1, weights=(1, 1, 1))
    assert three.comparison_alpha == pytest.approx(0.025)
    assert sample_sizes(three)[0] > 292
    two_to_one = sample_sizes(Design(baseline=0.2, difference=0.1, weights=(2, 1)))
    assert two_to_one[0] == pytest.approx(2 * two_to_one[1], abs=1)
