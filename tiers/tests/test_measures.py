"""The measures tier requirements read come from the apps that own the data (partners.measures)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from metrics.measures import OFFERING_ADOPTED
from partners.measures import measures
from tiers.checks import subject_measures_match_the_constraint
from tiers.measures import measure
from tiers.models import TierRequirement
from tiers.tests.tiers_helpers import T0, M, active_partner, build_ladder, won

pytestmark = pytest.mark.django_db


def test_deals_enablement_metrics_and_tiers_register_the_measures_requirements_use():
    assert set(measures) >= {
        M.CERTIFIED_USERS,
        M.COMPLETED_COURSES,
        M.WON_DEALS_12M,
        M.REVENUE_12M,
        M.ADOPTION_SCORE_90D,
        M.ACTIVE_USERS_30D,
        M.ACTIVATED,
    }
    assert {key for key, m in measures.items() if m.subject} == {
        M.CERTIFIED_USERS,
        OFFERING_ADOPTED,
    }
    assert subject_measures_match_the_constraint() == []


def test_won_deals_and_revenue_are_measured_by_one_query(django_assert_num_queries):
    ladder = build_ladder()
    partner = active_partner(ladder)
    won(partner, 40_000, n=2)
    requirements = [
        TierRequirement(tier=ladder.gold, metric=M.WON_DEALS_12M, minimum=1),
        TierRequirement(tier=ladder.gold, metric=M.REVENUE_12M, minimum=1),
    ]

    with django_assert_num_queries(1):
        values = measure(partners=[partner], requirements=requirements, at=T0)

    assert values[partner.pk][M.WON_DEALS_12M] == 2
    assert values[partner.pk][M.REVENUE_12M] == Decimal("80000.00")


def test_a_requirement_of_a_measure_nobody_registered_is_refused_and_counts_zero():
    ladder = build_ladder()
    partner = active_partner(ladder)
    requirement = TierRequirement(tier=ladder.gold, metric="nps_score", minimum=1)

    with pytest.raises(ValidationError) as info:
        requirement.full_clean()

    assert "metric" in info.value.message_dict
    assert measure(partners=[partner], requirements=[requirement], at=T0)[partner.pk] == {}


def test_the_admin_names_the_certification_of_a_requirement_by_slug(client_as, world):
    ladder = build_ladder()
    url = reverse("admin:partners_tier_change", args=[ladder.gold.pk])
    data = {
        "program": ladder.program.pk,
        "name": "Gold",
        "rank": "3",
        "description": "",
        "requirements-TOTAL_FORMS": "1",
        "requirements-INITIAL_FORMS": "0",
        "requirements-MIN_NUM_FORMS": "0",
        "requirements-MAX_NUM_FORMS": "1000",
        "requirements-0-metric": M.CERTIFIED_USERS,
        "requirements-0-certification": "cse",
        "requirements-0-minimum": "1",
        "requirements-0-note": "",
        "benefits-TOTAL_FORMS": "0",
        "benefits-INITIAL_FORMS": "0",
        "benefits-MIN_NUM_FORMS": "0",
        "benefits-MAX_NUM_FORMS": "1000",
    }

    response = client_as("vendor_admin").post(url, data)

    assert response.status_code == 302
    assert TierRequirement.objects.filter(
        tier=ladder.gold, metric=M.CERTIFIED_USERS, subject_id=ladder.certification.pk
    ).exists()


def test_the_admin_refuses_a_certification_on_a_measure_it_does_not_narrow(client_as, world):
    ladder = build_ladder()
    url = reverse("admin:partners_tier_change", args=[ladder.gold.pk])
    data = {
        "program": ladder.program.pk,
        "name": "Gold",
        "rank": "3",
        "description": "",
        "requirements-TOTAL_FORMS": "1",
        "requirements-INITIAL_FORMS": "0",
        "requirements-MIN_NUM_FORMS": "0",
        "requirements-MAX_NUM_FORMS": "1000",
        "requirements-0-metric": M.COMPLETED_COURSES,
        "requirements-0-certification": "cse",
        "requirements-0-minimum": "1",
        "requirements-0-note": "",
        "benefits-TOTAL_FORMS": "0",
        "benefits-INITIAL_FORMS": "0",
        "benefits-MIN_NUM_FORMS": "0",
        "benefits-MAX_NUM_FORMS": "1000",
    }

    response = client_as("vendor_admin").post(url, data)

    assert response.status_code == 200
    assert "A certification does not narrow Courses completed." in response.content.decode()
    assert not TierRequirement.objects.filter(tier=ladder.gold, metric=M.COMPLETED_COURSES).exists()
