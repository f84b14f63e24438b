"""The setup pages: who may open and change them, the happy paths through the forms, form errors
for bad input, the live Markdown preview, and bounded query counts on the lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enablement.choices import Language, QuestionKind
from enablement.models import Certification, Choice, Course, Lesson, Question, Quiz, Resource
from enablement.tests.factories import (
    PDF_BYTES,
    CategoryFactory,
    CertificationFactory,
    CourseFactory,
    LessonFactory,
    QuizFactory,
    ResourceFactory,
    TagFactory,
    make_question,
)
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

PARTNERS_404 = {
    "anonymous": LOGIN,
    "partner_a_admin": 404,
    "partner_a_user": 404,
    "partner_b_admin": 404,
}
READ = PARTNERS_404 | {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200}


def edit(admin_gets) -> dict:
    return PARTNERS_404 | {"manager_owner": 403, "manager_other": 403, "vendor_admin": admin_gets}


def redirected(response) -> bool:
    return response.status_code == 302


@pytest.fixture
def setup_objects(course_setup):
    resource = ResourceFactory(title="Widget pricing playbook")
    return course_setup | {"resource": resource}


def test_the_setup_lists_and_course_page_are_read_by_vendor_staff_only(client_as, setup_objects):
    for url in [
        reverse("enablement:setup_courses"),
        reverse("enablement:setup_course", args=[setup_objects["course"].pk]),
        reverse("enablement:setup_certifications"),
        reverse("enablement:setup_resources"),
    ]:
        assert_role_matrix(client_as, url, READ)


def test_the_setup_forms_are_for_vendor_admins_channel_managers_get_403(client_as, setup_objects):
    course = setup_objects["course"]
    for url in [
        reverse("enablement:setup_course_create"),
        reverse("enablement:setup_course_edit", args=[course.pk]),
        reverse("enablement:setup_lesson_create", args=[course.pk]),
        reverse("enablement:setup_lesson_edit", args=[setup_objects["lessons"][0].pk]),
        reverse("enablement:setup_quiz", args=[course.pk]),
        reverse("enablement:setup_quiz_delete", args=[course.pk]),
        reverse("enablement:setup_question_create", args=[course.pk]),
        reverse("enablement:setup_question_edit", args=[setup_objects["question"].pk]),
        reverse("enablement:setup_certification_create"),
        reverse("enablement:setup_certification_edit", args=[setup_objects["certification"].pk]),
        reverse("enablement:setup_resource_create"),
        reverse("enablement:setup_resource_edit", args=[setup_objects["resource"].pk]),
    ]:
        assert_role_matrix(client_as, url, edit(200))


def test_the_setup_actions_are_for_vendor_admins_only(client_as, setup_objects):
    course, lesson = setup_objects["course"], setup_objects["lessons"][0]
    for url in [
        reverse("enablement:setup_course_publish", args=[course.pk]),
        reverse("enablement:setup_course_archive", args=[course.pk]),
        reverse("enablement:setup_course_delete", args=[course.pk]),
        reverse("enablement:setup_lesson_down", args=[lesson.pk]),
        reverse("enablement:setup_question_delete", args=[setup_objects["question"].pk]),
        reverse("enablement:setup_certification_delete", args=[setup_objects["certification"].pk]),
    ]:
        assert_role_matrix(client_as, url, edit(redirected), method="post")
    assert_role_matrix(
        client_as, reverse("enablement:setup_preview"), edit(200), method="post", data={"text": "x"}
    )


def test_channel_managers_see_no_edit_buttons(client_as, setup_objects):
    page = client_as("manager_owner").get(
        reverse("enablement:setup_course", args=[setup_objects["course"].pk])
    )
    assert b"data-confirm" not in page.content
    assert (
        reverse("enablement:setup_course_edit", args=[setup_objects["course"].pk]).encode()
        not in page.content
    )


def test_the_nav_links_the_setup_pages_for_vendor_staff(client_as):
    url = reverse("enablement:setup_courses").encode()
    assert url in client_as("vendor_admin").get(reverse("enablement:catalog")).content
    assert url not in client_as("partner_a_admin").get(reverse("enablement:catalog")).content


# --- Happy paths --------------------------------------------------------------------------------


def test_a_vendor_admin_builds_a_course_with_lessons_and_a_quiz_then_publishes_it(client_as):
    client = client_as("vendor_admin")
    response = client.post(
        reverse("enablement:setup_course_create"),
        {"title": "Selling gadgets", "slug": "selling-gadgets", "estimated_minutes": 25},
    )
    course = Course.objects.get(slug="selling-gadgets")
    assert response["Location"] == reverse("enablement:setup_course", args=[course.pk])
    assert course.is_published is False

    client.post(
        reverse("enablement:setup_lesson_create", args=[course.pk]),
        {"title": "Why gadgets", "body": "# Hello", "video_url": "https://video.example/1"},
    )
    client.post(
        reverse("enablement:setup_lesson_create", args=[course.pk]),
        {"title": "Pricing", "attachment": SimpleUploadedFile("prices.pdf", PDF_BYTES)},
    )
    lessons = list(course.lessons.order_by("position"))
    assert [lesson.title for lesson in lessons] == ["Why gadgets", "Pricing"]
    assert lessons[1].attachment_type == "application/pdf"
    client.post(reverse("enablement:setup_lesson_up", args=[lessons[1].pk]))
    assert list(course.lessons.order_by("position").values_list("title", flat=True)) == [
        "Pricing",
        "Why gadgets",
    ]

    client.post(
        reverse("enablement:setup_quiz", args=[course.pk]),
        {"title": "Final", "pass_mark": 50, "max_attempts": 2},
    )
    quiz = Quiz.objects.get(course=course)
    client.post(
        reverse("enablement:setup_question_create", args=[course.pk]),
        {
            "text": "Which is a gadget?",
            "kind": QuestionKind.SINGLE,
            "choices-TOTAL_FORMS": 3,
            "choices-INITIAL_FORMS": 0,
            "choices-0-text": "A widget",
            "choices-0-is_correct": "on",
            "choices-1-text": "A sprocket",
            "choices-2-text": "",
        },
    )
    question = Question.objects.get(quiz=quiz)
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("A widget", True),
        ("A sprocket", False),
    ]

    response = client.post(reverse("enablement:setup_course_publish", args=[course.pk]))
    course.refresh_from_db()
    assert course.is_published
    page = client.get(reverse("enablement:setup_course", args=[course.pk]))
    assert b"Which is a gadget?" in page.content and b"prices.pdf" in page.content


def test_bad_input_is_answered_with_form_errors(client_as):
    client = client_as("vendor_admin")
    course = CourseFactory()
    response = client.post(
        reverse("enablement:setup_lesson_create", args=[course.pk]),
        {"title": "Clip", "video_url": "http://video.example/1"},
    )
    assert response.status_code == 400
    assert b"https://" in response.content
    response = client.post(
        reverse("enablement:setup_lesson_create", args=[course.pk]),
        {"title": "Clip", "attachment": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 400 and b"does not match" in response.content
    assert not Lesson.objects.filter(course=course).exists()


def test_a_question_without_a_correct_choice_is_refused_on_the_form(client_as):
    course = CourseFactory()
    QuizFactory(course=course)
    response = client_as("vendor_admin").post(
        reverse("enablement:setup_question_create", args=[course.pk]),
        {
            "text": "Which?",
            "kind": QuestionKind.SINGLE,
            "choices-TOTAL_FORMS": 2,
            "choices-INITIAL_FORMS": 0,
            "choices-0-text": "A",
            "choices-1-text": "B",
        },
    )
    assert response.status_code == 400
    assert b"Mark at least one choice as correct." in response.content


def test_a_question_is_edited_with_its_choices(client_as):
    quiz = QuizFactory()
    question, by_text = make_question(quiz)
    page = client_as("vendor_admin").get(
        reverse("enablement:setup_question_edit", args=[question.pk])
    )
    assert page.status_code == 200
    data = {
        "text": "Two plus two?",
        "kind": QuestionKind.SINGLE,
        "choices-TOTAL_FORMS": 3,
        "choices-INITIAL_FORMS": 3,
    }
    for i, text in enumerate(["3", "4", "5"]):
        data |= {f"choices-{i}-id": by_text[text].pk, f"choices-{i}-text": text}
    data |= {"choices-1-is_correct": "on", "choices-2-DELETE": "on"}
    response = client_as("vendor_admin").post(
        reverse("enablement:setup_question_edit", args=[question.pk]), data
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Two plus two?"
    assert set(Choice.objects.filter(question=question).values_list("text", flat=True)) == {
        "3",
        "4",
    }


def test_archiving_a_referenced_course_is_refused_with_the_references_shown(
    client_as, setup_objects
):
    course = setup_objects["course"]
    client = client_as("vendor_admin")
    response = client.post(
        reverse("enablement:setup_course_archive", args=[course.pk]), follow=True
    )
    assert "Widget Seller" in response.content.decode()
    course.refresh_from_db()
    assert course.is_published
    page = client.get(reverse("enablement:setup_course", args=[course.pk])).content.decode()
    assert 'data-confirm="' in page


# --- Removing a quiz -----------------------------------------------------------------------------


def test_a_vendor_admin_removes_a_quiz_nobody_took_after_confirming(client_as, setup_objects):
    course, quiz = setup_objects["course"], setup_objects["quiz"]
    client = client_as("vendor_admin")
    detail = client.get(reverse("enablement:setup_course", args=[course.pk])).content.decode()
    url = reverse("enablement:setup_quiz_delete", args=[course.pk])
    assert url in detail
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Remove the quiz?" in html
    assert "The quiz and its 1 question are deleted" in html
    assert "partners complete it by finishing its lessons" in html  # the course is published
    assert Quiz.objects.filter(pk=quiz.pk).exists()  # the GET changed nothing
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("enablement:setup_course", args=[course.pk])
    assert not Quiz.objects.filter(pk=quiz.pk).exists()
    log = client.get(reverse("audit:log")).content.decode()
    assert "Quiz removed from the course “Selling Widgets”" in log


def test_a_quiz_people_took_is_kept_and_the_page_counts_their_attempts(
    client_as, setup_objects, world
):
    from enablement import services as learning

    course, quiz = setup_objects["course"], setup_objects["quiz"]
    user = world.users["partner_a_user"]
    learning.enrollment_start(user=user, course=course)
    for lesson in setup_objects["lessons"]:
        learning.lesson_complete(user=user, lesson=lesson)
    choices = setup_objects["choices"]
    learning.quiz_submit(
        user=user, quiz=quiz, answers={setup_objects["question"].pk: [choices["3"].pk]}
    )
    client = client_as("vendor_admin")
    url = reverse("enablement:setup_quiz_delete", args=[course.pk])
    page = client.get(url).content.decode()
    assert "1 attempt by 1 person from 1 partner" in page
    assert 'type="submit"' not in page.split("data-refusal", 1)[1]  # no button to press
    response = client.post(url)
    assert response.status_code == 409
    assert "cannot be removed" in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_the_quiz_removal_page_of_a_course_without_quiz_is_404(client_as):
    course = CourseFactory()
    url = reverse("enablement:setup_quiz_delete", args=[course.pk])
    assert client_as("vendor_admin").get(url).status_code == 404
    assert client_as("vendor_admin").post(url).status_code == 404


def test_a_vendor_admin_creates_a_certification(client_as):
    course = CourseFactory(title="Basics")
    response = client_as("vendor_admin").post(
        reverse("enablement:setup_certification_create"),
        {
            "name": "Gadget Pro",
            "slug": "gadget-pro",
            "courses": [course.pk],
            "validity_days": 365,
            "renewal_window_days": 400,
        },
    )
    assert response.status_code == 400
    assert b"shorter than the validity period" in response.content
    response = client_as("vendor_admin").post(
        reverse("enablement:setup_certification_create"),
        {
            "name": "Gadget Pro",
            "slug": "gadget-pro",
            "courses": [course.pk],
            "validity_days": 365,
            "renewal_window_days": 30,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    certification = Certification.objects.get(slug="gadget-pro")
    assert list(certification.courses.all()) == [course]


def test_a_vendor_admin_uploads_a_resource_and_its_translation(client_as, world):
    client = client_as("vendor_admin")
    category = CategoryFactory()
    tag = TagFactory()
    base = {
        "title": "Gadget playbook",
        "kind": "document",
        "category": category.pk,
        "tags": [tag.pk],
        "language": Language.EN,
        "is_published": "on",
        "programs": [world.partner_a.program_id],
    }
    response = client.post(
        reverse("enablement:setup_resource_create"),
        base | {"file": SimpleUploadedFile("playbook.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    original = Resource.objects.get(title="Gadget playbook")
    assert original.file_type == "application/pdf"
    assert list(original.programs.all()) == [world.partner_a.program]
    response = client.post(
        reverse("enablement:setup_resource_create"),
        base
        | {
            "title": "Gadget-Handbuch",
            "variant_of": original.pk,
            "language": Language.EN,
            "file": SimpleUploadedFile("handbuch.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 400 and b"already in this language" in response.content
    response = client.post(
        reverse("enablement:setup_resource_create"),
        base
        | {
            "title": "Gadget-Handbuch",
            "variant_of": original.pk,
            "language": Language.DE,
            "file": SimpleUploadedFile("handbuch.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    assert original.variants.get().language == Language.DE


def test_the_markdown_preview_is_rendered_and_sanitised_by_the_server(client_as):
    response = client_as("vendor_admin").post(
        reverse("enablement:setup_preview"),
        {"text": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_the_setup_forms_have_no_inline_script_and_load_the_preview_script(client_as):
    page = client_as("vendor_admin").get(reverse("enablement:setup_course_create")).content
    assert b"js/enablement_setup.js" in page
    assert b"data-markdown-preview" in page


# --- Query counts -------------------------------------------------------------------------------


def test_the_course_list_query_count_does_not_grow_with_courses(
    client_as, django_assert_max_num_queries
):
    client = client_as("vendor_admin")
    client.get(reverse("enablement:setup_courses"))
    for _ in range(15):
        course = CourseFactory()
        LessonFactory(course=course)
        QuizFactory(course=course)
        CertificationFactory(courses=[course])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("enablement:setup_courses")).status_code == 200


def test_the_certification_list_query_count_does_not_grow(client_as, django_assert_max_num_queries):
    client = client_as("vendor_admin")
    client.get(reverse("enablement:setup_certifications"))
    for _ in range(15):
        CertificationFactory(courses=[CourseFactory(), CourseFactory()])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("enablement:setup_certifications")).status_code == 200


def test_the_resource_list_query_count_does_not_grow(client_as, django_assert_max_num_queries):
    client = client_as("vendor_admin")
    client.get(reverse("enablement:setup_resources"))
    tag = TagFactory()
    for _ in range(15):
        original = ResourceFactory(language=Language.EN)
        tag.resources.add(original)
        ResourceFactory(variant_of=original, language=Language.DE)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("enablement:setup_resources")).status_code == 200
