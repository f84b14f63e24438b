"""The at-risk set, stored once per scores day (``AtRiskDay`` / ``AtRiskPartner``), and who
turned at risk.

The at-risk rules (``metrics.definitions.risk``) run in Python over SQL aggregates: about 0.3 to
1 s on 10,000 partners, too slow for each request of the partner list's ``at_risk`` filter. So
the after-rollup step (``after_rollup``, registered from ``MetricsConfig.ready``) computes the set
of the current scores day and stores it; the filter is then an ``Exists`` subquery on it.

The stored set is rebuilt after a rollup run that folded events or refreshed scores (once it is
``MIN_AGE`` old), and at least every ``MAX_AGE`` (the stalled-onboarding rule counts time, not
events); a reader that finds
no set for the day computes it (the first request after a deploy, a test without a rollup). The
day before the current one is computed on demand the same way, so "turned at risk" always
compares two sets computed by the same rules.

Turning at risk: a partner in the day's set and not in the previous day's gets one
``partner.at_risk`` event (key partner + day, so reruns and intraday rebuilds record it once);
a partner staying at risk is not announced again; one that recovers and falls again on a later
day is. The notifications app turns the event into a notice for the owning manager.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from events.choices import EventKind
from events.services import NewEvent, record_events
from metrics.definitions import at_risk_partners
from metrics.definitions.common import _today
from metrics.models import AtRiskDay, AtRiskPartner, RollupState
from metrics.rollups import SCORES_NAME, RollupResult

logger = logging.getLogger(__name__)

#: The longest a stored set is trusted without a rebuild (the stall rule moves with the clock).
MAX_AGE = timedelta(minutes=10)
#: After a rollup run that changed something, a set at least this old is rebuilt: the rules cost
#: up to a second on 10,000 partners, so at most one rebuild every two minutes, not every run.
MIN_AGE = timedelta(minutes=2)
#: Stored sets older than this many days before the one stored are dropped (turning at risk
#: compares a day with the one before; the rest is kept a month for looking back).
KEEP_DAYS = 31


def at_risk_store(*, day: date) -> int:
    """Compute the at-risk set of scores day ``day`` by the at-risk rules and store it in place
    of the one stored before (one transaction). Returns how many partners are at risk."""
    rows = at_risk_partners(as_of=day)
    with transaction.atomic():
        AtRiskPartner.objects.filter(day=day).delete()
        AtRiskPartner.objects.bulk_create(
            [AtRiskPartner(day=day, partner=r.partner, reasons=list(r.reasons)) for r in rows],
            batch_size=2000,
        )
        AtRiskDay.objects.update_or_create(
            day=day, defaults={"computed_at": timezone.now(), "partners": len(rows)}
        )
        old = day - timedelta(days=KEEP_DAYS)
        AtRiskPartner.objects.filter(day__lt=old).delete()
        AtRiskDay.objects.filter(day__lt=old).delete()
    return len(rows)


def at_risk_ensure(*, day: date) -> None:
    """Make sure scores day ``day`` has a stored set (one query when it has)."""
    if not AtRiskDay.objects.filter(day=day).exists():
        try:
            at_risk_store(day=day)
        except IntegrityError:  # computed at the same moment by another request or the task
            logger.info("at-risk set of %s stored concurrently", day)


def at_risk_condition(*, day: date):
    """An ``Exists`` over ``Partner`` rows: at risk on scores day ``day`` (stored set)."""
    at_risk_ensure(day=day)
    return Exists(AtRiskPartner.objects.filter(day=day, partner=OuterRef("pk")))


def turned_at_risk(*, day: date) -> list[AtRiskPartner]:
    """The partners at risk on ``day`` that were not the day before (both sets stored)."""
    at_risk_ensure(day=day)
    at_risk_ensure(day=day - timedelta(days=1))
    before = AtRiskPartner.objects.filter(day=day - timedelta(days=1), partner=OuterRef("partner"))
    return list(AtRiskPartner.objects.filter(day=day).exclude(Exists(before)).order_by("partner"))


def announce_turned_at_risk(*, day: date) -> int:
    """Record one ``partner.at_risk`` event per partner that turned at risk on ``day``; a key
    per partner and day makes a rerun record nothing new. Returns how many were new."""
    rows = turned_at_risk(day=day)
    return record_events(
        NewEvent(
            kind=EventKind.PARTNER_AT_RISK,
            key=f"partner.at_risk:{row.partner_id}:{day.isoformat()}",
            partner_id=None,
            subject_type="partners.partner",
            subject_id=str(row.partner_id),
            properties={
                "partner": row.partner_id,
                "day": day.isoformat(),
                "reasons": [str(r) for r in row.reasons],
            },
        )
        for row in rows
    )


def _needs_rebuild(day: date, rollup: RollupResult, scores: RollupResult) -> bool:
    stored = AtRiskDay.objects.filter(day=day).values_list("computed_at", flat=True).first()
    if stored is None:
        return True
    age = timezone.now() - stored
    changed = bool(rollup.events or scores.buckets)
    return age >= MAX_AGE or (changed and age >= MIN_AGE)


def current_score_day() -> date:
    """The last day with computed adoption scores (one query)."""
    day = (
        RollupState.objects.filter(name=SCORES_NAME)
        .values_list("scores_through", flat=True)
        .first()
    )
    return day or _today()


def after_rollup(rollup: RollupResult, scores: RollupResult) -> int:
    """The after-rollup step: rebuild the current scores day's set when it may have changed,
    then announce who turned at risk. Returns the number of new ``partner.at_risk`` events."""
    day = current_score_day()
    if not _needs_rebuild(day, rollup, scores):
        return 0
    try:
        at_risk_store(day=day)
    except IntegrityError:  # a request stored the day's set at the same moment: keep that one
        logger.info("at-risk set of %s stored concurrently", day)
    return announce_turned_at_risk(day=day)
