"""What runs after a rollup run and its scores refresh. A floor above metrics registers a hook
from its ``AppConfig.ready()`` (the console stamps its dashboard's data version and pre-builds the
pages: console/apps.py), so metrics imports none of them (issue 17).

A hook takes the run's two results (the rollup's and the scores') and returns how many things it
did; the rollup task reports that count under the hook's key (``"dashboard_rebuilds"``)."""

from collections.abc import Callable

from kernel.registry import Registry
from metrics.rollups import RollupResult

AfterRollup = Callable[[RollupResult, RollupResult], int]

hooks: Registry[AfterRollup] = Registry("after-rollup hook")


def register(key: str, hook: AfterRollup) -> AfterRollup:
    """Run ``hook`` after every rollup run (the task and ``manage.py rollup_metrics``)."""
    return hooks.register(key, hook)


def after_rollup(rollup: RollupResult, scores: RollupResult) -> dict[str, int]:
    """Run the registered hooks in registration order, after the scores are refreshed (what they
    read must be what this run committed). Their counts by key."""
    return {key: hook(rollup, scores) for key, hook in hooks.items()}
