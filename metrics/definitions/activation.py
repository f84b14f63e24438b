"""Activation: rate per signup cohort, the checklist funnel, time to activation and first deal.

Read from the partners and from the facts onboarding and deals register as readers
(``partners.readers``: checklist steps done, first deal), never from events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from metrics import conf
from metrics.definitions.common import _joined_between, partners_matching, percentile
from partners.models import Partner
from partners.readers import partner_list_filters, readers


# --- Activation -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    partners: int
    activated: int
    pending: int = 0  # not activated yet, but their window is still open

    @property
    def rate(self) -> float | None:
        """Activated partners as a percentage of the cohort (None for an empty cohort)."""
        return round(100.0 * self.activated / self.partners, 1) if self.partners else None


@dataclass(frozen=True)
class CohortRate(Rate):
    month: date = date.min


# A partner created already active (an import) has activated_at = joined_at: it was active before
# the program tracked it, so it never went through activation and is in no activation cohort.
IMPORTED_ACTIVE = Q(activated_at__isnull=False, activated_at=F("joined_at"))


def activation_cohort(
    *, since: date | None = None, until: date | None = None, **filters
) -> QuerySet[Partner]:
    """The partners whose activation is measured: approved into the program (``joined_at``, the
    join moment) between ``since`` and ``until``, filtered, imports created already active left
    out. Applicants and applications turned down never joined, so they are in no cohort."""
    return _joined_between(partners_matching(**filters), since, until).exclude(IMPORTED_ACTIVE)


def _activated_in_window(window_days: int) -> Q:
    """Activated within ``window_days`` of joining, to the second (joined_at + N days counts)."""
    deadline = ExpressionWrapper(
        F("joined_at") + timedelta(days=window_days), output_field=DateTimeField()
    )
    return Q(activated_at__isnull=False, activated_at__lte=deadline)


def _pending(window_days: int, now: datetime) -> Q:
    """Not activated and the window still open at ``now`` (joined_at + N days ≥ now)."""
    return Q(activated_at__isnull=True, joined_at__gte=now - timedelta(days=window_days))


def _activation_counts(window_days: int, now: datetime) -> dict:
    """activated: within ``window_days`` of joining, to the second (joined_at + N days counts).
    pending: not activated and the window still open at ``now`` (joined_at + N days ≥ now), so
    the same boundary: a partner who joined exactly N days ago may still activate this second.
    The conditions are those of ``activation_members`` (the partners behind the counts)."""
    return {
        "partners": Count("pk"),
        "activated": Count("pk", filter=_activated_in_window(window_days)),
        "pending": Count("pk", filter=_pending(window_days, now)),
    }


def activation_members(
    *,
    group: str,
    since: date | None = None,
    until: date | None = None,
    window_days: int | None = None,
    **filters,
) -> QuerySet[Partner]:
    """The partners behind ``activation_rate``'s (and a cohort row's) counts: ``group``
    "cohort" (``partners``), "activated" or "pending", by the same conditions as the counts."""
    window_days = conf.activation_window_days() if window_days is None else window_days
    qs = activation_cohort(since=since, until=until, **filters)
    if group == "activated":
        return qs.filter(_activated_in_window(window_days))
    if group == "pending":
        return qs.filter(_pending(window_days, timezone.now()))
    return qs


def activation_cohorts(
    *,
    since: date | None = None,
    until: date | None = None,
    window_days: int | None = None,
    **filters,
) -> list[CohortRate]:
    """Activation rate per monthly signup cohort: partners who joined in the month and were
    activated within ``window_days`` (default PRM_ACTIVATION_WINDOW_DAYS) of joining, over all
    partners who joined in the month. One grouped query."""
    window_days = conf.activation_window_days() if window_days is None else window_days
    qs = activation_cohort(since=since, until=until, **filters)
    rows = (
        qs.annotate(month=TruncMonth("joined_at", tzinfo=UTC))
        .values("month")
        .annotate(**_activation_counts(window_days, timezone.now()))
        .order_by("month")
    )
    return [
        CohortRate(
            month=row["month"].date() if isinstance(row["month"], datetime) else row["month"],
            partners=row["partners"],
            activated=row["activated"],
            pending=row["pending"],
        )
        for row in rows
    ]


def activation_rate(
    *,
    since: date | None = None,
    until: date | None = None,
    window_days: int | None = None,
    **filters,
) -> Rate:
    """The same ratio over every partner who joined between ``since`` and ``until``."""
    window_days = conf.activation_window_days() if window_days is None else window_days
    qs = activation_cohort(since=since, until=until, **filters)
    row = qs.aggregate(**_activation_counts(window_days, timezone.now()))
    return Rate(partners=row["partners"], activated=row["activated"], pending=row["pending"])


@dataclass(frozen=True)
class FunnelStep:
    step: str
    title: str
    position: int
    required: bool
    partners: int
    share: float | None  # percentage of the cohort


@dataclass(frozen=True)
class Funnel:
    cohort: int
    steps: list[FunnelStep]


def funnel_step_members(
    *, step: str, done: bool, since: date | None = None, until: date | None = None, **filters
) -> QuerySet[Partner]:
    """The partners behind a funnel step: of ``activation_funnel``'s cohort, those who completed
    ``step`` (``done``) or not (its count: the cohort minus the step's). "Done" is onboarding's
    step condition (``partners.readers.partner_list_filters["step"]``), the same fact as the
    funnel's reader (a checklist step with that key marked done)."""
    cohort = activation_cohort(since=since, until=until, **filters)
    condition = partner_list_filters.get("step").condition
    return cohort.filter(condition(value=step, state="done" if done else "not"))


def activation_funnel(*, since: date | None = None, until: date | None = None, **filters) -> Funnel:
    """For the partners who joined between ``since`` and ``until``: how many completed each
    checklist step (onboarding's reader ``onboarding.step_funnel``: steps marked done), in step
    order. Steps are grouped by their stable ``key``, so checklist versions add up. One query for
    the cohort, one grouped query for the steps."""
    cohort = activation_cohort(since=since, until=until, **filters)
    size = cohort.count()
    rows = readers.get("onboarding.step_funnel")(partners=cohort)
    steps = [
        FunnelStep(
            step=row["key"],
            title=row["title"] or row["key"],
            position=row["position"] or 0,
            required=row["required"],
            partners=row["partners"],
            share=round(100.0 * row["partners"] / size, 1) if size else None,
        )
        for row in rows
    ]
    steps.sort(key=lambda s: (s.position, s.title))
    return Funnel(cohort=size, steps=steps)


@dataclass(frozen=True)
class Durations:
    """A distribution of durations in days."""

    count: int
    median_days: float | None
    p75_days: float | None


def _durations(days: list[float]) -> Durations:
    median, p75 = percentile(days, 0.5), percentile(days, 0.75)
    return Durations(
        count=len(days),
        median_days=None if median is None else round(median, 1),
        p75_days=None if p75 is None else round(p75, 1),
    )


def activated_cohort(
    *, since: date | None = None, until: date | None = None, **filters
) -> QuerySet[Partner]:
    """The partners ``time_to_activation`` measures: of the cohort, the activated ones."""
    return activation_cohort(since=since, until=until, **filters).filter(activated_at__isnull=False)


def time_to_activation(
    *, since: date | None = None, until: date | None = None, **filters
) -> Durations:
    """Days from joining to activation, over partners who joined in the range and are activated
    (``activated_cohort``: the partners behind the figure)."""
    qs = activated_cohort(since=since, until=until, **filters)
    days = [
        (activated - joined).total_seconds() / 86400
        for joined, activated in qs.values_list("joined_at", "activated_at")
    ]
    return _durations(days)


def first_deal_cohort(
    *, since: date | None = None, until: date | None = None, **filters
) -> QuerySet[Partner]:
    """The partners ``time_to_first_deal`` measures: of the cohort, those with a registered deal
    (annotated with its submission, ``first``)."""
    first_deal = readers.get("deals.first_submitted_at")()
    return (
        activation_cohort(since=since, until=until, **filters)
        .annotate(first=first_deal)
        .filter(first__isnull=False)
    )


def time_to_first_deal(
    *, since: date | None = None, until: date | None = None, **filters
) -> Durations:
    """Days from joining to the first registered deal (deals' expression reader
    ``deals.first_submitted_at``: the earliest submission), over the partners who joined in the
    range and have registered one. One query."""
    firsts = (
        first_deal_cohort(since=since, until=until, **filters)
        .order_by()
        .values_list("joined_at", "first")
    )
    days = [max((first - joined).total_seconds(), 0) / 86400 for joined, first in firsts]
    return _durations(days)
