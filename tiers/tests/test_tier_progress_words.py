"""The adoption-score requirement reads as a bar to clear, not as a count toward a total."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import AdoptionScore
from tiers.models import TierRequirement
from tiers.progress import tier_progress
from tiers.tests.tiers_helpers import M, active_partner, build_ladder

pytestmark = pytest.mark.django_db


def scored(partner, score: float, today):
    AdoptionScore.objects.bulk_create(
        AdoptionScore(
            partner=partner,
            day=today - timedelta(days=n),
            score=score,
            areas=5,
            area_mask=31,
            active_days=20,
            active_users=3,
            seats=3,
            events=100,
        )
        for n in range(90)
    )


@pytest.mark.parametrize(
    ("score", "text"),
    [
        (93.1, "Adoption score 93.1 (90-day average), needs 60: met"),
        (41.5, "Adoption score 41.5 (90-day average), needs 60: 18.5 short"),
    ],
)
def test_adoption_score_requirement_says_the_bar_and_whether_it_is_met(score, text):
    ladder = build_ladder()
    TierRequirement.objects.create(tier=ladder.silver, metric=M.ADOPTION_SCORE_90D, minimum=60)
    now = timezone.now()
    partner = active_partner(ladder, at=now)
    scored(partner, score, now.date())
    (row,) = [
        r
        for r in tier_progress(partner, at=now).rows
        if r.requirement.metric == M.ADOPTION_SCORE_90D
    ]
    assert row.text == text
    assert row.met is (score >= 60)
