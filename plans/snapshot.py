"""The scorecard frozen at a quarterly business review: ``plans.scorecard.scorecard_for_partner``
serialised to plain JSON (numbers as strings, labels as text in the language of the moment), so
the review page shows what was on the table that day whatever happens to the data afterwards."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from plans.scorecard import Scorecard, scorecard_for_partner

VERSION = 1


def _number(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f") if isinstance(value, Decimal) else str(value)


def serialise(card: Scorecard, *, at) -> dict:
    plan = card.plan
    rows = []
    for row in card.rows:
        progress, benchmark = row.progress, row.benchmark
        rows.append({
            "label": str(row.label),
            "text": row.goal.text if row.goal.is_measured else "",
            "measured": row.goal.is_measured,
            "done": bool(row.goal.done),
            "target": _number(row.goal.target),
            "actual": progress.actual_text if progress else None,
            "percent": progress.percent if progress else None,
            "share_percent": progress.share_percent if progress else None,
            "on_track": progress.on_track if progress else None,
            "pace": progress.pace_text if progress else "",
            "percentile": benchmark.percentile if benchmark else None,
            "median": _number(benchmark.median) if benchmark else None,
            "peers": benchmark.peers if benchmark else 0,
            "tier_percentile": benchmark.tier_percentile if benchmark else None,
        })  # fmt: skip
    tier = card.tier
    trend = {
        "periods": [str(period.label) for period in card.trend_periods],
        "rows": [
            {
                "label": str(goal_trend.label),
                "values": [_number(p.value) for p in goal_trend.points],
            }
            for goal_trend in card.trend
        ],
    }
    return {
        "version": VERSION,
        "taken_at": at.isoformat(),
        "partner": card.partner.name,
        "plan": None
        if plan is None
        else {
            "id": plan.pk,
            "period": plan.period.label,
            "version": plan.version,
            "status": str(plan.get_status_display()),
        },
        "on_track": card.on_track,
        "rows": rows,
        # the last four periods of each measured goal (plans.trend); older snapshots have none
        "trend": trend,
        "tier": None
        if tier is None
        else {
            "name": tier.tier.name if tier.tier else "",
            "next": tier.next_tier.name if tier.next_tier else "",
            "requirements": [{"text": r.text, "met": bool(r.met)} for r in tier.rows],
        },
    }


def freeze(partner, *, now=None) -> dict:
    """The partner's scorecard now, as JSON data. The caller has checked the user's rights."""
    now = now or timezone.now()
    return serialise(scorecard_for_partner(partner=partner, now=now), at=now)
