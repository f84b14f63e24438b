"""Every metric of the product, defined once. docs/metrics.md gives the same formulas in words.

Selector-style functions: keyword-only arguments, read-only, bounded queries. Program-wide metrics
take the partner filters ``program``, ``partner_type``, ``tier``, ``region`` and ``owner`` (an
object or its id; ``None`` means all) and read the summary tables kept by ``metrics.rollups``, or
the Event table through an index when a metric needs one event kind only. Dashboards (issue 7)
call these; they never compute a metric themselves. They do not check who may see what: callers
pass partners the user may see (``partners.selectors``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone

from metrics import conf
from metrics.choices import EventKind
from metrics.models import (
    AdoptionScore,
    Event,
    FeatureArea,
    OfferingAdoptionRule,
    PartnerDay,
    PartnerDayArea,
    PartnerDayOffering,
    RollupState,
)
from metrics.rollups import ROLLUP_NAME
from metrics.scores import SCORE_WINDOW_DAYS
from partners.choices import PartnerStatus
from partners.models import Offering, Partner

TRAINING_PREFIXES = ("course.", "lesson.", "quiz.", "certification.")
STALE_AFTER = timedelta(minutes=5)


# --- Feature areas --------------------------------------------------------------------------------
def area_of(kind: str, properties: dict | None = None) -> str | None:
    """The feature area an event kind belongs to (None: counted as activity, not as an area).
    The SQL twin is ``metrics.rollups._area_case``; a test keeps them in step."""
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


def _activation_counts(window_days: int, today: date) -> dict:
    window = timedelta(days=window_days)
    deadline = ExpressionWrapper(F("joined_at") + window, output_field=DateTimeField())
    open_since = _day_start(today + timedelta(days=1)) - window
    return {
        "partners": Count("pk"),
        "activated": Count("pk", filter=Q(activated_at__isnull=False, activated_at__lte=deadline)),
        "pending": Count("pk", filter=Q(activated_at__isnull=True, joined_at__gt=open_since)),
    }


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
    qs = _joined_between(partners_matching(**filters), since, until)
    rows = (
        qs.annotate(month=TruncMonth("joined_at", tzinfo=UTC))
        .values("month")
        .annotate(**_activation_counts(window_days, _today()))
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
    qs = _joined_between(partners_matching(**filters), since, until)
    row = qs.aggregate(**_activation_counts(window_days, _today()))
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


def _truthy(value) -> bool:
    return value in (True, 1, "1", "true", "True")


def activation_funnel(*, since: date | None = None, until: date | None = None, **filters) -> Funnel:
    """For the partners who joined between ``since`` and ``until``: how many completed each
    checklist step (``onboarding.step_completed`` events), in step order."""
    cohort = _joined_between(partners_matching(**filters), since, until)
    size = cohort.count()
    rows = (
        Event.objects.filter(kind=EventKind.STEP_COMPLETED, partner__in=cohort)
        .values(step_id=KT("properties__step"))
        .annotate(
            partners=Count("partner", distinct=True),
            title=Max(KT("properties__step_title")),
            position=Min(KT("properties__position")),
            required=Max(KT("properties__required")),
        )
    )
    steps = []
    for row in rows:
        try:
            position = int(row["position"])
        except (TypeError, ValueError):
            position = 0
        steps.append(
            FunnelStep(
                step=str(row["step_id"]),
                title=row["title"] or str(row["step_id"]),
                position=position,
                required=_truthy(row["required"]),
                partners=row["partners"],
                share=round(100.0 * row["partners"] / size, 1) if size else None,
            )
        )
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


def time_to_activation(
    *, since: date | None = None, until: date | None = None, **filters
) -> Durations:
    """Days from joining to activation, over partners who joined in the range and are activated."""
    qs = _joined_between(partners_matching(**filters), since, until).filter(
        activated_at__isnull=False
    )
    days = [
        (activated - joined).total_seconds() / 86400
        for joined, activated in qs.values_list("joined_at", "activated_at")
    ]
    return _durations(days)


def time_to_first_deal(
    *, since: date | None = None, until: date | None = None, **filters
) -> Durations:
    """Days from joining to the first registered deal (first ``deal.submitted`` event), over the
    partners who joined in the range and have registered one."""
    cohort = _joined_between(partners_matching(**filters), since, until)
    joined = dict(cohort.values_list("pk", "joined_at"))
    firsts = (
        Event.objects.filter(kind=EventKind.DEAL_SUBMITTED, partner__in=cohort)
        .values("partner_id")
        .annotate(first=Min("occurred_at"))
    )
    days = [
        max((row["first"] - joined[row["partner_id"]]).total_seconds(), 0) / 86400 for row in firsts
    ]
    return _durations(days)


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
    *, partner_id: int, since: date | None = None, until: date | None = None
) -> list[ScorePoint]:
    """One point per day from ``since`` (default 90 days ago) to ``until`` (default today); days
    without a stored row score 0. One indexed query."""
    until = until or _today()
    since = since or until - timedelta(days=89)
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
    """The partners with the highest score on ``day`` (default today)."""
    day = day or _today()
    return list(
        AdoptionScore.objects.filter(day=day, partner__in=partners_matching(**filters))
        .select_related("partner")
        .order_by("-score", "partner__name")[:limit]
    )


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
    active = (
        PartnerDay.objects.filter(day__range=(start, as_of), partner__in=partners)
        .values("partner_id")
        .distinct()
        .count()
    )
    used = dict(
        PartnerDayArea.objects.filter(day__range=(start, as_of), partner__in=partners)
        .values("area")
        .annotate(n=Count("partner", distinct=True))
        .values_list("area", "n")
    )
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


# --- Offering adoption ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    description: str
    kinds: tuple[str, ...]
    window_days: int | None
    min_events: int = 1


DEFAULT_OFFERING_RULES = (
    Rule(
        "A deal registered or won with it in the last 90 days",
        (EventKind.DEAL_SUBMITTED, EventKind.DEAL_WON),
        90,
    ),
    Rule("A certification on it", (EventKind.CERTIFICATION_EARNED,), None),
    Rule(
        "Its assets used in the last 90 days",
        (EventKind.RESOURCE_VIEWED, EventKind.RESOURCE_DOWNLOADED),
        90,
    ),
    Rule("Product usage reported in the last 30 days", (EventKind.OFFERING_USED,), 30),
)


def offering_rules(offering: Offering) -> tuple[Rule, ...]:
    """The offering's configured rules (OfferingAdoptionRule), or the defaults."""
    configured = tuple(
        Rule(r.description, tuple(r.kinds), r.window_days, r.min_events)
        for r in OfferingAdoptionRule.objects.filter(offering=offering)
    )
    return configured or DEFAULT_OFFERING_RULES


def _eligible(filters: dict, as_of: date) -> QuerySet[Partner]:
    """Partners that could adopt on ``as_of``: joined by then, not applicants, not churned."""
    return (
        partners_matching(**filters)
        .filter(joined_at__lt=_day_start(as_of + timedelta(days=1)))
        .exclude(status__in=[PartnerStatus.APPLICANT, PartnerStatus.CHURNED])
    )


def _usage(offering: Offering, rules, until: date, partner_ids=None):
    """(partner, day, kind) → events for the offering, for the kinds the rules count."""
    kinds = {k for r in rules for k in r.kinds}
    qs = PartnerDayOffering.objects.filter(offering=offering.slug, kind__in=kinds, day__lte=until)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    return list(qs.values_list("partner_id", "day", "kind", "events"))


def _adopters(usage, rules, as_of: date) -> dict[int, list[str]]:
    """Partner id → descriptions of the rules it meets on ``as_of``."""
    met: dict[int, list[str]] = defaultdict(list)
    for rule in rules:
        start = as_of - timedelta(days=rule.window_days - 1) if rule.window_days else date.min
        totals: dict[int, int] = defaultdict(int)
        for partner_id, day, kind, events in usage:
            if kind in rule.kinds and start <= day <= as_of:
                totals[partner_id] += events
        for partner_id, total in totals.items():
            if total >= rule.min_events:
                met[partner_id].append(rule.description)
    return met


@dataclass(frozen=True)
class OfferingAdoption:
    offering: Offering
    eligible: int
    adopted: int
    rules: tuple[Rule, ...] = field(default=())

    @property
    def share(self) -> float | None:
        return round(100.0 * self.adopted / self.eligible, 1) if self.eligible else None


def offering_adoption(*, as_of: date | None = None, **filters) -> list[OfferingAdoption]:
    """Per active offering: eligible partners and how many adopted it (met any rule) on ``as_of``."""
    as_of = as_of or _today()
    eligible = set(_eligible(filters, as_of).values_list("pk", flat=True))
    result = []
    for offering in Offering.objects.filter(is_active=True, launched_on__lte=as_of):
        rules = offering_rules(offering)
        met = _adopters(_usage(offering, rules, as_of), rules, as_of)
        result.append(
            OfferingAdoption(
                offering=offering,
                eligible=len(eligible),
                adopted=len(eligible & met.keys()),
                rules=rules,
            )
        )
    return result


@dataclass(frozen=True)
class CurvePoint:
    day: date
    eligible: int
    adopted: int

    @property
    def share(self) -> float | None:
        return round(100.0 * self.adopted / self.eligible, 1) if self.eligible else None


def offering_adoption_curve(
    *, offering: Offering, until: date | None = None, step_days: int = 7, **filters
) -> list[CurvePoint]:
    """Adoption of one offering since its launch: a point every ``step_days`` from the launch day
    to ``until`` (default today). Eligibility uses each partner's join date and current status."""
    until = until or _today()
    rules = offering_rules(offering)
    usage = _usage(offering, rules, until)
    partners = list(
        partners_matching(**filters)
        .exclude(status__in=[PartnerStatus.APPLICANT, PartnerStatus.CHURNED])
        .values_list("pk", "joined_at")
    )
    points, day = [], offering.launched_on
    while day <= until:
        eligible = {pk for pk, joined in partners if joined < _day_start(day + timedelta(days=1))}
        met = _adopters(usage, rules, day)
        points.append(
            CurvePoint(day=day, eligible=len(eligible), adopted=len(eligible & met.keys()))
        )
        if day == until:
            break
        day = min(day + timedelta(days=step_days), until)
    return points


@dataclass(frozen=True)
class PartnerOffering:
    offering: Offering
    adopted: bool
    reasons: list[str]


def partner_offerings(*, partner_id: int, as_of: date | None = None) -> list[PartnerOffering]:
    """Which active offerings one partner has adopted on ``as_of``, with the rules it meets.
    Three queries whatever the number of offerings (offerings, their rules, the partner's usage)."""
    as_of = as_of or _today()
    offerings = list(Offering.objects.filter(is_active=True, launched_on__lte=as_of))
    configured: dict[int, list[Rule]] = defaultdict(list)
    for r in OfferingAdoptionRule.objects.filter(offering__in=offerings):
        configured[r.offering_id].append(
            Rule(r.description, tuple(r.kinds), r.window_days, r.min_events)
        )
    usage: dict[str, list] = defaultdict(list)
    for slug, day, kind, events in PartnerDayOffering.objects.filter(
        partner_id=partner_id, offering__in=[o.slug for o in offerings], day__lte=as_of
    ).values_list("offering", "day", "kind", "events"):
        usage[slug].append((partner_id, day, kind, events))
    result = []
    for offering in offerings:
        rules = tuple(configured.get(offering.pk, ())) or DEFAULT_OFFERING_RULES
        reasons = _adopters(usage[offering.slug], rules, as_of).get(partner_id, [])
        result.append(PartnerOffering(offering=offering, adopted=bool(reasons), reasons=reasons))
    return result


# --- At risk --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AtRisk:
    partner: Partner
    reasons: list[str]


def at_risk_partners(*, as_of: date | None = None, **filters) -> list[AtRisk]:
    """Partners whose engagement fell well below their own baseline, or whose onboarding stalled.

    Drop: events in the 30 days ending ``as_of`` < PRM_AT_RISK_DROP_RATIO times the average per 30
    days over the 90 days before, for partners with a baseline of at least
    PRM_AT_RISK_MIN_BASELINE_EVENTS. Stall: status onboarding, joined more than
    PRM_ONBOARDING_STALL_DAYS ago and no checklist step completed in that many days.
    """
    as_of = as_of or _today()
    ratio, min_baseline = conf.at_risk_drop_ratio(), conf.at_risk_min_baseline()
    stall_days = conf.onboarding_stall_days()
    partners = partners_matching(**filters).exclude(status=PartnerStatus.CHURNED)
    recent_start = as_of - timedelta(days=SCORE_WINDOW_DAYS - 1)
    base_start = recent_start - timedelta(days=90)
    sums = (
        PartnerDay.objects.filter(partner__in=partners, day__range=(base_start, as_of))
        .values("partner_id")
        .annotate(
            recent=Sum("events", filter=Q(day__gte=recent_start)),
            before=Sum("events", filter=Q(day__lt=recent_start)),
        )
    )
    reasons: dict[int, list[str]] = defaultdict(list)
    for row in sums:
        baseline = (row["before"] or 0) / 3
        recent = row["recent"] or 0
        if baseline >= min_baseline and recent < ratio * baseline:
            drop = round(100 * (1 - recent / baseline))
            reasons[row["partner_id"]].append(
                f"Activity fell {drop}%: {recent} events in the last 30 days against "
                f"{baseline:.0f} per 30 days in the 90 days before."
            )
    stall_cutoff = _day_start(as_of + timedelta(days=1)) - timedelta(days=stall_days)
    onboarding = partners.filter(status=PartnerStatus.ONBOARDING, joined_at__lt=stall_cutoff)
    last_steps = dict(
        Event.objects.filter(kind=EventKind.STEP_COMPLETED, partner__in=onboarding)
        .values("partner_id")
        .annotate(last=Max("occurred_at"), steps=Count("id"))
        .values_list("partner_id", "last")
    )
    for pk, joined in onboarding.values_list("pk", "joined_at"):
        last = last_steps.get(pk)
        if last is None:
            waited = (stall_cutoff - joined).days + stall_days
            reasons[pk].append(
                f"Onboarding stalled: no checklist step completed in {waited} days since joining."
            )
        elif last < stall_cutoff:
            waited = (_day_start(as_of + timedelta(days=1)) - last).days
            reasons[pk].append(
                f"Onboarding stalled: no checklist step completed for {waited} days."
            )
    found = Partner.objects.in_bulk(list(reasons))
    return sorted(
        (AtRisk(partner=found[pk], reasons=r) for pk, r in reasons.items() if pk in found),
        key=lambda item: item.partner.name,
    )


# --- Freshness ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Freshness:
    last_success_at: datetime | None
    age: timedelta | None

    @property
    def is_stale(self) -> bool:
        return self.age is None or self.age > STALE_AFTER

    @property
    def label(self) -> str:
        if self.last_success_at is None:
            return "Metrics have not been computed yet."
        minutes = int(self.age.total_seconds() // 60)
        when = "less than a minute ago" if minutes < 1 else f"{minutes} min ago"
        return f"Metrics updated {when}."


def metrics_freshness() -> Freshness:
    """When the rollups last succeeded; every page that shows metrics shows this."""
    state = RollupState.objects.filter(name=ROLLUP_NAME).only("last_success_at").first()
    last = state.last_success_at if state else None
    return Freshness(last_success_at=last, age=(timezone.now() - last) if last else None)
