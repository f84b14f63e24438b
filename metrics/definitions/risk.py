"""Partners at risk (activity drop, dormancy, stalled onboarding) and the freshness of the metrics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics import conf
from metrics.definitions.common import _day_start, _today, partners_matching
from metrics.models import AdoptionScore, PartnerDay
from metrics.rollups import shard_states
from metrics.scores import SCORE_WINDOW_DAYS
from partners.choices import PartnerStatus
from partners.models import Partner
from partners.readers import readers

STALE_AFTER = timedelta(minutes=5)


# --- At risk --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AtRisk:
    partner: Partner
    reasons: list[str]


def at_risk_partners(*, as_of: date | None = None, **filters) -> list[AtRisk]:
    """Every partner at risk on ``as_of``, by name (see ``at_risk_page``)."""
    return at_risk_page(as_of=as_of, limit=None, **filters)[1]


#: The kinds of reason a partner is at risk for (``AtRiskPage.by_reason``).
DROP, DORMANT, STALLED = "drop", "dormant", "stalled"
REASONS = (DROP, DORMANT, STALLED)


@dataclass(frozen=True)
class AtRiskPage:
    total: int  # partners at risk
    shown: list[AtRisk]  # the first ``limit`` of them by name
    ids: list[int]  # every one of them, by name: the partners behind ``total``
    by_reason: dict[str, list[int]]  # reason kind → those at risk for it (a partner may have two)


def at_risk_page(
    *, as_of: date | None = None, limit: int | None = None, **filters
) -> tuple[int, list[AtRisk]]:
    """How many partners are at risk on ``as_of`` and the first ``limit`` of them by name
    (all: None); see ``at_risk_overview``."""
    page = at_risk_overview(as_of=as_of, limit=limit, **filters)
    return page.total, page.shown


def at_risk_overview(
    *, as_of: date | None = None, limit: int | None = None, **filters
) -> AtRiskPage:
    """Partners whose engagement fell well below their own baseline, who went dormant, or whose
    onboarding stalled.

    Drop: events in the 30 days ending ``as_of`` < PRM_AT_RISK_DROP_RATIO times the average per 30
    days over the 90 days before, for partners with a baseline of at least
    PRM_AT_RISK_MIN_BASELINE_EVENTS. Dormant: no event on any of the PRM_AT_RISK_DORMANT_DAYS days
    ending ``as_of``, for partners that had joined before those days began (the drop rule cannot
    see them: their baseline is empty too). Stall: status onboarding and no checklist step
    completed (none: since joining; onboarding's reader ``onboarding.last_step_done``) for
    PRM_ONBOARDING_STALL_DAYS or more, counted in whole days up to now (``as_of`` today) or the
    end of ``as_of``, as the onboarding follow-up counts them.
    Returns how many partners are at risk, the first ``limit`` of them by name (all: None), and
    the partners behind the count, in all and per reason (the partner list's drill-down).
    """
    as_of = as_of or _today()
    ratio, min_baseline = conf.at_risk_drop_ratio(), conf.at_risk_min_baseline()
    stall_days = conf.onboarding_stall_days()
    partners = partners_matching(**filters).exclude(status=PartnerStatus.CHURNED)
    reasons: dict[int, list[str]] = defaultdict(list)
    kinds: dict[int, set[str]] = defaultdict(set)

    def add(pk: int, kind: str, reason: str) -> None:
        reasons[pk].append(reason)
        kinds[pk].add(kind)

    # SQL keeps only the candidates (a superset: the +3 absorbs float rounding), Python decides.
    candidates = _activity_windows(partners, as_of).filter(
        before__gte=3 * min_baseline, recent_x3__lt=ratio * F("before") + 3
    )
    for row in candidates:
        baseline = (row["before"] or 0) / 3
        recent = row["recent"] or 0
        if baseline >= min_baseline and recent < ratio * baseline:
            drop = round(100 * (1 - recent / baseline))
            add(
                row["partner_id"],
                DROP,
                f"Activity fell {drop}%: {recent} events in the last 30 days against "
                f"{baseline:.0f} per 30 days in the 90 days before.",
            )
    for pk, reason in _dormant(partners, as_of, conf.at_risk_dormant_days()):
        add(pk, DORMANT, reason)
    moment = _moment(as_of)
    stall_cutoff = moment - timedelta(days=stall_days)
    onboarding = partners.filter(status=PartnerStatus.ONBOARDING, joined_at__lte=stall_cutoff)
    last_steps = readers.get("onboarding.last_step_done")(partners=onboarding)
    for pk, joined in onboarding.values_list("pk", "joined_at"):
        last = last_steps.get(pk)
        if last is None:
            waited = (moment - joined).days
            add(
                pk,
                STALLED,
                f"Onboarding stalled: no checklist step completed in {waited} days since joining.",
            )
        elif last <= stall_cutoff:
            waited = (moment - last).days
            add(pk, STALLED, f"Onboarding stalled: no checklist step completed for {waited} days.")
    names = dict(Partner.objects.filter(pk__in=list(reasons)).values_list("pk", "name"))
    ordered = sorted((pk for pk in reasons if pk in names), key=names.__getitem__)
    shown = ordered if limit is None else ordered[:limit]
    found = Partner.objects.select_related("owner").in_bulk(shown)
    by_reason = {kind: [pk for pk in ordered if kind in kinds[pk]] for kind in REASONS}
    return AtRiskPage(
        total=len(ordered),
        shown=[AtRisk(partner=found[pk], reasons=reasons[pk]) for pk in shown],
        ids=ordered,
        by_reason=by_reason,
    )


def _moment(as_of: date) -> datetime:
    """The moment ``as_of`` stands for: now when it is today, else the end of that (UTC) day. Whole
    days elapsed up to it are floor((moment - t) / 1 day), as the onboarding follow-up counts its
    "no progress for N days" (``onboarding.services.followup``), so both say the same N."""
    now = timezone.now()
    return min(now, _day_start(as_of + timedelta(days=1)))


def _dormant(partners, as_of: date, days: int) -> list[tuple[int, str]]:
    """(partner id, reason) for every partner of ``partners`` with no event on any of the ``days``
    days ending ``as_of`` that had joined before the first of them.

    A score row of day X exists exactly when the partner had an event in X-29..X, so the score
    rows of a few days whose windows tile first..as_of (as_of, as_of-30, ..., the last one
    clamped to start on ``first``; ``days`` ≥ 30) say who was active: an index-only scan of a
    few days of ``AdoptionScore`` (the at-risk drop rule reads the same rows), not a probe of
    ``PartnerDay`` per partner (10k partners: 200 ms). The last active day is then read for the
    dormant partners only, one backward probe of ``PartnerDay``'s primary key each."""
    first = as_of - timedelta(days=days - 1)  # the quiet days are first..as_of
    earliest = first + timedelta(days=SCORE_WINDOW_DAYS - 1)  # a window starting on ``first``
    score_days = {
        max(as_of - timedelta(days=SCORE_WINDOW_DAYS * k), earliest)
        for k in range(-(-days // SCORE_WINDOW_DAYS))
    }
    active = AdoptionScore.objects.filter(day__in=score_days).values("partner_id")
    last = (
        PartnerDay.objects.filter(partner=OuterRef("pk"), day__lt=first)
        .order_by("-day")
        .values("day")[:1]
    )
    rows = (
        partners.filter(joined_at__lt=_day_start(first))
        .exclude(pk__in=active)
        .annotate(last=Subquery(last))
        .order_by()
        .values_list("pk", "joined_at", "last")
    )
    found = []
    for pk, joined, last_day in rows:
        if last_day is None:
            quiet = (as_of - joined.astimezone(UTC).date()).days
            reason = _("Dormant: no activity in the %(days)s days since joining.") % {"days": quiet}
        else:
            reason = _("Dormant: no activity for %(days)s days (last active on %(day)s).") % {
                "days": (as_of - last_day).days,
                "day": last_day.isoformat(),
            }
        found.append((pk, reason))
    return found


def _activity_windows(partners, as_of: date):
    """Per partner with any activity: events in the 30 days ending ``as_of`` (``recent``) and in
    the 90 days before them (``before``). Read from the adoption scores, whose ``events`` is the
    sum over the 30 days ending their day: recent = the score of ``as_of``, before = the scores
    of 30, 60 and 90 days earlier (no row: no event in that window). Four rows per partner at
    most instead of its 120 days of ``PartnerDay``; a test checks both give the same sums."""
    days = [as_of - timedelta(days=SCORE_WINDOW_DAYS * n) for n in range(4)]
    return (
        AdoptionScore.objects.filter(partner__in=partners, day__in=days)
        .order_by()
        .values("partner_id")
        .annotate(
            recent=Sum("events", filter=Q(day=as_of)),
            before=Sum("events", filter=Q(day__lt=as_of)),
            recent_x3=3 * Coalesce(Sum("events", filter=Q(day=as_of)), 0),
        )
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
    # Every partner shard of the rollup must have run: the oldest of their last successes.
    last = shard_states().aggregate(last=Min("last_success_at"))["last"]
    return Freshness(last_success_at=last, age=(timezone.now() - last) if last else None)
