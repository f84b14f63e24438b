"""Churn forecast, part 2: the model, its honest backtest against the at-risk rules, the stored
versions and the daily forecasts (docs/metrics.md "Churn forecast").

Model: a logistic regression (scikit-learn) on standardised features. A partner's risk is
``p = 1 / (1 + exp(-(b + Σ w_i z_i)))`` with ``z_i = (x_i - mean_i) / scale_i``; feature i's
contribution is ``w_i z_i``, exact, and the positive ones are the reasons. A version is stored
as data (``ChurnModel``: names, coefficients, intercept, means, scales), never a pickle.

Backtest: ``C`` is the last day whose 90-day label window has closed (the last scores day - 90).
The backtest model is trained only on as-of days ``D <= C - 90`` (their windows close by C),
then scores the partners at C and is judged on what happened in (C, C+90]; the at-risk rules,
replayed at C (``metrics.churn.rule_flags``), are judged on the same partners. The model beats
the rules when its ROC AUC is higher and its precision among its top k is at least the rules'
precision, k being the size of the rules' list. The version actually used is then trained on
every as-of day up to C. Too little history (fewer than ``PRM_CHURN_MIN_ROWS`` labelled rows or
``PRM_CHURN_MIN_POSITIVES`` positives in the backtest's training set): no model, the rules.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from metrics import conf
from metrics.churn import (
    FEATURES,
    HORIZON_DAYS,
    features_as_of,
    labels_for,
    rule_flags,
    statuses_at,
)
from metrics.models import AdoptionScore, ChurnForecast, ChurnModel, ChurnModelStatus

logger = logging.getLogger(__name__)

#: Training as-of days are this far apart, back from the cut-off (their windows overlap: more
#: rows from a short history; the backtest's test day is still after every training window).
STEP_DAYS = 15
#: At most this many training as-of days (a year at 15 days).
MAX_DAYS = 24
#: How many contributions are kept per forecast (the reasons shown are the positive ones).
TOP_REASONS = 3
#: The reliability table's bins.
BINS = 10
#: Forecast days kept (the latest is shown; a week back for looking at changes).
KEEP_DAYS = 7


@dataclass
class Dataset:
    rows: list  # PartnerFeatures
    labels: list[bool]


def scores_span() -> tuple[date | None, date | None]:
    """The first and last day with adoption scores."""
    from django.db.models import Max, Min

    found = AdoptionScore.objects.aggregate(first=Min("day"), last=Max("day"))
    return found["first"], found["last"]


def as_of_days(*, latest: date, first: date) -> list[date]:
    """Training as-of days: ``latest``, then every ``STEP_DAYS`` back while D - 60 has scores
    (the activity baseline of the features and the label needs them), at most ``MAX_DAYS``."""
    out, d = [], latest
    while d - timedelta(days=60) >= first and len(out) < MAX_DAYS:
        out.append(d)
        d -= timedelta(days=STEP_DAYS)
    return sorted(out)


def dataset(days: list[date]) -> Dataset:
    """Features and labels of every forecast partner on each of ``days`` (windows closed)."""
    rows, labels = [], []
    if not days:
        return Dataset(rows, labels)
    statuses = statuses_at(days)
    for d in days:
        found = features_as_of(d, statuses=statuses[d])
        lab = labels_for(d, [r.partner_id for r in found])
        rows += found
        labels += [lab[r.partner_id] for r in found]
    return Dataset(rows, labels)


def fit(data: Dataset):
    """A logistic regression on standardised features. No class weights: the probabilities shown
    must stay calibrated (the reliability table checks it)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.array([r.values for r in data.rows], dtype=float)
    y = np.array(data.labels, dtype=int)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(scaler.transform(x), y)
    return scaler, model


@dataclass(frozen=True)
class Params:
    """A version's numbers, as stored: enough to score and explain without scikit-learn."""

    names: list[str]
    coefficients: list[float]
    intercept: float
    means: list[float]
    scales: list[float]

    @classmethod
    def of(cls, scaler, model) -> Params:
        return cls(
            names=list(FEATURES),
            coefficients=[float(c) for c in model.coef_[0]],
            intercept=float(model.intercept_[0]),
            means=[float(m) for m in scaler.mean_],
            scales=[float(s) for s in scaler.scale_],
        )

    @classmethod
    def stored(cls, version: ChurnModel) -> Params:
        return cls(
            names=version.feature_names,
            coefficients=version.coefficients,
            intercept=version.intercept,
            means=version.means,
            scales=version.scales,
        )

    def contributions(self, values: list[float]) -> list[float]:
        return [
            w * ((x - m) / s if s else 0.0)
            for w, x, m, s in zip(self.coefficients, values, self.means, self.scales, strict=True)
        ]

    def probability(self, values: list[float]) -> float:
        z = self.intercept + sum(self.contributions(values))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _auc(labels: list[bool], scores: list[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return None
    return float(roc_auc_score(labels, scores))


def _precision_at(labels: list[bool], scores: list[float], k: int) -> float | None:
    """Precision among the ``k`` highest scores (ties broken by position: stable)."""
    if k <= 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    return sum(labels[i] for i in order) / k


def reliability(labels: list[bool], probs: list[float]) -> list[dict]:
    """Per tenth of the probability scale with partners in it: how many, the mean forecast and
    the share that did churn (a calibrated model has both close)."""
    bins: list[list[int]] = [[] for _ in range(BINS)]
    for i, p in enumerate(probs):
        bins[min(BINS - 1, int(p * BINS))].append(i)
    return [
        {
            "low": b / BINS,
            "high": (b + 1) / BINS,
            "n": len(ix),
            "forecast": sum(probs[i] for i in ix) / len(ix),
            "observed": sum(labels[i] for i in ix) / len(ix),
        }
        for b, ix in enumerate(bins)
        if ix
    ]


def evaluate(labels: list[bool], probs: list[float], rule_counts: list[int]) -> dict:
    """The backtest figures of the model (``probs``) and of the rules (``rule_counts``: how many
    rules flag each partner; flagged = at least one) on the same partners, in the same order."""
    from sklearn.metrics import brier_score_loss

    n, positives = len(labels), sum(labels)
    top = max(1, math.ceil(n / 10)) if n else 0
    flagged = [c > 0 for c in rule_counts]
    k_rules = sum(flagged)
    hits_rules = sum(1 for f, y in zip(flagged, labels, strict=True) if f and y)
    model_at_rules = _precision_at(labels, probs, k_rules)
    model_top_hits = (_precision_at(labels, probs, top) or 0) * top
    return {
        "partners": n,
        "positives": positives,
        "base_rate": positives / n if n else None,
        "model": {
            "auc": _auc(labels, probs),
            "top_k": top,
            "precision_top10": _precision_at(labels, probs, top),
            "recall_top10": model_top_hits / positives if positives else None,
            "precision_at_rules_k": model_at_rules,
            "brier": float(brier_score_loss(labels, probs)) if n else None,
            "reliability": reliability(labels, probs),
        },
        "rules": {
            "auc": _auc(labels, [float(c) for c in rule_counts]),
            "listed": k_rules,
            "precision": hits_rules / k_rules if k_rules else None,
            "recall": hits_rules / positives if positives else None,
            "brier": None,  # a list, not a probability
        },
    }


def beats(figures: dict) -> bool:
    """The model beats the rules: a higher AUC (a missing AUC beats nothing) and, when the rules
    list anyone, a precision at the rules' list size at least theirs."""
    m, r = figures["model"], figures["rules"]
    if m["auc"] is None:
        return False
    if r["auc"] is not None and m["auc"] <= r["auc"]:
        return False
    return r["precision"] is None or (m["precision_at_rules_k"] or 0) >= r["precision"]


def backtest(*, cutoff: date, first: date) -> tuple[Dataset, dict | None, str]:
    """Train on as-of days whose windows close by ``cutoff`` and judge at ``cutoff``. Returns
    the training set, the figures (None: too little history) and a note."""
    train = dataset(as_of_days(latest=cutoff - timedelta(days=HORIZON_DAYS), first=first))
    rows, positives = len(train.rows), sum(train.labels)
    if rows < conf.churn_min_rows() or positives < conf.churn_min_positives():
        return (
            train,
            None,
            (
                f"{rows} labelled partner-periods with {positives} churned or halved before "
                f"{cutoff}; at least {conf.churn_min_rows()} and {conf.churn_min_positives()} needed."
            ),
        )
    scaler, model = fit(train)
    params = Params.of(scaler, model)
    test = dataset([cutoff])
    probs = [params.probability(r.values) for r in test.rows]
    flags = rule_flags(test.rows)
    counts = [flags[r.partner_id].count for r in test.rows]
    figures = evaluate(test.labels, probs, counts)
    figures["gradient_boosting"] = _boosting(train, test)
    return train, figures, ""


def _boosting(train: Dataset, test: Dataset) -> dict:
    """For comparison only: gradient boosting on the same rows (its reasons would not be exact,
    so it is never the model in use). Its AUC and Brier score on the same test partners."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import brier_score_loss

    if not test.rows or len(set(train.labels)) < 2:
        return {"auc": None, "brier": None}
    boost = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=0)
    boost.fit([r.values for r in train.rows], train.labels)
    probs = [float(p) for p in boost.predict_proba([r.values for r in test.rows])[:, 1]]
    return {"auc": _auc(test.labels, probs), "brier": float(brier_score_loss(test.labels, probs))}


@transaction.atomic
def churn_model_train(*, today: date | None = None) -> ChurnModel:
    """Train and store a new version (weekly task; ``seed_demo``; the bench). Its backtest
    decides ``beats_rules``; with too little history it is stored untrained."""
    first, last = scores_span()
    if today is not None and last is not None:
        last = min(last, today)
    now = timezone.now()
    if first is None or last is None:
        return ChurnModel.objects.create(
            trained_at=now,
            status=ChurnModelStatus.TOO_LITTLE_HISTORY,
            cutoff=today or now.date(),
            note="No adoption scores yet.",
        )
    cutoff = last - timedelta(days=HORIZON_DAYS)
    train, figures, note = backtest(cutoff=cutoff, first=first)
    if figures is None:
        return ChurnModel.objects.create(
            trained_at=now,
            status=ChurnModelStatus.TOO_LITTLE_HISTORY,
            cutoff=cutoff,
            backtest_cutoff=cutoff,
            training_rows=len(train.rows),
            training_positives=sum(train.labels),
            feature_names=list(FEATURES),
            note=note,
        )
    full = dataset(as_of_days(latest=cutoff, first=first))
    params = Params.of(*fit(full))
    better = beats(figures)
    return ChurnModel.objects.create(
        trained_at=now,
        status=ChurnModelStatus.TRAINED,
        cutoff=cutoff,
        backtest_cutoff=cutoff,
        training_rows=len(full.rows),
        training_positives=sum(full.labels),
        feature_names=params.names,
        coefficients=params.coefficients,
        intercept=params.intercept,
        means=params.means,
        scales=params.scales,
        backtest={**figures, "backtest_training_rows": len(train.rows)},
        beats_rules=better,
        note="" if better else "The model did not beat the at-risk rules in its backtest.",
    )


def latest_model() -> ChurnModel | None:
    """The newest version (trained or not): what the pages state."""
    return ChurnModel.objects.order_by("-pk").first()


def churn_forecast_store(*, day: date, version: ChurnModel | None = None) -> int:
    """Score every forecast partner as of ``day`` with the newest trained version (or
    ``version``) and store the forecasts in place of that day's. Returns how many."""
    version = version or latest_model()
    if version is None or version.status != ChurnModelStatus.TRAINED:
        return 0
    if version.feature_names != list(FEATURES):
        logger.warning("churn model v%s has other features; retrain it", version.pk)
        return 0
    params = Params.stored(version)
    rows = features_as_of(day)
    forecasts = []
    for r in rows:
        parts = params.contributions(r.values)
        top = sorted(range(len(parts)), key=lambda i: -parts[i])[:TOP_REASONS]
        forecasts.append(
            ChurnForecast(
                day=day,
                partner_id=r.partner_id,
                model=version,
                probability=params.probability(r.values),
                values=r.facts,
                contributions=[[FEATURES[i], round(parts[i], 4)] for i in top if parts[i] > 0],
            )
        )
    with transaction.atomic():
        ChurnForecast.objects.filter(day=day).delete()
        ChurnForecast.objects.bulk_create(forecasts, batch_size=2000)
        ChurnForecast.objects.filter(day__lt=day - timedelta(days=KEEP_DAYS)).delete()
    return len(forecasts)


def after_rollup(rollup, scores) -> int:
    """The after-rollup step: forecast the current scores day once (a day's forecasts read
    whole days of summaries, so once a day is enough; a new model version scores on its next
    run). Returns the forecasts stored."""
    from metrics.at_risk_store import current_score_day

    day = current_score_day()
    version = latest_model()
    if version is None or version.status != ChurnModelStatus.TRAINED:
        return 0
    if ChurnForecast.objects.filter(day=day, model=version).exists():
        return 0
    return churn_forecast_store(day=day, version=version)
