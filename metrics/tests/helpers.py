"""Reading the summary tables back as plain dicts, to compare runs and the naive reference."""

from datetime import UTC, date, datetime, time, timedelta

from events.services import NewEvent
from events.tests.payloads import payload
from metrics.models import (
    AdoptionScore,
    PartnerDay,
    PartnerDayKind,
    PartnerDayOffering,
    PartnerDayUser,
    PartnerWeek,
)
from metrics.rollups import rollup_incremental, rollup_recompute
from metrics.scores import scores_refresh


def snapshot() -> dict:
    return {
        "kind": {(r.partner_id, r.day, r.kind): r.events for r in PartnerDayKind.objects.all()},
        "day": {(r.partner_id, r.day): (r.events, r.users) for r in PartnerDay.objects.all()},
        "day_areas": {(r.partner_id, r.day): r.area_mask for r in PartnerDay.objects.all()},
        "user": set(PartnerDayUser.objects.values_list("partner_id", "day", "user_id")),
        "offering": {
            (r.partner_id, r.day, r.offering, r.kind): r.events
            for r in PartnerDayOffering.objects.all()
        },
        "score": {
            (r.partner_id, r.day): (
                r.score,
                r.areas,
                r.area_mask,
                r.active_days,
                r.active_users,
                r.events,
            )
            for r in AdoptionScore.objects.all()
        },
        "week": {
            (r.partner_id, r.week): (r.users, r.active_days) for r in PartnerWeek.objects.all()
        },
    }


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def event(
    kind: str,
    key: str,
    *,
    partner,
    day: date,
    user=None,
    properties: dict | None = None,
    hour: int = 12,
) -> NewEvent:
    return NewEvent(
        kind=kind,
        key=key,
        partner_id=getattr(partner, "pk", partner),
        user_id=getattr(user, "pk", user),
        occurred_at=at(day, hour),
        properties=payload(kind, properties),
    )


def days_ago(today: date, n: int) -> date:
    return today - timedelta(days=n)


def roll():
    """What the every-minute task does: fold in new events, then refresh the scores."""
    result = rollup_incremental()
    scores_refresh()
    return result


def recompute(**dates):
    result = rollup_recompute(**dates)
    scores_refresh()
    return result
