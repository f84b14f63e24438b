"""A planted churn world for the churn forecast's tests (metrics/tests/test_churn.py and the
browser test tests/e2e/test_churn_forecast.py)."""

import random
from datetime import UTC, date, datetime, time, timedelta

from metrics.models import AdoptionScore
from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory, ProgramFactory, TierFactory


def at(d: date) -> datetime:
    return datetime.combine(d, time(12), tzinfo=UTC)


def score(partner, d: date, events: int, users: int):
    AdoptionScore.objects.create(
        partner=partner,
        day=d,
        score=min(100, events / 2),
        areas=min(5, events // 20),
        active_days=min(30, events // 4),
        active_users=users,
        seats=10,
        events=events,
    )


def _partner(program, tier, name: str, joined: date):
    return PartnerFactory(
        program=program,
        tier=tier,
        name=name,
        status=PartnerStatus.ACTIVE,
        joined_at=at(joined),
        activated_at=at(joined),
    )


def plant(last: date, *, program=None, owner=None, count: int = 60) -> list:
    """``count`` partners, scores every 15 days back from ``last``. Half collapse at a random day: 60
    days before, their activity and users decline (the warning the model can learn); then activity
    falls to almost nothing. The others stay busy with noise."""
    rng = random.Random(7)
    start = last - timedelta(days=30 * 16)
    program = program or ProgramFactory()
    tier = program.tiers.filter(rank=1).first() or TierFactory(program=program, rank=1)
    partners = []
    for i in range(count):
        p = _partner(program, tier, f"Planted {i:02d}", start - timedelta(days=40))
        if owner is not None:
            p.owner = owner
            p.save(update_fields=["owner"])
        collapse = (
            start + timedelta(days=30 * rng.randint(5, 15) + rng.randint(-10, 10))
            if i % 2 == 0
            else None
        )
        d = start
        while d <= last:
            if collapse is None or d < collapse - timedelta(days=60):
                events, users = rng.randint(90, 110), rng.randint(7, 9)
            elif d < collapse:
                events, users = rng.randint(40, 55), rng.randint(3, 4)
            else:
                events, users = rng.randint(0, 5), 1
            if events:
                score(p, d, events, users)
            d += timedelta(days=15)
        partners.append(p)
    return partners
