"""Churn forecast, part 1: the features of many partners as of a day and their labels
(docs/metrics.md "Churn forecast"). The model, its backtest and the stored forecasts are in
``metrics.churn_model``; the reasons in words in ``metrics.churn_reasons``.

As of day D means at the end of D: every fact is read from summaries and events of days up to D
(``day <= D``, moments before the end of D), never after, so a model trained on past as-of dates
never sees its own future. Everything is read for all partners at once: a handful of grouped
queries per as-of day, whatever the number of partners.

- Adoption scores (``AdoptionScore``: events, active users, active days and feature areas of the
  30 days ending a day) of D, D-30, D-60 and D-90: activity trend, active users now and 30 days
  ago, adoption parts.
- Daily counts per kind (``PartnerDayKind``) up to D: deal flow, checklist steps, leads answered.
- The event log (``Event``, by kind and day): status at D (``partner.created`` then every
  ``partner.status_changed``) and tier moves down in the year ending D.
- Enablement's reader ``enablement.certificates_expiring``: certificates held at D and expiring
  within 60 days.

Label of (partner, D): within the 90 days after D the partner went inactive or churned (a
``partner.status_changed`` to either), or its activity fell by more than half: events of the 30
days ending D+90 below half of its average per 30 days over the 90 days ending D (for a baseline
of at least ``PRM_AT_RISK_MIN_BASELINE_EVENTS``, as the at-risk drop rule). Known only once
D+90 has scores.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Max, Q, Sum

from events.choices import EventKind
from events.models import Event
from metrics import conf
from metrics.models import AdoptionScore, PartnerDayKind
from partners.choices import PartnerStatus
from partners.models import Partner
from partners.readers import readers

HORIZON_DAYS = 90
#: Certificates expiring within this many days after D count as expiring.
CERT_EXPIRY_DAYS = 60
#: Days since the last deal, and tenure, are capped here (a year says enough).
CAP_DAYS = 365
#: Leads answered over this many days before D.
LEAD_DAYS = 180
#: The statuses a forecast is made for ("active partners": in the program and not gone).
FORECAST_STATUSES = (PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE)
GONE = (PartnerStatus.INACTIVE, PartnerStatus.CHURNED)

FEATURES = (
    "activity_trend",  # log2((events last 30 d + 1) / (events per 30 d in the 60 d before + 1))
    "events_30",  # log2(events in the last 30 days + 1)
    "users_trend",  # log2((active users now + 1) / (active users 30 days ago + 1))
    "adoption_score",  # 0..100
    "feature_areas",  # of 5, last 30 days
    "active_days",  # of 30
    "days_since_deal",  # capped at 365; none ever: the tenure (capped)
    "deals_90",  # deal registrations submitted in the 90 days ending D
    "certs_expiring",  # certificates held at D expiring within 60 days
    "certs_held",
    "onboarding",  # 1 while still onboarding
    "days_since_step",  # onboarding: days since the last checklist step (or joining); else 0
    "lead_miss_rate",  # leads declined or left to lapse / leads answered or lapsed, 180 days
    "tenure_days",  # capped at 365
    "tier_downgrades",  # tier moves down in the year ending D
)


@dataclass
class PartnerFeatures:
    partner_id: int
    as_of: date
    values: list[float]
    facts: dict = field(default_factory=dict)  # the raw numbers the reasons are written from


def _end(day: date) -> datetime:
    """The first moment after ``day`` (UTC): facts of D are those before it."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _log2ratio(a: float, b: float) -> float:
    return math.log2((a + 1) / (b + 1))


def statuses_at(days: list[date], *, partner_ids=None) -> dict[date, dict[int, str]]:
    """The status of every partner at the end of each of ``days``, replayed from the log: its
    ``partner.created`` status, then each ``partner.status_changed`` in time order. A partner
    created after a day has no status that day. One query for all the days."""
    last = max(days)
    qs = Event.objects.filter(
        kind__in=(EventKind.PARTNER_CREATED, EventKind.PARTNER_STATUS_CHANGED), day__lte=last
    )
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    rows = qs.order_by("occurred_at", "id").values_list("partner_id", "day", "kind", "properties")
    moves: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for pid, day, kind, props in rows:
        status = props.get("status") if kind == EventKind.PARTNER_CREATED else props.get("to")
        if status and pid is not None:
            moves[pid].append((day, status))
    out: dict[date, dict[int, str]] = {d: {} for d in days}
    for pid, history in moves.items():
        for d in days:
            now = None
            for day, status in history:
                if day > d:
                    break
                now = status
            if now is not None:
                out[d][pid] = now
    return out


def _gone_between(start: date, end: date) -> set[int]:
    """Partners moved to inactive or churned on a day in (start, end]. One query."""
    rows = Event.objects.filter(
        kind=EventKind.PARTNER_STATUS_CHANGED,
        day__gt=start,
        day__lte=end,
    ).values_list("partner_id", "properties")
    return {pid for pid, props in rows if props.get("to") in GONE and pid is not None}


def _score_windows(as_of: date, offsets: tuple[int, ...]) -> dict[int, dict]:
    """Per partner: the adoption score row's fields of D - k*30 days for k in ``offsets``
    (missing: no event in that window). One grouped query."""
    days = {k: as_of - timedelta(days=30 * k) for k in offsets}
    annotations = {}
    for k, d in days.items():
        on = Q(day=d)
        annotations[f"e{k}"] = Sum("events", filter=on)
        annotations[f"u{k}"] = Sum("active_users", filter=on)
        if k == 0:
            annotations["score"] = Max("score", filter=on)
            annotations["areas"] = Max("areas", filter=on)
            annotations["active_days"] = Max("active_days", filter=on)
    rows = (
        AdoptionScore.objects.filter(day__in=list(days.values()))
        .order_by()
        .values("partner_id")
        .annotate(**annotations)
    )
    return {r.pop("partner_id"): r for r in rows}


def _kind_counts(as_of: date) -> dict[int, dict]:
    """Per partner, from the daily counts per kind up to D: deals submitted in the last 90 days
    and the last day one was, checklist steps and the last day of one, leads accepted and missed
    in the last 180 days. One grouped query over the rare kinds."""
    K = EventKind
    missed = (K.LEAD_DECLINED, K.LEAD_OFFER_EXPIRED)
    leads_since = as_of - timedelta(days=LEAD_DAYS - 1)
    rows = (
        PartnerDayKind.objects.filter(
            day__lte=as_of,
            kind__in=(K.DEAL_SUBMITTED, K.STEP_COMPLETED, K.LEAD_ACCEPTED, *missed),
        )
        .order_by()
        .values("partner_id")
        .annotate(
            deals_90=Sum(
                "events",
                filter=Q(kind=K.DEAL_SUBMITTED, day__gt=as_of - timedelta(days=HORIZON_DAYS)),
            ),
            last_deal=Max("day", filter=Q(kind=K.DEAL_SUBMITTED)),
            last_step=Max("day", filter=Q(kind=K.STEP_COMPLETED)),
            accepted=Sum("events", filter=Q(kind=K.LEAD_ACCEPTED, day__gte=leads_since)),
            missed=Sum("events", filter=Q(kind__in=missed, day__gte=leads_since)),
        )
    )
    return {r.pop("partner_id"): r for r in rows}


def _tier_downgrades(as_of: date) -> dict[int, int]:
    rows = Event.objects.filter(
        kind=EventKind.TIER_CHANGED, day__lte=as_of, day__gt=as_of - timedelta(days=CAP_DAYS)
    ).values_list("partner_id", "properties")
    out: dict[int, int] = defaultdict(int)
    for pid, props in rows:
        if pid is not None and props.get("direction") == "down":
            out[pid] += 1
    return out


def features_as_of(
    as_of: date, *, statuses: dict[int, str] | None = None, partners=None
) -> list[PartnerFeatures]:
    """The features of every partner onboarding or active at the end of ``as_of`` (by the log),
    that had joined by then, ordered by partner id. ``statuses``: the partners' statuses at
    ``as_of`` when already replayed (``statuses_at``); ``partners``: limit to these (a queryset
    or ids; default all). A fixed number of queries, whatever the number of partners."""
    if statuses is None:
        statuses = statuses_at([as_of])[as_of]
    qs = Partner.objects.filter(joined_at__lt=_end(as_of))
    if partners is not None:
        qs = qs.filter(pk__in=partners)
    # A partner without lifecycle events (older than the log's retention, or made outside the
    # services) counts with its current status.
    joined, status_of = {}, {}
    for pk, j, current in qs.values_list("pk", "joined_at", "status"):
        status_of[pk] = statuses.get(pk, current)
        if status_of[pk] in FORECAST_STATUSES:
            joined[pk] = j
    if not joined:
        return []
    scores = _score_windows(as_of, (0, 1, 2))
    kinds = _kind_counts(as_of)
    downs = _tier_downgrades(as_of)
    certs = readers.get("enablement.certificates_expiring")(
        partners=Partner.objects.filter(pk__in=list(joined)),
        as_of=_end(as_of),
        within_days=CERT_EXPIRY_DAYS,
    )
    out = []
    for pid in sorted(joined):
        s, k = scores.get(pid, {}), kinds.get(pid, {})
        c = certs.get(pid, {"held": 0, "expiring": 0})
        joined_day = joined[pid].astimezone(UTC).date()
        tenure = (as_of - joined_day).days
        e0, e1, e2 = (s.get(f"e{i}") or 0 for i in range(3))
        u0, u1 = s.get("u0") or 0, s.get("u1") or 0
        before = (e1 + e2) / 2
        last_deal = k.get("last_deal")
        since_deal = min((as_of - last_deal).days if last_deal else tenure, CAP_DAYS)
        onboarding = status_of[pid] == PartnerStatus.ONBOARDING
        last_step = k.get("last_step")
        since_step = (as_of - (last_step or joined_day)).days if onboarding else 0
        accepted, missed = k.get("accepted") or 0, k.get("missed") or 0
        answered = accepted + missed
        facts = {
            "events_30": e0,
            "events_before_per_30": round(before, 1),
            "users_now": u0,
            "users_before": u1,
            "score": round(s.get("score") or 0.0, 1),
            "areas": s.get("areas") or 0,
            "active_days": s.get("active_days") or 0,
            "days_since_deal": since_deal,
            "ever_deal": last_deal is not None,
            "deals_90": k.get("deals_90") or 0,
            "certs_expiring": c["expiring"],
            "certs_held": c["held"],
            "onboarding": onboarding,
            "days_since_step": since_step,
            "leads_missed": missed,
            "leads_answered": answered,
            "tenure_days": tenure,
            "tier_downgrades": downs.get(pid, 0),
        }
        values = [
            _log2ratio(e0, before),
            math.log2(e0 + 1),
            _log2ratio(u0, u1),
            facts["score"],
            facts["areas"],
            facts["active_days"],
            since_deal,
            facts["deals_90"],
            c["expiring"],
            c["held"],
            1.0 if onboarding else 0.0,
            since_step,
            missed / answered if answered else 0.0,
            min(tenure, CAP_DAYS),
            facts["tier_downgrades"],
        ]
        out.append(PartnerFeatures(partner_id=pid, as_of=as_of, values=values, facts=facts))
    return out


def labels_for(as_of: date, partner_ids: list[int]) -> dict[int, bool]:
    """The label of each of ``partner_ids`` as of ``as_of`` (see the module's docstring): gone
    (inactive or churned) in (D, D+90], or events of the 30 days ending D+90 below half of the
    average per 30 days over the 90 days ending D (baseline at least the drop rule's minimum).
    Call only when D+90 has scores. Two queries."""
    end = as_of + timedelta(days=HORIZON_DAYS)
    gone = _gone_between(as_of, end)
    base = _score_windows(as_of, (0, 1, 2))
    after = dict(
        AdoptionScore.objects.filter(day=end, partner_id__in=partner_ids).values_list(
            "partner_id", "events"
        )
    )
    minimum = conf.at_risk_min_baseline()
    out = {}
    for pid in partner_ids:
        s = base.get(pid, {})
        baseline = sum(s.get(f"e{i}") or 0 for i in range(3)) / 3
        halved = baseline >= minimum and after.get(pid, 0) < 0.5 * baseline
        out[pid] = pid in gone or halved
    return out


@dataclass(frozen=True)
class RuleFlags:
    """The at-risk rules replayed as of D on the same facts (``metrics.definitions.risk``:
    drop, dormant, stalled onboarding), for the backtest's comparison. ``at_risk_overview``
    reads today's status, so a past day is replayed here from the log's statuses instead."""

    drop: bool
    dormant: bool
    stalled: bool

    @property
    def count(self) -> int:
        return int(self.drop) + int(self.dormant) + int(self.stalled)


def rule_flags(rows: list[PartnerFeatures]) -> dict[int, RuleFlags]:
    """The rules' verdict per partner of ``rows`` (their as-of day), one query."""
    if not rows:
        return {}
    as_of = rows[0].as_of
    ratio, minimum = conf.at_risk_drop_ratio(), conf.at_risk_min_baseline()
    dormant_days, stall_days = conf.at_risk_dormant_days(), conf.onboarding_stall_days()
    windows = _score_windows(as_of, (0, 1, 2, 3))
    # the dormant rule: no event in the dormant days ending D (windows of 30 tile them)
    tiles = -(-dormant_days // 30)
    extra = {}
    if tiles > 4:
        extra = _score_windows(as_of, tuple(range(4, tiles)))
    out = {}
    for r in rows:
        w = windows.get(r.partner_id, {})
        recent = w.get("e0") or 0
        baseline = sum(w.get(f"e{i}") or 0 for i in (1, 2, 3)) / 3
        drop = baseline >= minimum and recent < ratio * baseline
        quiet = not any(w.get(f"e{i}") for i in range(min(tiles, 4))) and not any(
            extra.get(r.partner_id, {}).get(f"e{i}") for i in range(4, tiles)
        )
        dormant = quiet and r.facts["tenure_days"] >= dormant_days
        stalled = r.facts["onboarding"] and r.facts["days_since_step"] >= stall_days
        out[r.partner_id] = RuleFlags(drop=drop, dormant=dormant, stalled=stalled)
    return out
