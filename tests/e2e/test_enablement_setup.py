"""A vendor admin authors content on the setup pages: the Markdown preview follows the typing
(rendered by the server), deleting asks first, and no setup page is wider than a 390 px phone."""

import pytest
from django.urls import reverse

from enablement.models import Lesson
from enablement.tests.factories import (
    CertificationFactory,
    CourseFactory,
    LessonFactory,
    QuizFactory,
    ResourceFactory,
    make_question,
)
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _context(browser, live_server, user, viewport):
    return logged_in_context(browser, live_server, user, viewport)


@pytest.fixture
def content(world):
    course = CourseFactory(title="Widget Fundamentals with a rather long title for phones")
    lessons = [
        LessonFactory(course=course, position=1, title="What a widget is"),
        LessonFactory(course=course, position=2, title="Selling widgets"),
    ]
    quiz = QuizFactory(course=course)
    question, _ = make_question(quiz)
    certification = CertificationFactory(name="Certified Widget Seller", courses=[course])
    resource = ResourceFactory(title="Widget battlecard")
    return {
        "course": course,
        "lessons": lessons,
        "question": question,
        "certification": certification,
        "resource": resource,
    }


def test_no_setup_page_is_wider_than_a_390px_phone(browser, live_server, world, content):
    course = content["course"]
    paths = [
        reverse("enablement:setup_courses"),
        reverse("enablement:setup_course", args=[course.pk]),
        reverse("enablement:setup_course_edit", args=[course.pk]),
        reverse("enablement:setup_lesson_edit", args=[content["lessons"][0].pk]),
        reverse("enablement:setup_quiz", args=[course.pk]),
        reverse("enablement:setup_quiz_delete", args=[course.pk]),
        reverse("enablement:setup_question_edit", args=[content["question"].pk]),
        reverse("enablement:setup_certifications"),
        reverse("enablement:setup_certification_edit", args=[content["certification"].pk]),
        reverse("enablement:setup_resources"),
        reverse("enablement:setup_resource_edit", args=[content["resource"].pk]),
    ]
    context = _context(browser, live_server, world.users["vendor_admin"], PHONE)
    page = context.new_page()
    too_wide = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert too_wide == {}


def test_the_lesson_preview_follows_the_text_and_deleting_asks_first(
    browser, live_server, world, content
):
    lesson = content["lessons"][1]
    context = _context(
        browser, live_server, world.users["vendor_admin"], {"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("enablement:setup_lesson_edit", args=[lesson.pk]))
    page.fill("#id_body", "Widgets **matter** <script>window.hacked = 1</script>")
    preview = page.locator("[data-markdown-preview='id_body']")
    preview.locator("strong").wait_for()
    assert preview.inner_html().count("<script") == 0
    assert page.evaluate("window.hacked === undefined")

    page.goto(live_server.url + reverse("enablement:setup_course", args=[content["course"].pk]))
    delete = page.locator(
        f"form[action='{reverse('enablement:setup_lesson_delete', args=[lesson.pk])}'] button"
    )
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    delete.click()
    page.wait_for_timeout(300)
    assert asked and "Delete this lesson" in asked[0]
    assert Lesson.objects.filter(pk=lesson.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        delete.click()
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    context.close()
