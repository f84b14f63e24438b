"""Steps completed by the real actions of other apps (enablement, deals), which know nothing of
onboarding: the only link is the event each of them records."""

import pytest

from deals.tests.factories import make_deal
from enablement import services as enablement
from enablement.tests.factories import CertificationFactory, CourseFactory, LessonFactory
from onboarding import services
from onboarding.choices import StepKind, StepStatus
from onboarding.tests.factories import TemplateStepFactory
from partners.choices import PartnerStatus

pytestmark = pytest.mark.django_db


def test_training_certification_and_a_registered_deal_activate_the_partner(world):
    partner, user = world.partner_a, world.users["partner_a_user"]
    course = CourseFactory()
    lessons = LessonFactory.create_batch(2, course=course)
    certification = CertificationFactory(courses=[course])
    template = TemplateStepFactory(
        template__program=partner.program,
        key="course",
        kind=StepKind.COURSE,
        subject_id=str(course.pk),
    ).template
    TemplateStepFactory(
        template=template,
        key="cert",
        kind=StepKind.CERTIFICATION,
        subject_id=str(certification.pk),
    )
    TemplateStepFactory(template=template, key="deal", kind=StepKind.FIRST_DEAL)
    checklist = services.checklist_start(partner=partner)

    enablement.enrollment_start(user=user, course=course)
    for lesson in lessons:
        enablement.lesson_complete(user=user, lesson=lesson)
    steps = {s.key: s for s in checklist.steps.all()}
    assert steps["course"].status == StepStatus.DONE
    assert steps["cert"].status == StepStatus.DONE  # earned on completing the course
    assert steps["deal"].status == StepStatus.PENDING

    make_deal(user=user, submit=True)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE
