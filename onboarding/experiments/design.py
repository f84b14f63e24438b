"""The sample size an experiment needs, from the effect the admin wants to detect (statsmodels).

Two-sided test of two proportions at the arcsine effect size (Cohen's h):
    h = 2*asin(sqrtp2) - 2*asin(sqrtp1),  p1 = baseline, p2 = baseline + minimum difference
    n1 = NormalIndPower().solve_power(h, alpha=alpha', power=1-beta, ratio=w2/w1)
With k variants each is compared with the control (the first), at alpha' = alpha / (k - 1) (Bonferroni),
so the family of comparisons keeps its false-positive rate at alpha. Variant i needs n1*wi/w1
partners (rounded up). Example in docs/metrics.md: 20 % -> 30 %, alpha 0.05, power 0.8, equal weights:
h = 0.2319, n = 292 per variant.
"""

import math
from dataclasses import dataclass

from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize


@dataclass(frozen=True)
class Design:
    baseline: float  # activation rate of the control, 0..1
    difference: float  # minimum detectable difference, 0..1 (absolute)
    alpha: float = 0.05
    power: float = 0.8
    weights: tuple[int, ...] = (1, 1)

    @property
    def comparisons(self) -> int:
        return max(1, len(self.weights) - 1)

    @property
    def comparison_alpha(self) -> float:
        return self.alpha / self.comparisons

    @property
    def target(self) -> float:
        return min(self.baseline + self.difference, 0.999)

    @property
    def effect_size(self) -> float:
        # proportion_effectsize(p1, p2) = 2*asin(sqrtp1) - 2*asin(sqrtp2): target first, so h > 0
        return float(proportion_effectsize(self.target, self.baseline))


def sample_sizes(design: Design) -> list[int]:
    """Partners per variant (in the variants' order) whose window must close before a verdict."""
    if not 0 < design.baseline < 1 or design.difference <= 0:
        raise ValueError("baseline must be in (0, 1) and the difference positive")
    control = design.weights[0]
    largest = 0.0
    for weight in design.weights[1:]:
        n_control = NormalIndPower().solve_power(
            effect_size=design.effect_size,
            alpha=design.comparison_alpha,
            power=design.power,
            ratio=weight / control,
            alternative="two-sided",
        )
        largest = max(largest, float(n_control))
    return [math.ceil(largest * weight / control) for weight in design.weights]


def achieved_power(design: Design, n_control: int) -> float:
    """The power of the test with ``n_control`` partners in the control (the simulation compares
    its empirical power with this)."""
    return float(
        NormalIndPower().power(
            effect_size=design.effect_size,
            nobs1=n_control,
            alpha=design.comparison_alpha,
            ratio=design.weights[1] / design.weights[0],
            alternative="two-sided",
        )
    )
