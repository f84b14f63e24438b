"""The partner list's filters on metric facts (``partners.readers.partner_list_filters``),
registered from ``MetricsConfig.ready()``: the current adoption score (``score``: a range), at
risk (``at_risk``) and offering adoption (``offering``). "Current" is the last day whose scores
were computed (``RollupState.scores_through``; today before the first run)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from metrics.at_risk_store import at_risk_condition, current_score_day
from metrics.models import AdoptionScore, OfferingAdoptionSpan
from partners.models import Offering
from partners.readers import PartnerListFilter, partner_list_filters


def _no_choices() -> list[tuple[str, str]]:
    return []


def _score_condition(*, value: tuple[float | None, float | None], state=None):
    """Partners whose adoption score on the current day is within ``value`` = (min, max), both
    inclusive, either None (open). A partner without a score row that day scores 0."""
    low, high = value
    day = current_score_day()
    rows = AdoptionScore.objects.filter(partner=OuterRef("pk"), day=day)
    in_range = rows
    if low is not None:
        in_range = in_range.filter(score__gte=low)
    if high is not None:
        in_range = in_range.filter(score__lte=high)
    condition = Exists(in_range)
    if (low is None or low <= 0) and (high is None or high >= 0):
        condition = condition | ~Exists(rows)
    return condition


def _at_risk_condition(*, value: bool, state=None):
    """At risk on the current scores day by the at-risk rules (``metrics.definitions.risk``): a
    drop, dormant or a stalled onboarding. The rules run in Python over SQL aggregates, so their
    result is stored per scores day after the rollup (``metrics.at_risk_store``) and read here
    as a subquery (computed on the spot when no stored set exists yet)."""
    condition = at_risk_condition(day=current_score_day())
    return condition if value else ~condition


def _offering_choices() -> list[tuple[str, str]]:
    return list(Offering.objects.filter(is_active=True).values_list("slug", "name"))


def _offering_condition(*, value: str, state=None):
    """``state`` "adopted": partners meeting one of the offering's adoption rules on the current
    day (an adoption span containing it); "not": the others."""
    day = current_score_day()
    adopted = Exists(
        OfferingAdoptionSpan.objects.filter(
            partner=OuterRef("pk"), offering=value, start__lte=day, end__gte=day
        )
    )
    return ~adopted if state == "not" else adopted


def register_list_filters() -> None:
    partner_list_filters.register(
        "score", PartnerListFilter(choices=_no_choices, condition=_score_condition)
    )
    partner_list_filters.register(
        "at_risk", PartnerListFilter(choices=_no_choices, condition=_at_risk_condition)
    )
    partner_list_filters.register(
        "offering",
        PartnerListFilter(
            choices=_offering_choices,
            condition=_offering_condition,
            choice_models=("partners.offering",),
        ),
    )
