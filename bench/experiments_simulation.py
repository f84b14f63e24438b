"""Simulation of activation experiments (issue 22): does the fixed-horizon design keep its
promises? Prints figures; it is not a test.

    uv run python bench/experiments_simulation.py                  # 200 + 200 experiments
    uv run python bench/experiments_simulation.py --runs 1000 --seed 7

For each simulated experiment: partners join one by one over time and are split 1:1; each
activates within the 90-day window with probability p (on a day drawn uniformly in the window),
otherwise never. The analysis (``onboarding.experiments.analysis.analyse``, the code of the
results page: Wilson, Newcomb, pooled z-test, Kaplan-Meier, log-rank) runs at the fixed horizon:
the day the planned sample of every variant has completed its window. A further 20 % of partners
joined since are still in their window at that moment: censored, they must not change the rate.

1. **No true difference** (both arms at the baseline): the share of experiments that declare a
   winner is the false-positive rate; it must be at or below alpha (with its 95 % Clopper-Pearson
   interval).
2. **A true difference** equal to the minimum detectable difference: the share that declares the
   right winner is the empirical power; the sample-size calculation promised ``--power``.
3. For contrast, the same null experiments read with **peeking**: a look every 30 days from the
   first closed windows, stopping at the first p < alpha. That inflates false positives, which
   is why the page gives no verdict before the planned sample.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from onboarding.experiments.analysis import Record, analyse
from onboarding.experiments.design import Design, achieved_power, sample_sizes

START = datetime(2025, 1, 1, tzinfo=UTC)
WINDOW = 90


def simulate(rng: random.Random, *, rates: tuple[float, float], planned: int, per_day: float):
    """One experiment's partners: (records, horizon). Partners join at ``per_day`` a day,
    alternately assigned in shuffled blocks of 4 until each arm has ``planned`` partners, then
    20 % more join before the horizon (the last planned window closing)."""
    records = []
    block: list[int] = []
    counts = [0, 0]
    t = START
    while min(counts) < planned:
        if not block:
            block = [1, 1, 2, 2]
            rng.shuffle(block)
        variant = block.pop()
        counts[variant - 1] += 1
        t += timedelta(days=rng.expovariate(per_day))
        records.append(_partner(rng, variant, t, rates[variant - 1]))
    horizon = t + timedelta(days=WINDOW)
    # keep assigning until the horizon (those partners are still in their window then)
    extra_until = t + timedelta(days=0.2 * 2 * planned / per_day)  # 20 % more partners
    while t < min(extra_until, horizon - timedelta(days=1)):
        if not block:
            block = [1, 1, 2, 2]
            rng.shuffle(block)
        variant = block.pop()
        t += timedelta(days=rng.expovariate(per_day))
        records.append(_partner(rng, variant, t, rates[variant - 1]))
    return records, horizon


def _partner(rng, variant, joined, rate) -> Record:
    activated = None
    if rng.random() < rate:
        activated = joined + timedelta(days=rng.uniform(0, WINDOW))
    return Record(variant=variant, joined_at=joined, activated_at=activated)


def run(args) -> None:
    design = Design(
        baseline=args.baseline, difference=args.difference, alpha=args.alpha, power=args.power
    )
    planned = sample_sizes(design)[0]
    promised = achieved_power(design, planned)
    rng = random.Random(args.seed)  # noqa: S311 (a reproducible simulation, not a secret)
    started = time.perf_counter()
    print(
        f"Design: baseline {design.baseline:.0%}, minimum difference {design.difference:.0%}, "
        f"alpha {design.alpha}, power {design.power}: h = {design.effect_size:.4f}, "
        f"{planned} partners per variant (statsmodels NormalIndPower)"
    )
    false_positives = peeking_positives = 0
    censored_total = 0
    for _ in range(args.runs):
        records, horizon = simulate(
            rng, rates=(design.baseline, design.baseline), planned=planned, per_day=args.per_day
        )
        result = analyse(
            records, variant_ids=[1, 2], planned=[planned, planned], now=horizon,
            window_days=WINDOW, alpha=design.alpha,
        )  # fmt: skip
        assert result.ready
        censored_total += sum(v.in_window for v in result.variants)
        false_positives += result.winner is not None
        peeking_positives += _peeks(records, horizon, design.alpha)
    detected = 0
    for _ in range(args.runs):
        records, horizon = simulate(
            rng, rates=(design.baseline, design.target), planned=planned, per_day=args.per_day
        )
        result = analyse(
            records, variant_ids=[1, 2], planned=[planned, planned], now=horizon,
            window_days=WINDOW, alpha=design.alpha,
        )  # fmt: skip
        detected += result.winner == 2
    fp_low, fp_high = proportion_confint(false_positives, args.runs, method="beta")
    pw_low, pw_high = proportion_confint(detected, args.runs, method="beta")
    pk_low, pk_high = proportion_confint(peeking_positives, args.runs, method="beta")
    print(
        f"No true difference, {args.runs} experiments: false-positive rate "
        f"{false_positives / args.runs:.3f} (95 % CI {fp_low:.3f}-{fp_high:.3f}), alpha "
        f"{design.alpha}; partners still in their window at the verdict (censored): "
        f"{censored_total / args.runs:.0f} per experiment"
    )
    print(
        f"True difference of {design.difference:.0%}, {args.runs} experiments: empirical power "
        f"{detected / args.runs:.3f} (95 % CI {pw_low:.3f}-{pw_high:.3f}), "
        f"sample-size calculation {promised:.3f}"
    )
    print(
        f"Peeking every 30 days and stopping at the first p < alpha (what the page refuses): "
        f"false-positive rate {peeking_positives / args.runs:.3f} "
        f"(95 % CI {pk_low:.3f}-{pk_high:.3f})"
    )
    print(f"({time.perf_counter() - started:.0f} s)")


def _peeks(records, horizon, alpha) -> bool:
    """True when some monthly look at the closed windows so far shows p < alpha."""
    look = START + timedelta(days=WINDOW + 30)
    while look <= horizon:
        counts = {1: [0, 0], 2: [0, 0]}
        for r in records:
            if r.joined_at + timedelta(days=WINDOW) <= look:
                activated = (
                    r.activated_at is not None
                    and r.activated_at <= r.joined_at + timedelta(days=WINDOW)
                )
                counts[r.variant][0] += activated
                counts[r.variant][1] += 1
        (k1, n1), (k2, n2) = counts[1], counts[2]
        seen_both = n1 > 10 and n2 > 10 and 0 < k1 + k2 < n1 + n2
        if seen_both and proportions_ztest([k2, k1], [n2, n1])[1] < alpha:
            return True
        look += timedelta(days=30)
    return False


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--baseline", type=float, default=0.3)
    parser.add_argument("--difference", type=float, default=0.1)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--power", type=float, default=0.8)
    parser.add_argument("--per-day", type=float, default=4.0, help="partners joining a day")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
