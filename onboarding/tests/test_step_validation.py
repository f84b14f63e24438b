"""A checklist step that names an object (a course, a certification, an agreement) is checked when
it is saved: a step that can never complete is refused, in the admin and in model clean()."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from enablement.tests.factories import CertificationFactory, CourseFactory
from onboarding.choices import StepKind
from onboarding.models import ChecklistTemplate, TemplateStep
from onboarding.tests.factories import (
    AgreementFactory,
    ChecklistTemplateFactory,
    TemplateStepFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(step) -> dict:
    with pytest.raises(ValidationError) as info:
        step.full_clean()
    return info.value.message_dict


def step(**fields) -> TemplateStep:
    template = ChecklistTemplateFactory()
    return TemplateStepFactory.build(template=template, **fields)


def test_a_course_step_naming_no_course_is_refused():
    assert "subject_id" in errors_of(step(kind=StepKind.COURSE, subject_id="not-a-course"))
    assert "subject_id" in errors_of(step(kind=StepKind.COURSE, subject_id="999999"))


def test_a_course_step_naming_a_draft_course_is_refused():
    draft = CourseFactory(is_published=False)

    assert (
        "not published"
        in errors_of(step(kind=StepKind.COURSE, subject_id=str(draft.pk)))["subject_id"][0]
    )


def test_a_course_step_accepts_a_course_by_id_or_slug_and_stores_its_id():
    course = CourseFactory(slug="sales-foundations")
    by_slug = step(kind=StepKind.COURSE, subject_id="sales-foundations")
    by_id = step(kind=StepKind.COURSE, subject_id=str(course.pk))

    by_slug.full_clean()
    by_id.full_clean()

    assert by_slug.subject_id == by_id.subject_id == str(course.pk)


def test_a_certification_step_must_name_a_published_certification():
    certification = CertificationFactory(slug="cse")
    draft = CertificationFactory(is_published=False)
    ok = step(kind=StepKind.CERTIFICATION, subject_id="cse")

    ok.full_clean()

    assert ok.subject_id == str(certification.pk)
    assert "subject_id" in errors_of(step(kind=StepKind.CERTIFICATION, subject_id=str(draft.pk)))
    assert "subject_id" in errors_of(step(kind=StepKind.CERTIFICATION, subject_id="nope"))


def test_an_agreement_step_must_name_an_existing_agreement_by_id_or_version():
    agreement = AgreementFactory(version="2026.1")
    ok = step(kind=StepKind.AGREEMENT, subject_id="2026.1")

    ok.full_clean()

    assert ok.subject_id == str(agreement.pk)
    assert "subject_id" in errors_of(step(kind=StepKind.AGREEMENT, subject_id="1999.9"))


@pytest.mark.parametrize(
    "kind", [StepKind.PROFILE, StepKind.FIRST_DEAL, StepKind.INVITE, StepKind.DOCUMENT]
)
def test_a_step_kind_without_a_subject_refuses_one(kind):
    assert "subject_id" in errors_of(step(kind=kind, subject_id="12"))


def test_an_event_step_needs_a_well_formed_event_kind():
    assert "event_kind" in errors_of(step(kind=StepKind.EVENT))
    assert "event_kind" in errors_of(step(kind=StepKind.EVENT, event_kind="Webinar attended"))
    step(kind=StepKind.EVENT, event_kind="webinar.attended", subject_id="anything").full_clean()


def test_a_step_count_must_be_positive():
    assert "target_count" in errors_of(step(kind=StepKind.INVITE, target_count=0))


def test_match_properties_must_be_an_object():
    assert "match_properties" in errors_of(step(kind=StepKind.COURSE, match_properties=["x"]))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/x", "ftp://x.example"])
def test_a_step_link_must_be_a_path_or_a_web_address(url):
    assert "link_url" in errors_of(step(kind=StepKind.CUSTOM, link_url=url))


def test_a_step_link_may_be_a_path_or_an_https_address():
    step(kind=StepKind.CUSTOM, link_url="/portal/deals/new/").full_clean()
    step(kind=StepKind.CUSTOM, link_url="https://docs.example.com/start").full_clean()


def test_the_admin_refuses_a_template_whose_course_step_names_no_course(client_as, world):
    template = ChecklistTemplateFactory(name="Resellers")
    url = reverse("admin:onboarding_checklisttemplate_change", args=[template.pk])
    data = {
        "name": "Resellers",
        "description": "",
        "is_active": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "0",
        "steps-0-key": "course",
        "steps-0-kind": StepKind.COURSE,
        "steps-0-required": "on",
        "steps-0-due_days": "30",
        "steps-0-title": "Complete a course",
        "steps-0-why": "",
        "steps-0-subject_id": "no-such-course",
        "steps-0-target_count": "1",
        "steps-0-event_kind": "",
        "steps-0-link_url": "",
        "steps-0-match_properties": "{}",
    }

    response = client_as("vendor_admin").post(url, data)

    assert response.status_code == 200
    assert "No course has the id or slug" in response.content.decode()
    assert not TemplateStep.objects.exists()
    course = CourseFactory(slug="no-such-course")
    assert client_as("vendor_admin").post(url, data).status_code == 302
    assert TemplateStep.objects.get().subject_id == str(course.pk)


def test_the_demo_checklist_templates_are_valid():
    from demo.enablement import seed_enablement

    seed_enablement()
    call_command("onboarding_demo", verbosity=0)

    steps = list(TemplateStep.objects.all())
    assert steps and ChecklistTemplate.objects.exists()
    for demo_step in steps:
        demo_step.full_clean()


def test_a_targeted_template_refuses_a_course_its_partners_cannot_see():
    from partners.tests.factories import PartnerTypeFactory

    reseller = PartnerTypeFactory(name="Reseller", slug="reseller")
    integrator = PartnerTypeFactory(name="Integrator", slug="integrator")
    course = CourseFactory()
    course.partner_types.add(integrator)
    template = ChecklistTemplateFactory(partner_type=reseller)
    for_resellers = TemplateStepFactory.build(
        template=template, kind=StepKind.COURSE, subject_id=str(course.pk)
    )
    for_everyone = step(kind=StepKind.COURSE, subject_id=str(course.pk))

    assert "not open to the partners" in errors_of(for_resellers)["subject_id"][0]
    for_everyone.full_clean()  # integrators may get this template
