from celery import shared_task

from tiers.evaluation import tiers_evaluate


@shared_task
def evaluate_tiers() -> dict:
    """Nightly: promotions, demotion warnings and demotions (tiers.evaluation)."""
    result = tiers_evaluate()
    return {"evaluated": result.evaluated, **result.counts}
