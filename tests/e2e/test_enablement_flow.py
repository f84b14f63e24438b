"""A partner user takes a course, fails then passes its quiz, earns the certification, verifies it
at its public URL (logged out) and downloads a resource; the onboarding step backed by the course
completes by itself."""

import pytest
from django.core.files.base import ContentFile

from accounts.tests.factories import PASSWORD
from enablement.models import Certificate
from enablement.tests.factories import (
    PDF_BYTES,
    CertificationFactory,
    CourseFactory,
    LessonFactory,
    QuizFactory,
    ResourceFactory,
    make_question,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enablement(world):
    course = CourseFactory(title="Widget Fundamentals", slug="widget-fundamentals")
    LessonFactory(course=course, position=1, title="What a widget is", body="Widgets **matter**.")
    LessonFactory(course=course, position=2, title="Selling widgets", body="Sell them well.")
    quiz = QuizFactory(course=course, title="Widget quiz", pass_mark=100, max_attempts=3)
    make_question(
        quiz,
        text="Which discount may partners give without approval?",
        right=("Up to ten percent",),
        wrong=("Any discount at all", "Nothing ever"),
    )
    certification = CertificationFactory(name="Certified Widget Seller", courses=[course])
    resource = ResourceFactory(
        title="Widget battlecard",
        file=ContentFile(PDF_BYTES, name="battlecard.pdf"),
        file_name="Widget battlecard.pdf",
    )
    return {"course": course, "certification": certification, "resource": resource}


@pytest.fixture
def onboarding_step(world, enablement):
    """A checklist step that waits for this course (only if the onboarding app provides one)."""
    try:
        from onboarding.choices import StepKind
        from onboarding.models import ChecklistStep
        from onboarding.services.checklists import checklist_start
        from onboarding.tests.factories import ChecklistTemplateFactory, TemplateStepFactory
    except ImportError:  # the onboarding issue has not landed
        return None
    template = ChecklistTemplateFactory(name="Activation")
    TemplateStepFactory(
        template=template,
        key="widget-course",
        kind=StepKind.COURSE,
        title="Complete Widget Fundamentals",
        subject_id=str(enablement["course"].pk),
    )
    checklist = checklist_start(partner=world.partner_a, template=template)
    return ChecklistStep.objects.get(checklist=checklist, key="widget-course")


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/")


def answer(page, label):
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()


def test_partner_user_learns_certifies_verifies_and_downloads(
    page, browser, live_server, world, enablement, onboarding_step
):
    user = world.users["partner_a_user"]
    log_in(page, live_server, user.email)

    page.get_by_role("link", name="Learning", exact=True).click()
    page.locator(".course-card").get_by_role("link", name="Widget Fundamentals").click()
    assert "0 of 2 lessons" in page.locator("#course-progress").inner_text()
    page.get_by_role("button", name="Start course").click()
    assert page.locator("h1").inner_text() == "What a widget is"
    assert page.locator(".rendered-markdown strong").inner_text() == "matter"
    page.locator("#lesson-complete").click()
    assert page.locator("h1").inner_text() == "Selling widgets"

    # Half way: the partner home shows the course in progress.
    page.goto(f"{live_server.url}/portal/")
    assert "1 of 2 lessons" in page.locator("#courses-progress-title").locator("..").inner_text()
    page.go_back()
    page.locator("#lesson-complete").click()

    # The quiz: fail once, then pass.
    assert page.locator("h1").inner_text() == "Widget quiz"
    assert "3 of 3 attempts left" in page.locator("#attempts-left").inner_text()
    answer(page, "Any discount at all")
    assert "Not passed" in page.locator("h1").inner_text()
    page.locator("#retry").click()
    assert "2 of 3 attempts left" in page.locator("#attempts-left").inner_text()
    answer(page, "Up to ten percent")
    assert "Passed with 100%" in page.locator("h1").inner_text()

    # The certificate, then its public verification from a logged-out browser.
    page.locator("#certificate-link").click()
    certificate = Certificate.objects.get(user=user)
    assert page.locator("#certificate-code").inner_text() == certificate.code
    assert page.locator("#certificate-status").inner_text() == "Valid"
    verify_url = page.locator("#verify-link").get_attribute("href")
    assert verify_url.endswith(f"/verify/{certificate.code}/")
    stranger = browser.new_context()
    try:
        public = stranger.new_page()
        public.goto(verify_url)
        assert public.locator("#verify-status").inner_text() == "Valid"
        assert public.locator("#verify-holder").inner_text() == user.get_full_name()
        assert public.locator("#verify-certification").inner_text() == "Certified Widget Seller"
        assert user.email not in public.content()
    finally:
        stranger.close()

    # The resource library: find it by search and download it.
    page.get_by_role("link", name="Learning", exact=True).click()
    page.get_by_role("link", name="Resource library").click()
    page.fill("input[name=q]", "battlecard")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Widget battlecard").click()
    with page.expect_download() as download_info:
        page.locator("#resource-download").click()
    download = download_info.value
    assert download.suggested_filename == "Widget battlecard.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF_BYTES

    # The course page now says completed; onboarding saw course.completed by itself.
    page.goto(f"{live_server.url}/learn/courses/widget-fundamentals/")
    assert "Completed" in page.locator("#course-status").inner_text()
    if onboarding_step is not None:
        onboarding_step.refresh_from_db()
        assert onboarding_step.is_done
        assert onboarding_step.completed_via != ""
