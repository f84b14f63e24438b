"""A tier requirement no partner could meet is refused when saved (model clean(), the admin), and
one that became unreachable for a partner says so on its tier progress."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enablement.tests.factories import CertificationFactory, CourseFactory
from partners.tests.factories import MembershipFactory
from tiers.models import TierRequirement
from tiers.tests.tiers_helpers import M, active_partner, build_ladder

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    return build_ladder()  # one published course (se-essentials), open to everybody


def errors_of(requirement) -> dict:
    with pytest.raises(ValidationError) as info:
        requirement.full_clean()
    return info.value.message_dict


def test_a_course_requirement_above_the_courses_open_below_the_tier_is_refused(ladder):
    for _ in range(5):
        CourseFactory()  # 6 open courses in all
    CourseFactory(is_published=False)
    CourseFactory(min_tier=ladder.gold)  # only seen once at Gold

    requirement = TierRequirement(tier=ladder.gold, metric=M.COMPLETED_COURSES, minimum=8)

    assert "Only 6 published courses are open" in errors_of(requirement)["minimum"][0]
    TierRequirement(tier=ladder.gold, metric=M.COMPLETED_COURSES, minimum=6).full_clean()


def test_a_course_gated_below_the_tier_counts_toward_it(ladder):
    CourseFactory(min_tier=ladder.silver)

    TierRequirement(tier=ladder.gold, metric=M.COMPLETED_COURSES, minimum=2).full_clean()
    assert "minimum" in errors_of(
        TierRequirement(tier=ladder.silver, metric=M.COMPLETED_COURSES, minimum=2)
    )


def test_a_certification_partners_cannot_earn_before_the_tier_is_refused(ladder):
    draft = CertificationFactory(is_published=False)
    gated = CertificationFactory(min_tier=ladder.gold)

    for certification in (draft, gated):
        requirement = TierRequirement(
            tier=ladder.gold, metric=M.CERTIFIED_USERS, subject_id=certification.pk, minimum=1
        )
        assert "certification" in errors_of(requirement)


@pytest.mark.parametrize(("metric", "minimum"), [(M.ACTIVATED, 2), (M.ADOPTION_SCORE_90D, 101)])
def test_a_minimum_above_what_the_metric_can_reach_is_refused(ladder, metric, minimum):
    assert "minimum" in errors_of(TierRequirement(tier=ladder.gold, metric=metric, minimum=minimum))


def test_the_admin_refuses_more_courses_than_exist_and_saves_nothing(client_as, world, ladder):
    url = reverse("admin:partners_tier_change", args=[ladder.gold.pk])
    before = TierRequirement.objects.count()
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
        "requirements-0-minimum": "8",
        "requirements-0-note": "",
        "benefits-TOTAL_FORMS": "0",
        "benefits-INITIAL_FORMS": "0",
        "benefits-MIN_NUM_FORMS": "0",
        "benefits-MAX_NUM_FORMS": "1000",
    }

    response = client_as("vendor_admin").post(url, data)

    assert response.status_code == 200
    assert "Only 1 published course is open to partners of Tiered before Gold" in (
        response.content.decode()
    )
    assert TierRequirement.objects.count() == before


def test_progress_says_when_a_course_requirement_cannot_be_met_with_what_the_partner_sees(
    client, ladder
):
    # 3 courses asked for Silver; saved when 3 were open, then one was unpublished
    extra = [CourseFactory(), CourseFactory()]
    TierRequirement.objects.create(tier=ladder.silver, metric=M.COMPLETED_COURSES, minimum=3)
    extra[0].is_published = False
    extra[0].save()
    now = timezone.now()
    partner = active_partner(ladder, at=now, name="Alpha Systems")
    admin = MembershipFactory(partner=partner, role="admin").user
    client.force_login(admin)

    page = client.get(reverse("partners:home")).content.decode()

    assert "0 of 3 courses completed" in page
    assert "Cannot be met as it stands: only 2 courses are open to Alpha Systems" in page


def test_manager_progress_says_when_a_certification_is_not_open_to_the_partner(client, ladder):
    from accounts.tests.factories import ChannelManagerFactory

    ladder.certification.is_published = False
    ladder.certification.save()
    owner = ChannelManagerFactory()
    partner = active_partner(ladder, owner=owner, name="Alpha Systems")
    client.force_login(owner)

    page = client.get(reverse("partners:manager_partner", args=[partner.pk])).content.decode()

    assert "0 of 2 certified people (Certified Sales Engineer)" in page
    assert "Cannot be met as it stands: Certified Sales Engineer is not open to Alpha Systems" in (
        page
    )


def test_progress_of_a_reachable_requirement_says_nothing_more(client, ladder):
    CourseFactory()
    TierRequirement.objects.create(
        tier=ladder.silver, metric=M.COMPLETED_COURSES, minimum=Decimal(2)
    )
    partner = active_partner(ladder)
    admin = MembershipFactory(partner=partner, role="admin").user
    client.force_login(admin)

    page = client.get(reverse("partners:home")).content.decode()

    assert "0 of 2 courses completed" in page and "Cannot be met" not in page


def test_the_admin_warns_when_a_partner_type_sees_fewer_courses_than_asked(
    client_as, world, ladder
):
    from partners.tests.factories import PartnerTypeFactory

    integrator = PartnerTypeFactory(name="Integrator", slug="integrator")
    PartnerTypeFactory(name="Reseller", slug="reseller")
    CourseFactory().partner_types.add(integrator)  # 2 courses for integrators, 1 for the others
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
        "requirements-0-minimum": "2",
        "requirements-0-note": "",
        "benefits-TOTAL_FORMS": "0",
        "benefits-INITIAL_FORMS": "0",
        "benefits-MIN_NUM_FORMS": "0",
        "benefits-MAX_NUM_FORMS": "1000",
    }

    response = client_as("vendor_admin").post(url, data, follow=True)

    page = response.content.decode()
    assert TierRequirement.objects.filter(tier=ladder.gold, metric=M.COMPLETED_COURSES).exists()
    assert "Gold asks for 2 completed courses, but only 1 is open to Reseller partners" in page
    assert "open to Integrator partners" not in page
