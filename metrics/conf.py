"""Metric settings, read from Django settings: each is declared once, with its default and its
environment variable, in prm/settings/base.py (documented in .env.example). The helpers here
only check ranges and derive values."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _int(name: str, value) -> int:
    if int(value) < 0:
        raise ImproperlyConfigured(f"{name} must be a non-negative integer, not {value!r}.")
    return int(value)


def _float(name: str, value) -> float:
    if float(value) < 0:
        raise ImproperlyConfigured(f"{name} must be a non-negative number, not {value!r}.")
    return float(value)


@dataclass(frozen=True)
class AdoptionWeights:
    breadth: float
    frequency: float
    users: float

    @property
    def total(self) -> float:
        return self.breadth + self.frequency + self.users


def activation_window_days() -> int:
    """A partner counts as activated for its cohort when activated within this many days."""
    return _int("PRM_ACTIVATION_WINDOW_DAYS", settings.PRM_ACTIVATION_WINDOW_DAYS)


def adoption_weights() -> AdoptionWeights:
    weights = AdoptionWeights(
        breadth=_float("PRM_ADOPTION_WEIGHT_BREADTH", settings.PRM_ADOPTION_WEIGHT_BREADTH),
        frequency=_float("PRM_ADOPTION_WEIGHT_FREQUENCY", settings.PRM_ADOPTION_WEIGHT_FREQUENCY),
        users=_float("PRM_ADOPTION_WEIGHT_USERS", settings.PRM_ADOPTION_WEIGHT_USERS),
    )
    if weights.total <= 0:
        raise ImproperlyConfigured("The adoption score weights must not all be zero.")
    return weights


def adoption_frequency_target_days() -> int:
    """Active days in the last 30 that earn the full frequency component."""
    return max(
        1, _int("PRM_ADOPTION_FREQUENCY_TARGET_DAYS", settings.PRM_ADOPTION_FREQUENCY_TARGET_DAYS)
    )


def rollup_shards() -> int:
    """Postgres: how many partner shards an incremental rollup folds at once, each in its own
    transaction and connection (one per database CPU is the useful maximum). SQLite: always 1."""
    value = _int("PRM_ROLLUP_SHARDS", settings.PRM_ROLLUP_SHARDS)
    if value < 1:
        raise ImproperlyConfigured(f"PRM_ROLLUP_SHARDS must be at least 1, not {value!r}.")
    return value


def rollup_work_mem() -> str:
    return str(settings.PRM_ROLLUP_WORK_MEM)


def at_risk_drop_ratio() -> float:
    """At risk when the last 30 days' events fall below this share of the earlier baseline."""
    return _float("PRM_AT_RISK_DROP_RATIO", settings.PRM_AT_RISK_DROP_RATIO)


def at_risk_min_baseline() -> int:
    """Only partners with at least this many events per 30 days before are judged on a drop."""
    return _int("PRM_AT_RISK_MIN_BASELINE_EVENTS", settings.PRM_AT_RISK_MIN_BASELINE_EVENTS)


def at_risk_dormant_days() -> int:
    """At risk as dormant after this many days without any event. At least 30 (the adoption
    score's window, which the rule reads; a shorter silence is the drop rule's business)."""
    return max(30, _int("PRM_AT_RISK_DORMANT_DAYS", settings.PRM_AT_RISK_DORMANT_DAYS))


def onboarding_stall_days() -> int:
    """Onboarding counts as stalled after this many days without a completed checklist step."""
    return _int("PRM_ONBOARDING_STALL_DAYS", settings.PRM_ONBOARDING_STALL_DAYS)


def dashboard_cache_seconds() -> int:
    """How long a built dashboard page may be served from the cache (0: never cached)."""
    return _int("PRM_DASHBOARD_CACHE_SECONDS", settings.PRM_DASHBOARD_CACHE_SECONDS)


def dashboard_max_stale_seconds() -> int:
    """A cached dashboard page older than this is built again in the request instead of being
    served stale while a task rebuilds it (console.dashboard_cache)."""
    return _int("PRM_DASHBOARD_MAX_STALE_SECONDS", settings.PRM_DASHBOARD_MAX_STALE_SECONDS)


def churn_min_rows() -> int:
    """The churn model is trained only on at least this many labelled partner-periods."""
    return _int("PRM_CHURN_MIN_ROWS", settings.PRM_CHURN_MIN_ROWS)


def churn_min_positives() -> int:
    """... and at least this many of them churned or halved (the rules stay otherwise)."""
    return _int("PRM_CHURN_MIN_POSITIVES", settings.PRM_CHURN_MIN_POSITIVES)
