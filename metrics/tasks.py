import logging

from celery import shared_task

from metrics.after_rollup import after_rollup
from metrics.rollups import rollup_incremental
from metrics.scores import scores_refresh

logger = logging.getLogger(__name__)


# A run that found a rollup lock held tries again this often, this many times (besides beat's
# next run a minute later): after a worker was killed mid-rollup, its redelivered task arrives
# while the killed run's last statement still runs in Postgres (a backend notices its client is
# gone only when it answers) and holds the locks for those seconds.
BUSY_RETRY_SECONDS = 10
BUSY_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=BUSY_RETRIES)
def rollup_metrics(self) -> dict:
    """Fold new events into the summary tables, then refresh the adoption scores they affect.
    Safe to deliver twice or run concurrently: both steps recompute whole buckets or scores from
    stored data, and a second run gives up on the lock instead of waiting (and tries again a
    little later, see BUSY_RETRY_SECONDS)."""
    rollup = rollup_incremental()
    scores = scores_refresh()
    # After the scores: what the hooks rebuild now (the console's dashboard pages) must read the
    # summaries this run committed.
    done = after_rollup(rollup, scores)
    if rollup.events:
        logger.info(
            "metrics rollup: %d events, %d buckets in %d ms; %d scores in %d ms",
            rollup.events,
            rollup.buckets,
            rollup.duration_ms,
            scores.buckets,
            scores.duration_ms,
        )
    if rollup.busy and self.request.retries < BUSY_RETRIES:
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return {
        "ran": rollup.ran,
        "events": rollup.events,
        "scores": scores.buckets,
        "reason": rollup.reason or scores.reason,
        **done,  # each after-rollup hook's count ("dashboard_rebuilds")
    }


@shared_task(acks_late=True)
def train_churn_model() -> dict:
    """Weekly: train, backtest and store a churn model version, then forecast the current scores
    day with it. Idempotent enough to deliver twice: a second run stores one more version with
    the same figures, and the forecasts of the day are replaced, not added."""
    from metrics.at_risk_store import current_score_day
    from metrics.churn_model import churn_forecast_store, churn_model_train

    version = churn_model_train()
    stored = churn_forecast_store(day=current_score_day(), version=version)
    return {"version": version.pk, "status": version.status, "forecasts": stored}
