"""What every metric shares: feature areas, the standard partner filters, dates, percentiles."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from events.choices import EventKind
from metrics.models import FeatureArea
from partners.models import Partner

TRAINING_PREFIXES = ("course.", "lesson.", "quiz.", "certification.")


# --- Feature areas --------------------------------------------------------------------------------
def area_of(kind: str, properties: dict | None = None) -> str | None:
    """The feature area an event kind belongs to (None: counted as activity, not as an area).
    The SQL twin is ``metrics.rollup_sql._area_bit``; the rollup tests keep them in step."""
    properties = properties or {}
    if kind == EventKind.LOGIN or kind.startswith(("partner.", "user.")):
        return FeatureArea.PORTAL
    if kind.startswith(TRAINING_PREFIXES):
        return FeatureArea.TRAINING
    if kind.startswith("resource."):
        if properties.get("marketing_asset") is True:
            return FeatureArea.MARKETING
        return FeatureArea.RESOURCES
    if kind.startswith("deal."):
        return FeatureArea.DEALS
    return None


# --- Partner filters ------------------------------------------------------------------------------
def _pk(value):
    return getattr(value, "pk", value)


def partners_matching(
    *, program=None, partner_type=None, tier=None, region=None, owner=None
) -> QuerySet[Partner]:
    """All partners, narrowed by any of the standard filters."""
    qs = Partner.objects.all()
    if program is not None:
        qs = qs.filter(program_id=_pk(program))
    if partner_type is not None:
        qs = qs.filter(partner_type_id=_pk(partner_type))
    if tier is not None:
        qs = qs.filter(tier_id=_pk(tier))
    if region:
        qs = qs.filter(region=region)
    if owner is not None:
        qs = qs.filter(owner_id=_pk(owner))
    return qs


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _joined_between(qs: QuerySet[Partner], since: date | None, until: date | None):
    """The partners of ``qs`` that joined (were approved into the program) between ``since`` and
    ``until`` (inclusive UTC days; None: unbounded). Applicants and applications turned down have
    no ``joined_at``: they are never in a cohort."""
    qs = qs.filter(joined_at__isnull=False)
    if since is not None:
        qs = qs.filter(joined_at__gte=_day_start(since))
    if until is not None:
        qs = qs.filter(joined_at__lt=_day_start(until + timedelta(days=1)))
    return qs


def _today() -> date:
    return timezone.now().astimezone(UTC).date()


# --- Percentiles ----------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    """The q-th quantile (0..1) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
