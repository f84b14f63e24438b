"""Adoption score (per partner, history, ranking, distribution) and feature adoption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, F, Q

from metrics import conf
from metrics.definitions.common import _today, partners_matching
from metrics.models import AREA_BITS, AdoptionScore, FeatureArea, PartnerDay
from metrics.scores import SCORE_WINDOW_DAYS


# --- Adoption score -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScorePoint:
    day: date
    score: float


def adoption_score_for_partner(*, partner_id: int, day: date | None = None) -> AdoptionScore | None:
    """The partner's score on ``day`` (default today), or None when it had no activity in the 30
    days ending that day (its score is 0 then)."""
    day = day or _today()
    return AdoptionScore.objects.filter(partner_id=partner_id, day=day).first()


def adoption_score_history(
    *,
    partner_id: int,
    since: date | None = None,
    until: date | None = None,
    joined_at: datetime | None = None,
) -> list[ScorePoint]:
    """One point per day from ``since`` (default 90 days ago) to ``until`` (default today); days
    without a stored row score 0. ``joined_at`` (the partner's join moment): the history starts no
    earlier than its UTC day, so a partner that joined last week shows a week, not months of zeros
    from before it was in the program (None, an applicant: no such bound). One indexed query."""
    until = until or _today()
    since = since or until - timedelta(days=89)
    if joined_at is not None:
        since = max(since, joined_at.astimezone(UTC).date())
    stored = dict(
        AdoptionScore.objects.filter(partner_id=partner_id, day__range=(since, until)).values_list(
            "day", "score"
        )
    )
    days = (until - since).days + 1
    return [
        ScorePoint(day=d, score=stored.get(d, 0.0))
        for d in (since + timedelta(days=i) for i in range(max(days, 0)))
    ]


def adoption_score_explained(score: AdoptionScore) -> list[str]:
    """The score's parts in words, so nobody has to trust an opaque number."""
    weights = conf.adoption_weights()
    target = conf.adoption_frequency_target_days()
    return [
        f"Breadth ({weights.breadth:g}%): {score.areas} of 5 feature areas used in 30 days.",
        f"Frequency ({weights.frequency:g}%): active on {score.active_days} of 30 days "
        f"(full marks from {target}).",
        f"Users ({weights.users:g}%): {score.active_users} active of {score.seats} people.",
    ]


def adoption_ranking(*, day: date | None = None, limit: int = 20, **filters) -> list[AdoptionScore]:
    """The partners with the highest score on ``day`` (default today), ties by name. Two queries:
    the ranking reads only columns of ``adoption_day_cover_idx`` (an index-only scan however many
    partners tie on the top score), then the ``limit`` rows are read whole."""
    day = day or _today()
    top = list(
        AdoptionScore.objects.filter(day=day, partner__in=partners_matching(**filters))
        .order_by("-score", "partner__name")
        .values_list("partner_id", flat=True)[:limit]
    )
    rows = AdoptionScore.objects.filter(day=day, partner_id__in=top).select_related("partner")
    by_partner = {row.partner_id: row for row in rows}
    return [by_partner[pk] for pk in top if pk in by_partner]


# --- Feature adoption -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AreaShare:
    area: str
    label: str
    partners: int
    share: float | None


@dataclass(frozen=True)
class FeatureAdoption:
    active_partners: int
    areas: list[AreaShare]


def feature_adoption(*, as_of: date | None = None, days: int = 30, **filters) -> FeatureAdoption:
    """Of the partners active in the ``days`` ending ``as_of`` (at least one event), the share
    that used each feature area in that window. Two grouped queries on the summaries."""
    as_of = as_of or _today()
    start = as_of - timedelta(days=days - 1)
    partners = partners_matching(**filters)
    if days == SCORE_WINDOW_DAYS:
        return _feature_adoption_from_scores(as_of, partners)
    return _feature_adoption_from_days(as_of, start, partners)


def _feature_adoption_from_days(as_of: date, start: date, partners) -> FeatureAdoption:
    """From the partner-day summaries over [start, as_of]: any window length. A partner used an
    area in the window if any of its day rows there has the area's bit."""
    row = (
        PartnerDay.objects.filter(day__range=(start, as_of), partner__in=partners)
        .annotate(**{f"bit_{a}": F("area_mask").bitand(bit) for a, bit in AREA_BITS.items()})
        .aggregate(
            active=Count("partner", distinct=True),
            **{a: Count("partner", distinct=True, filter=~Q(**{f"bit_{a}": 0})) for a in AREA_BITS},
        )
    )
    return _feature_adoption(row["active"], row)


def _feature_adoption_from_scores(as_of: date, partners) -> FeatureAdoption:
    """The same figures over the adoption scores' 30-day window: a score row on ``as_of`` exists
    exactly for the partners active in the window, and its ``area_mask`` says which areas they
    used. One aggregate over at most one row per partner."""
    row = _area_rows(as_of, partners).aggregate(
        # partner_id, not the primary key: an index-only scan of adoption_day_cover_idx
        active=Count("partner"),
        **{a: Count("partner", filter=~Q(**{f"bit_{a}": 0})) for a in AREA_BITS},
    )
    return _feature_adoption(row["active"], row)


def _area_rows(as_of: date, partners):
    """The score rows on ``as_of`` of ``partners`` (one per partner active in the 30 days ending
    then), with ``bit_<area>`` non-zero when the partner used the area."""
    return AdoptionScore.objects.filter(day=as_of, partner__in=partners).annotate(
        **{f"bit_{a}": F("area_mask").bitand(bit) for a, bit in AREA_BITS.items()}
    )


def feature_area_members(
    *, as_of: date | None = None, area: str = "", used: bool = True, **filters
):
    """The partners behind ``feature_adoption`` (its 30-day window, the dashboard's): with no
    ``area``, the active partners; else those of them who used ``area`` (``used``) or did not."""
    as_of = as_of or _today()
    partners = partners_matching(**filters)
    rows = _area_rows(as_of, partners)
    if area:
        used_area = ~Q(**{f"bit_{area}": 0})
        rows = rows.filter(used_area) if used else rows.exclude(used_area)
    return partners.filter(pk__in=rows.values("partner_id"))


def _feature_adoption(active: int, used: dict) -> FeatureAdoption:
    """``active`` partners, of which ``used[area]`` used each area (a missing area: none)."""
    return FeatureAdoption(
        active_partners=active,
        areas=[
            AreaShare(
                area=area.value,
                label=area.label,
                partners=used.get(area.value, 0),
                share=round(100.0 * used.get(area.value, 0) / active, 1) if active else None,
            )
            for area in FeatureArea
        ],
    )
