"""Enablement's setup pages refuse to archive or delete content another app still names, through
the readers those apps register in ``partners.readers`` (issue 17's floors: enablement imports
neither onboarding nor tiers)."""

import pytest
from django.core.exceptions import ValidationError

from enablement.models import Certification, Course
from enablement.services import setup as services
from enablement.tests.factories import CertificationFactory, CourseFactory, LessonFactory
from onboarding.choices import StepKind
from onboarding.tests.factories import ChecklistTemplateFactory, TemplateStepFactory
from partners.models import Tier
from partners.tests.factories import ProgramFactory
from tiers.models import TierRequirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return world.users["vendor_admin"]


def test_a_course_a_checklist_step_asks_for_cannot_be_archived_or_deleted(admin):
    course = CourseFactory(title="Gadget basics")
    LessonFactory(course=course)
    template = ChecklistTemplateFactory(name="Resellers")
    TemplateStepFactory(
        template=template, title="Learn the gadget", kind=StepKind.COURSE, subject_id=str(course.pk)
    )
    with pytest.raises(ValidationError, match="Checklist “Resellers” step “Learn the gadget”"):
        services.course_archive(actor=admin, course=course)
    with pytest.raises(ValidationError, match="Learn the gadget"):
        services.course_delete(actor=admin, course=course)
    assert Course.objects.get(pk=course.pk).is_published


def test_a_course_no_step_names_is_not_held_back_by_the_reader(admin):
    course, other = CourseFactory(), CourseFactory()
    TemplateStepFactory(kind=StepKind.COURSE, subject_id=str(other.pk))
    services.course_delete(actor=admin, course=course)
    assert not Course.objects.filter(pk=course.pk).exists()


def test_a_certification_a_tier_requirement_or_a_step_names_cannot_be_deleted(admin):
    certification = CertificationFactory(name="Gadget Pro")
    program = ProgramFactory(name="Resell")
    gold = Tier.objects.create(program=program, rank=2, name="Gold")
    TierRequirement.objects.create(
        tier=gold, metric="certified_users", subject_id=certification.pk, minimum=2
    )
    TemplateStepFactory(
        title="Get certified", kind=StepKind.CERTIFICATION, subject_id=str(certification.pk)
    )
    with pytest.raises(ValidationError) as refused:
        services.certification_delete(actor=admin, certification=certification)
    text = " ".join(refused.value.messages)
    assert "Requirement of tier “Gold” (program “Resell”)" in text
    assert "Get certified" in text
    assert Certification.objects.filter(pk=certification.pk).exists()

    TierRequirement.objects.all().delete()
    TemplateStepFactory._meta.model.objects.all().delete()
    services.certification_delete(actor=admin, certification=certification)
    assert not Certification.objects.filter(pk=certification.pk).exists()
