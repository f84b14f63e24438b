"""The churn forecast (metrics.churn, metrics.churn_model, metrics.churn_reasons): features
without leakage, the label as documented, a model that learns a planted pattern and is compared
with the rules on the same partners, the fallback to the rules, reasons with the right numbers."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from events.choices import EventKind
from events.services import record_event
from metrics import churn, churn_model, churn_reasons
from metrics.models import ChurnForecast, ChurnModelStatus, PartnerDayKind
from metrics.tests.churn_world import _partner, at, plant, score
from partners.tests.factories import ProgramFactory, TierFactory

LAST = date(2030, 6, 30)  # the last scores day of the planted world


@pytest.fixture
def planted(db, settings):
    settings.PRM_CHURN_MIN_ROWS = 50
    settings.PRM_CHURN_MIN_POSITIVES = 10
    return plant(LAST)


def test_features_as_of_a_day_ignore_everything_after_it(planted):
    d = LAST - timedelta(days=120)
    before = {r.partner_id: (r.values, r.facts) for r in churn.features_as_of(d)}
    p = planted[1]
    later = d + timedelta(days=1)
    score(p, later, 999, 50)
    PartnerDayKind.objects.create(partner=p, day=later, kind=EventKind.DEAL_SUBMITTED, events=3)
    PartnerDayKind.objects.create(partner=p, day=later, kind=EventKind.STEP_COMPLETED, events=1)
    record_event(
        kind=EventKind.PARTNER_STATUS_CHANGED,
        key="test:churned-later",
        partner=p,
        subject=p,
        occurred_at=at(later),
        properties={"from": "active", "to": "churned"},
    )
    after = {r.partner_id: (r.values, r.facts) for r in churn.features_as_of(d)}
    assert after == before
    # the same facts on the day itself do count
    PartnerDayKind.objects.create(partner=p, day=d, kind=EventKind.DEAL_SUBMITTED, events=2)
    now = {r.partner_id: r.facts for r in churn.features_as_of(d)}
    assert now[p.pk]["deals_90"] == 2 and now[p.pk]["days_since_deal"] == 0


def test_the_label_is_gone_within_90_days_or_activity_halved(db):
    program = ProgramFactory()
    tier = TierFactory(program=program, rank=1)
    d = date(2030, 3, 1)
    steady, halved, gone, gone_late = (
        _partner(program, tier, name, d - timedelta(days=200))
        for name in ("Steady", "Halved", "Gone", "Gone late")
    )
    for p in (steady, halved, gone, gone_late):
        for k in range(3):  # the baseline: 100 events per 30 days over the 90 days ending D
            score(p, d - timedelta(days=30 * k), 100, 5)
    score(steady, d + timedelta(days=90), 51, 5)  # more than half: not halved
    score(halved, d + timedelta(days=90), 49, 5)  # less than half
    score(gone, d + timedelta(days=90), 100, 5)
    score(gone_late, d + timedelta(days=90), 100, 5)
    for p, when in ((gone, d + timedelta(days=90)), (gone_late, d + timedelta(days=91))):
        record_event(
            kind=EventKind.PARTNER_STATUS_CHANGED,
            key=f"test:gone:{p.pk}",
            partner=p,
            subject=p,
            occurred_at=at(when),
            properties={"from": "active", "to": "inactive"},
        )
    labels = churn.labels_for(d, [steady.pk, halved.pk, gone.pk, gone_late.pk])
    assert labels == {steady.pk: False, halved.pk: True, gone.pk: True, gone_late.pk: False}
    # a partner gone by D is no longer forecast
    assert {r.partner_id for r in churn.features_as_of(d + timedelta(days=95))} == {
        steady.pk,
        halved.pk,
    }


def test_the_model_learns_a_planted_pattern_and_is_compared_with_the_rules(planted):
    version = churn_model.churn_model_train()
    assert version.status == ChurnModelStatus.TRAINED
    figures = version.backtest
    assert version.backtest_cutoff == LAST - timedelta(days=90)
    # the same partners for both: every forecast partner at the cut-off, in one list
    tested = churn.features_as_of(version.backtest_cutoff)
    assert figures["partners"] == len(tested) > 0
    assert figures["model"]["auc"] > 0.75  # a random ordering has 0.5
    assert figures["model"]["auc"] > (figures["rules"]["auc"] or 0.5)
    assert version.beats_rules
    assert version.training_rows > figures["backtest_training_rows"]
    # the rules' figures are computed from the rules replayed at the cut-off
    flags = churn.rule_flags(tested)
    assert figures["rules"]["listed"] == sum(1 for f in flags.values() if f.count)
    assert sum(b["n"] for b in figures["model"]["reliability"]) == figures["partners"]
    # stored as data: the stored numbers give the probabilities the backtest saw
    params = churn_model.Params.stored(version)
    assert len(params.coefficients) == len(churn.FEATURES) == len(version.means)
    assert churn_model.churn_forecast_store(day=LAST, version=version) > 0
    top = ChurnForecast.objects.filter(day=LAST).order_by("-probability").first()
    assert 0 < top.probability < 1
    assert top.contributions and all(c > 0 for _, c in top.contributions)


def test_a_random_ordering_does_not_beat_the_rules():
    figures = churn_model.evaluate([True, False] * 50, [0.5] * 100, [1, 0] * 50)
    assert figures["model"]["auc"] == 0.5
    assert figures["rules"]["auc"] == 1.0 and figures["rules"]["precision"] == 1.0
    assert not churn_model.beats(figures)


def test_below_the_minimum_history_the_rules_stay(planted, settings):
    settings.PRM_CHURN_MIN_ROWS = 100_000
    version = churn_model.churn_model_train()
    assert version.status == ChurnModelStatus.TOO_LITTLE_HISTORY
    assert not version.beats_rules and not version.coefficients
    assert "100000" in version.note
    assert churn_model.churn_forecast_store(day=LAST, version=version) == 0
    assert not ChurnForecast.objects.exists()


def test_reasons_are_written_from_the_partners_numbers():
    facts = {
        "users_now": 2,
        "users_before": 9,
        "days_since_deal": 120,
        "ever_deal": True,
        "certs_expiring": 1,
    }
    forecast = ChurnForecast(
        values=facts,
        contributions=[["users_trend", 0.9], ["days_since_deal", 0.5], ["certs_expiring", 0.2]],
    )
    with translation.override("en"):
        assert churn_reasons.reasons(forecast) == [
            "Active users fell from 9 to 2 in 30 days.",
            "No deal registered in 120 days.",
            "1 certification expires within 60 days.",
        ]
    assert set(churn_reasons.SENTENCES) == set(churn.FEATURES)


def test_the_rules_replayed_on_a_day_list_whom_the_at_risk_rules_list(db):
    """The backtest's rules are the at-risk rules: replayed today they list the same partners as
    ``at_risk_overview`` (which reads today's status, so only today can be compared)."""
    from django.utils import timezone

    from metrics.definitions import at_risk_overview

    today = timezone.now().date()
    plant(today, count=30)
    rows = churn.features_as_of(today)
    flags = churn.rule_flags(rows)
    replayed = {pid for pid, f in flags.items() if f.count}
    assert replayed  # the collapsed partners
    assert replayed == set(at_risk_overview(as_of=today).ids)


def test_the_weekly_task_trains_and_the_rollup_forecasts_once_a_day(planted):
    from metrics.models import ChurnModel, RollupState
    from metrics.rollups import SCORES_NAME, RollupResult
    from metrics.tasks import train_churn_model

    RollupState.objects.update_or_create(name=SCORES_NAME, defaults={"scores_through": LAST})
    done = train_churn_model()
    assert done["status"] == ChurnModelStatus.TRAINED and done["forecasts"] > 0
    assert (
        ChurnForecast.objects.filter(day=LAST, model_id=done["version"]).count()
        == done["forecasts"]
    )
    nothing = RollupResult(ran=True)
    assert churn_model.after_rollup(nothing, nothing) == 0  # the day is forecast already
    newer = churn_model.churn_model_train()  # a new version scores on the next rollup run
    assert churn_model.after_rollup(nothing, nothing) == done["forecasts"]
    assert set(ChurnForecast.objects.values_list("model_id", flat=True)) == {newer.pk}
    assert ChurnModel.objects.count() == 2
