"""Program-wide figures of the channel-manager dashboard: partners by status, the adoption score
distribution, weekly active partners and users, deals registered and won, the pipeline, and the
won-deals leaderboard. Each is one or two grouped queries on summaries, partners or the deal
facts deals registers as readers (``partners.readers``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, FloatField, Sum
from django.db.models.functions import Cast, Floor, Least, TruncWeek

from metrics.definitions.common import _day_start, _joined_between, _today, partners_matching
from metrics.models import AdoptionScore, PartnerDay, PartnerDayUser, PartnerWeek
from partners.choices import PartnerStatus
from partners.readers import readers


def partner_status_counts(**filters) -> dict[str, int]:
    """Partners per status now (every status present, 0 when none)."""
    rows = partners_matching(**filters).order_by().values("status").annotate(n=Count("pk"))
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in PartnerStatus.values}


def partners_joined(*, since: date, until: date, **filters) -> int:
    """Partners who joined (were approved into the program) between ``since`` and ``until``
    (inclusive days, UTC). Applicants have not joined."""
    return sum(partners_joined_by_status(since=since, until=until, **filters).values())


def joined_members(*, since: date, until: date, **filters):
    """The partners behind ``partners_joined`` (and, per status now, its breakdown)."""
    return _joined_between(partners_matching(**filters), since, until)


def partners_joined_by_status(*, since: date, until: date, **filters) -> dict[str, int]:
    """The partners who joined between ``since`` and ``until``, per status now (every status
    present, 0 when none); the values add up to ``partners_joined``. One grouped query."""
    rows = (
        joined_members(since=since, until=until, **filters)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in PartnerStatus.values}


# --- Adoption score distribution ------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreBucket:
    low: int
    high: int
    partners: int

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class ScoreDistribution:
    day: date
    partners: int  # eligible partners: joined by then, neither applicant nor churned
    buckets: list[ScoreBucket]
    total: float  # the sum of their scores (no row: 0)

    @property
    def average(self) -> float | None:
        return round(self.total / self.partners, 1) if self.partners else None


def _eligible(day: date, filters: dict):
    return (
        partners_matching(**filters)
        .filter(joined_at__lt=_day_start(day + timedelta(days=1)))
        .exclude(status__in=[PartnerStatus.APPLICANT, PartnerStatus.CHURNED])
    )


def _bucketed(day: date, eligible):
    """The score rows of ``eligible`` on ``day`` with their bucket (0..9; 90-100 is bucket 9)."""
    return AdoptionScore.objects.filter(day=day, partner__in=eligible).annotate(
        bucket=Least(Floor(Cast("score", FloatField()) / 10.0), 9.0)
    )


def score_members(*, day: date | None = None, bucket: int | None = None, **filters):
    """The partners behind ``adoption_score_distribution``: every eligible partner (its
    ``partners``, the average's denominator), or those of one ``bucket`` (0..9) by the same
    bucketing; bucket 0 holds the partners without a score row that day (they scored 0)."""
    day = day or _today()
    eligible = _eligible(day, filters)
    if bucket is None:
        return eligible
    rows = _bucketed(day, eligible)
    if bucket == 0:
        return eligible.exclude(pk__in=rows.filter(bucket__gte=1).values("partner_id"))
    return eligible.filter(pk__in=rows.filter(bucket=bucket).values("partner_id"))


def adoption_score_distribution(*, day: date | None = None, **filters) -> ScoreDistribution:
    """How the eligible partners' scores on ``day`` spread over ten buckets of 10 points
    (0-9, …, 90-100). A partner without a score row that day scored 0 (no activity in 30 days).
    The average score is over every eligible partner, zeros included. Two queries.
    ``score_members`` gives the partners behind each bucket."""
    day = day or _today()
    eligible = _eligible(day, filters)
    size = eligible.count()
    rows = (
        _bucketed(day, eligible)
        .order_by()
        .values("bucket")
        # counting partner_id, not the primary key: every column read is in adoption_day_cover_idx,
        # so one day's scores are an index-only scan, not one heap page per partner (10k: 45 -> 8 ms)
        .annotate(n=Count("partner"), total=Sum("score"))
    )
    counts, total = defaultdict(int), 0.0
    for row in rows:
        counts[max(int(row["bucket"]), 0)] += row["n"]
        total += row["total"] or 0.0
    counts[0] += size - sum(counts.values())
    buckets = [
        ScoreBucket(low=10 * b, high=10 * b + (10 if b == 9 else 9), partners=counts[b])
        for b in range(10)
    ]
    return ScoreDistribution(day=day, partners=size, buckets=buckets, total=total)


# --- Weekly activity ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekActivity:
    week: date  # the Monday
    partners: int  # with at least one event that week (within the range)
    users: int  # distinct users (partners' own people) with at least one event that week


def weekly_active(*, since: date, until: date, **filters) -> list[WeekActivity]:
    """Active partners and active users per ISO week (Monday first) for every week the range
    ``since``..``until`` touches, each counted over the **whole week** (Monday to Sunday; the
    current week so far): a range that starts or ends mid-week shows that week's real activity,
    not a partial week's smaller count that would read as a drop. Every week is listed, 0 when
    nobody was active. Two grouped queries. (The dashboard reads the same numbers from the
    weekly summary: ``weekly_active_from_summary``.)"""
    partners = partners_matching(**filters)
    mondays = week_starts(since, until)
    window = {"day__range": (mondays[0], mondays[-1] + timedelta(days=6)), "partner__in": partners}
    by_partner = _distinct_per_week(PartnerDay, "partner_id", window)
    by_user = _distinct_per_week(PartnerDayUser, "user_id", window)
    return [
        WeekActivity(week=monday, partners=by_partner.get(monday, 0), users=by_user.get(monday, 0))
        for monday in mondays
    ]


def weekly_active_from_summary(*, since: date, until: date, **filters) -> list[WeekActivity]:
    """``weekly_active`` from the weekly summary ``PartnerWeek`` (kept by ``metrics.summaries``):
    every week the range touches counts whole, so each is the sum of the matching partners' week
    rows (exact: a user belongs to one partner, so per-partner distinct users add up). One query,
    whatever the range: no bucket table is read. The dashboard reads this one."""
    mondays = week_starts(since, until)
    rows = (
        _week_rows((mondays[0], mondays[-1]), filters)
        .order_by()
        .values("week")
        .annotate(partners=Count("partner_id"), users=Sum("users"))
        .values_list("week", "partners", "users")
    )
    found = {w: WeekActivity(week=w, partners=n, users=u) for w, n, u in rows}
    return [
        found.get(monday) or WeekActivity(week=monday, partners=0, users=0) for monday in mondays
    ]


def _week_rows(weeks: tuple[date, date], filters: dict):
    """The weekly summary rows of the matching partners for the Mondays in ``weeks``."""
    return PartnerWeek.objects.filter(week__range=weeks, partner__in=partners_matching(**filters))


def weekly_active_members(*, week: date, **filters):
    """The partners behind ``weekly_active_from_summary``'s active partners of the week starting
    ``week`` (a Monday): those with a row in the weekly summary that week."""
    return partners_matching(**filters).filter(
        pk__in=_week_rows((week, week), filters).values("partner_id")
    )


def week_starts(since: date, until: date) -> list[date]:
    """The Monday of every ISO week that the range ``since``..``until`` touches."""
    monday = since - timedelta(days=since.weekday())
    return [monday + timedelta(days=7 * n) for n in range((until - monday).days // 7 + 1)]


def _distinct_per_week(model, column: str, window: dict) -> dict[date, int]:
    """Distinct ``column`` values of ``model``'s rows in ``window``, per ISO week."""
    return _weeks(
        model.objects.filter(**window)
        .annotate(week=TruncWeek("day"))
        .order_by()
        .values("week")
        .annotate(n=Count(column, distinct=True))
        .values_list("week", "n")
    )


def _weeks(rows) -> dict[date, int]:
    """TruncWeek of a DateField is a date on Postgres and SQLite; accept a datetime too."""
    return {(k.date() if isinstance(k, datetime) else k): n for k, n in rows}


# --- Deals ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DealCounts:
    registered: int  # submitted in the range
    won: int  # marked won in the range


def deal_counts(*, since: date, until: date, **filters) -> DealCounts:
    """Deals registered (submitted) and won (closed as won) between ``since`` and ``until``
    (deals' reader ``deals.counts``). One query."""
    start, end = _day_start(since), _day_start(until + timedelta(days=1))
    row = readers.get("deals.counts")(partners=partners_matching(**filters), start=start, end=end)
    return DealCounts(registered=row["registered"], won=row["won"])


def deal_stage_choices() -> list[tuple[str, str]]:
    """The deals' sales stages (value, label), in order (deals' reader ``deals.stages``)."""
    return readers.get("deals.stages")()


def deal_partner_members(
    *, which: str, since: date | None = None, until: date | None = None, stage: str = "", **filters
) -> list[int]:
    """The partners with at least one of the deals ``deal_counts`` (``which`` "registered" or
    "won", between ``since`` and ``until``) or ``deal_pipeline`` ("open", in ``stage`` or any)
    counts: those figures count deals, so their number of partners is at most the figure (deals'
    reader ``deals.partners_with``, the same conditions). One query."""
    dates = {}
    if which != "open":
        dates = {"start": _day_start(since), "end": _day_start(until + timedelta(days=1))}
    rows = readers.get("deals.partners_with")(
        partners=partners_matching(**filters), which=which, stage=stage, **dates
    )
    return [row["partner_id"] for row in rows]


@dataclass(frozen=True)
class PipelineStage:
    stage: str
    label: str
    deals: int
    amounts: dict[str, Decimal] = field(default_factory=dict)  # currency → sum


def deal_pipeline(**filters) -> list[PipelineStage]:
    """Open registrations (submitted or approved) per sales stage, in stage order, with their
    amounts per currency (never added across currencies; deals' reader ``deals.pipeline``). One
    grouped query."""
    rows = readers.get("deals.pipeline")(partners=partners_matching(**filters))
    return [
        PipelineStage(
            stage=row["stage"], label=row["label"], deals=row["deals"], amounts=row["amounts"]
        )
        for row in rows
    ]


@dataclass(frozen=True)
class WonDeals:
    partner_id: int
    name: str
    won: int


def won_deals_ranking(*, since: date, until: date, limit: int = 10, **filters) -> list[WonDeals]:
    """The partners with the most deals won between ``since`` and ``until`` (deals' reader
    ``deals.won_by_partner``). One query."""
    start, end = _day_start(since), _day_start(until + timedelta(days=1))
    rows = readers.get("deals.won_by_partner")(
        partners=partners_matching(**filters), start=start, end=end, limit=limit
    )
    return [WonDeals(partner_id=r["partner_id"], name=r["name"], won=r["won"]) for r in rows]
