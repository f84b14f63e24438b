"""The authoring services: each rule of the setup pages refuses bad input with a message on the
right field, and every change is audited as a setup change with its fields before and after."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.choices import AuditAction
from audit.models import AuditEntry
from enablement.choices import Language, QuestionKind, ResourceKind
from enablement.models import Certification, Choice, Course, Lesson, Question, Quiz, Resource
from enablement.services import setup as services
from enablement.tests.factories import (
    PDF_BYTES,
    CategoryFactory,
    CertificateFactory,
    CertificationFactory,
    CourseFactory,
    LessonFactory,
    QuizFactory,
    ResourceFactory,
    TagFactory,
    make_question,
)
from partners import readers as references
from partners.tests.factories import ProgramFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return world.users["vendor_admin"]


def course_data(**overrides) -> dict:
    return {
        "title": "Selling gadgets",
        "slug": "selling-gadgets",
        "summary": "",
        "description": "Learn **gadgets**.",
        "estimated_minutes": 20,
        "required_for_onboarding": False,
        "min_tier": None,
        "offerings": [],
        "programs": [],
        "partner_types": [],
    } | overrides


def field_errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def setup_changes(obj=None, **filters) -> list[AuditEntry]:
    """The audit log's setup changes (oldest first), of ``obj`` when given."""
    entries = AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE, **filters)
    if obj is not None:
        entries = entries.filter(target_type=obj._meta.model_name, target_id=str(obj.pk))
    return list(entries.order_by("id"))


def last_change(obj=None, **filters) -> AuditEntry:
    return setup_changes(obj, **filters)[-1]


# --- Courses ------------------------------------------------------------------------------------


def test_a_new_course_is_a_draft_and_its_creation_is_audited(admin, world):
    program = world.partner_a.program
    course = services.course_create(actor=admin, data=course_data(programs=[program]))
    assert course.is_published is False
    (entry,) = setup_changes(course)
    assert entry.actor == admin and entry.details["flag"] == "added"
    assert entry.details["summary"] == "Course “Selling gadgets” created"
    assert entry.details["before"] == {}
    after = entry.details["after"]
    assert after["title"] == "Selling gadgets" and after["is_published"] is False
    assert after["programs"] == [program.name] and after["partner_types"] == []


def test_editing_a_course_audits_each_changed_field_old_and_new(admin, world):
    course = services.course_create(actor=admin, data=course_data())
    program = world.partner_a.program
    services.course_update(
        actor=admin,
        course=course,
        data=course_data(title="Selling gadgets well", estimated_minutes=45, programs=[program]),
    )
    entry = last_change(course)
    assert entry.details["flag"] == "changed"
    assert entry.details["summary"] == "Course “Selling gadgets well” edited"
    assert entry.details["before"] == {
        "title": "Selling gadgets", "estimated_minutes": 20, "programs": [],
    }  # fmt: skip
    assert entry.details["after"] == {
        "title": "Selling gadgets well", "estimated_minutes": 45, "programs": [program.name],
    }  # fmt: skip


def test_saving_a_course_unchanged_adds_no_audit_entry(admin):
    course = services.course_create(actor=admin, data=course_data())
    services.course_update(actor=admin, course=course, data=course_data())
    assert len(setup_changes(course)) == 1


def test_a_refused_change_leaves_no_audit_entry(admin):
    course = CourseFactory(is_published=False)
    with pytest.raises(ValidationError):
        services.course_publish(actor=admin, course=course)
    with pytest.raises(ValidationError):
        services.course_update(actor=admin, course=course, data=course_data(slug="not a slug"))
    assert setup_changes() == []


def test_publishing_and_archiving_audit_the_published_flag(admin):
    course = CourseFactory(title="Basics", is_published=False)
    LessonFactory(course=course)
    services.course_publish(actor=admin, course=course)
    services.course_archive(actor=admin, course=course)
    published, archived = setup_changes(course)
    assert published.details["summary"] == "Course “Basics” published"
    assert (published.details["before"], published.details["after"]) == (
        {"is_published": False}, {"is_published": True},
    )  # fmt: skip
    assert archived.details["summary"] == "Course “Basics” archived"
    assert archived.details["after"] == {"is_published": False}


def test_a_course_slug_must_be_unique(admin):
    CourseFactory(slug="selling-gadgets")
    with pytest.raises(ValidationError) as exc:
        services.course_create(actor=admin, data=course_data())
    assert "slug" in field_errors(exc)


def test_a_minimum_tier_must_belong_to_one_of_the_chosen_programs(admin, world):
    other = ProgramFactory(name="Resellers", slug="resellers")
    gold = TierFactory(program=other, rank=3, name="Gold")
    with pytest.raises(ValidationError) as exc:
        services.course_create(
            actor=admin, data=course_data(min_tier=gold, programs=[world.partner_a.program])
        )
    assert "Gold" in field_errors(exc)["min_tier"][0]


def test_a_course_without_lessons_cannot_be_published(admin):
    course = CourseFactory(is_published=False)
    with pytest.raises(ValidationError, match="at least one lesson"):
        services.course_publish(actor=admin, course=course)


def test_a_course_whose_quiz_has_no_questions_cannot_be_published(admin):
    course = CourseFactory(is_published=False)
    LessonFactory(course=course)
    QuizFactory(course=course)
    with pytest.raises(ValidationError, match="no questions"):
        services.course_publish(actor=admin, course=course)


def test_a_course_with_a_lesson_is_published(admin):
    course = CourseFactory(is_published=False)
    LessonFactory(course=course)
    assert services.course_publish(actor=admin, course=course).is_published


def test_archiving_a_course_a_certification_requires_is_refused_with_the_references(admin):
    course = CourseFactory()
    CertificationFactory(name="Gadget Pro", courses=[course])
    with pytest.raises(ValidationError, match="Gadget Pro"):
        services.course_archive(actor=admin, course=course)
    course.refresh_from_db()
    assert course.is_published


def test_deleting_a_course_a_certification_requires_is_refused(admin):
    course = CourseFactory()
    CertificationFactory(name="Gadget Pro", courses=[course])
    with pytest.raises(ValidationError, match="Gadget Pro"):
        services.course_delete(actor=admin, course=course)
    assert Course.objects.filter(pk=course.pk).exists()


def test_a_reference_another_app_registers_refuses_archiving(admin):
    """Another app (e.g. onboarding's checklist steps) registers a reader; its lines are listed."""
    course = CourseFactory()
    references.course_referrers.register(
        "test.steps", lambda pk: [f"Checklist step naming {pk}"] if pk == course.pk else []
    )
    try:
        with pytest.raises(ValidationError, match=f"Checklist step naming {course.pk}"):
            services.course_archive(actor=admin, course=course)
        with pytest.raises(ValidationError, match="Checklist step"):
            services.course_delete(actor=admin, course=course)
    finally:
        references.course_referrers.unregister("test.steps")


def test_a_course_people_started_cannot_be_deleted_but_can_be_archived(admin, world):
    from enablement import services as learning

    course = CourseFactory()
    LessonFactory(course=course)
    learning.enrollment_start(user=world.users["partner_a_user"], course=course)
    with pytest.raises(ValidationError, match="archive it instead"):
        services.course_delete(actor=admin, course=course)
    assert services.course_archive(actor=admin, course=course).is_published is False


def test_an_unreferenced_course_is_deleted_with_its_lessons(admin):
    course = CourseFactory()
    LessonFactory(course=course)
    pk = course.pk
    services.course_delete(actor=admin, course=course)
    assert not Course.objects.filter(pk=pk).exists()
    assert not Lesson.objects.filter(course_id=pk).exists()
    (entry,) = setup_changes(target_type="course", target_id=str(pk))
    assert entry.details["flag"] == "deleted" and entry.details["after"] == {}
    assert entry.details["before"]["title"] == course.title
    assert entry.details["before"]["lessons"] == 1


# --- Lessons ------------------------------------------------------------------------------------


def test_lessons_are_added_at_the_end_and_moved_by_swapping(admin):
    course = CourseFactory()
    first = services.lesson_create(actor=admin, course=course, data={"title": "One", "body": ""})
    second = services.lesson_create(actor=admin, course=course, data={"title": "Two", "body": ""})
    assert (first.position, second.position) == (1, 2)
    services.lesson_move(actor=admin, lesson=second, direction="up")
    titles = list(Lesson.objects.filter(course=course).order_by("position").values_list("title"))
    assert titles == [("Two",), ("One",)]
    assert setup_changes(first)[0].details["after"]["title"] == "One"  # the creation
    moved, swapped = setup_changes()[-2:]
    assert moved.target_id == str(second.pk) and swapped.target_id == str(first.pk)
    assert moved.details["summary"] == "Lesson “Two” moved up"
    assert (moved.details["before"], moved.details["after"]) == ({"position": 2}, {"position": 1})
    assert swapped.details["summary"] == "Lesson “One” moved down"
    assert (swapped.details["before"], swapped.details["after"]) == (
        {"position": 1}, {"position": 2},
    )  # fmt: skip


def test_editing_a_lesson_audits_old_and_new_text(admin):
    lesson = LessonFactory(title="Intro", body="Old body")
    services.lesson_update(actor=admin, lesson=lesson, data={"title": "Intro", "body": "New body"})
    entry = last_change(lesson)
    assert entry.details["before"] == {"body": "Old body"}
    assert entry.details["after"] == {"body": "New body"}


def test_the_first_lesson_cannot_move_up(admin):
    lesson = LessonFactory(position=1)
    with pytest.raises(ValidationError, match="already the first"):
        services.lesson_move(actor=admin, lesson=lesson, direction="up")


def test_a_lesson_video_link_must_use_https(admin):
    course = CourseFactory()
    with pytest.raises(ValidationError) as exc:
        services.lesson_create(
            actor=admin,
            course=course,
            data={"title": "Video", "video_url": "http://videos.example/1"},
        )
    assert "video_url" in field_errors(exc)


def test_a_lesson_file_goes_through_the_upload_inspector(admin):
    course = CourseFactory()
    fake = SimpleUploadedFile("slides.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as exc:
        services.lesson_create(actor=admin, course=course, data={"title": "X", "attachment": fake})
    assert "attachment" in field_errors(exc)
    good = SimpleUploadedFile("slides.pdf", PDF_BYTES)
    lesson = services.lesson_create(
        actor=admin, course=course, data={"title": "X", "attachment": good}
    )
    assert (lesson.attachment_name, lesson.attachment_type) == ("slides.pdf", "application/pdf")


def test_the_last_lesson_of_a_published_course_cannot_be_deleted(admin):
    lesson = LessonFactory(course=CourseFactory(is_published=True))
    with pytest.raises(ValidationError, match="at least one lesson"):
        services.lesson_delete(actor=admin, lesson=lesson)
    assert setup_changes() == []
    draft_lesson = LessonFactory(
        course=CourseFactory(title="Draft", is_published=False),
        title="Pricing",
        body="Price **high**.",
        video_url="https://video.example/1",
    )
    services.lesson_delete(actor=admin, lesson=draft_lesson)
    assert not Lesson.objects.filter(pk=draft_lesson.pk).exists()
    (entry,) = setup_changes(target_type="lesson", target_id=str(draft_lesson.pk))
    assert entry.details["summary"] == "Lesson “Pricing” deleted from the course “Draft”"
    assert entry.details["before"] | {"position": 0} == {
        "course": "Draft", "position": 0, "title": "Pricing", "body": "Price **high**.",
        "video_url": "https://video.example/1", "attachment_name": "",
    }  # fmt: skip


def test_a_long_lesson_body_is_cut_in_the_audit_entry(admin):
    lesson = LessonFactory(course=CourseFactory(is_published=False), body="x" * 5000)
    services.lesson_delete(actor=admin, lesson=lesson)
    body = last_change().details["before"]["body"]
    assert len(body) == 300 and body.endswith("…")


# --- Quizzes ------------------------------------------------------------------------------------


def test_a_quiz_pass_mark_is_between_1_and_100_and_attempts_at_least_1(admin):
    course = CourseFactory()
    data = {"title": "Final", "instructions": "", "pass_mark": 101, "max_attempts": 0}
    with pytest.raises(ValidationError) as exc:
        services.quiz_save(actor=admin, course=course, data=data)
    assert {"pass_mark", "max_attempts"} <= set(field_errors(exc))
    quiz = services.quiz_save(
        actor=admin, course=course, data=data | {"pass_mark": 70, "max_attempts": 2}
    )
    assert (quiz.pass_mark, quiz.max_attempts) == (70, 2)
    again = services.quiz_save(
        actor=admin, course=course, data=data | {"pass_mark": 80, "max_attempts": 2}
    )
    assert again.pk == quiz.pk and again.pass_mark == 80
    added, changed = setup_changes(quiz)
    assert added.details["flag"] == "added" and added.details["after"]["pass_mark"] == 70
    assert (changed.details["before"], changed.details["after"]) == (
        {"pass_mark": 70}, {"pass_mark": 80},
    )  # fmt: skip


def test_a_quiz_nobody_took_is_removed_with_its_questions_and_audited(admin):
    course = CourseFactory(title="Basics")
    quiz = QuizFactory(course=course, title="Final", pass_mark=75)
    question, _ = make_question(quiz)
    services.quiz_delete(actor=admin, course=course)
    assert not Quiz.objects.filter(pk=quiz.pk).exists()
    assert not Question.objects.filter(pk=question.pk).exists()
    entry = last_change(target_type="quiz", target_id=str(quiz.pk))
    assert entry.details["summary"] == "Quiz removed from the course “Basics”"
    assert entry.details["before"]["title"] == "Final"
    assert entry.details["before"]["pass_mark"] == 75
    assert entry.details["before"]["questions"] == 1


def test_a_quiz_people_took_cannot_be_removed_and_the_attempts_are_counted(admin, world):
    from enablement import services as learning

    course = CourseFactory()
    lesson = LessonFactory(course=course)
    quiz = QuizFactory(course=course)
    question, by_text = make_question(quiz)
    for user in (world.users["partner_a_user"], world.users["partner_a_admin"]):
        learning.enrollment_start(user=user, course=course)
        learning.lesson_complete(user=user, lesson=lesson)
        learning.quiz_submit(user=user, quiz=quiz, answers={question.pk: [by_text["3"].pk]})
    with pytest.raises(ValidationError, match="2 attempts by 2 people from 1 partner"):
        services.quiz_delete(actor=admin, course=course)
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    assert setup_changes() == []


def test_removing_a_quiz_the_course_lacks_is_refused(admin):
    with pytest.raises(ValidationError, match="no quiz"):
        services.quiz_delete(actor=admin, course=CourseFactory())


def choices(*items):
    return [{"text": text, "is_correct": right} for text, right in items]


@pytest.mark.parametrize(
    ("kind", "items", "message"),
    [
        (QuestionKind.SINGLE, [("Only", True)], "at least two"),
        (QuestionKind.SINGLE, [("A", False), ("B", False)], "at least one choice as correct"),
        (QuestionKind.SINGLE, [("A", True), ("B", True)], "exactly one correct"),
        (QuestionKind.MULTIPLE, [("A", True), ("a", False)], "same text"),
    ],
)
def test_question_choice_rules(admin, kind, items, message):
    quiz = QuizFactory()
    with pytest.raises(ValidationError, match=message):
        services.question_create(
            actor=admin, quiz=quiz, text="Which?", kind=kind, choices=choices(*items)
        )
    assert not Question.objects.filter(quiz=quiz).exists()


def test_a_question_needs_its_text(admin):
    with pytest.raises(ValidationError) as exc:
        services.question_create(
            actor=admin, quiz=QuizFactory(), text="  ", kind=QuestionKind.SINGLE,
            choices=choices(("A", True), ("B", False)),
        )  # fmt: skip
    assert "text" in field_errors(exc)


def test_editing_a_question_keeps_the_ids_of_its_remaining_choices(admin):
    """Past attempts store the chosen choices' ids: an edit changes choices in place."""
    quiz = QuizFactory()
    question, by_text = make_question(quiz)
    kept = by_text["4"]
    services.question_update(
        actor=admin,
        question=question,
        text="What is two plus two?",
        kind=QuestionKind.SINGLE,
        choices=[
            {"id": kept.pk, "text": "Four", "is_correct": True},
            {"id": by_text["3"].pk, "text": "3", "is_correct": False, "delete": True},
            {"id": by_text["5"].pk, "text": "5", "is_correct": False},
            {"text": "22", "is_correct": False},
        ],
    )
    texts = dict(Choice.objects.filter(question=question).values_list("text", "pk"))
    assert texts["Four"] == kept.pk
    assert set(texts) == {"Four", "5", "22"}
    entry = last_change(question)
    assert entry.details["before"] == {"text": "What is 2 + 2?", "choices": "4 (correct); 3; 5"}
    assert entry.details["after"] == {
        "text": "What is two plus two?", "choices": "Four (correct); 5; 22",
    }  # fmt: skip


def test_a_choice_of_another_question_is_refused(admin):
    quiz = QuizFactory()
    question, _ = make_question(quiz)
    _, others = make_question(quiz, text="Other?")
    with pytest.raises(ValidationError, match="does not belong"):
        services.question_update(
            actor=admin, question=question, text="Q", kind=QuestionKind.SINGLE,
            choices=[{"id": others["4"].pk, "text": "4", "is_correct": True},
                     {"text": "x", "is_correct": False}],
        )  # fmt: skip


def test_the_last_question_of_a_published_course_quiz_cannot_be_deleted(admin):
    quiz = QuizFactory(course=CourseFactory(is_published=True))
    question, _ = make_question(quiz)
    with pytest.raises(ValidationError, match="at least one question"):
        services.question_delete(actor=admin, question=question)


def test_a_deleted_question_is_audited_with_its_choices(admin):
    quiz = QuizFactory(course=CourseFactory(title="Maths", is_published=False))
    question, _ = make_question(quiz)
    services.question_delete(actor=admin, question=question)
    entry = last_change(target_type="question", target_id=str(question.pk))
    assert entry.details["summary"] == "Question deleted from the quiz of the course “Maths”"
    assert entry.details["before"]["text"] == question.text
    assert entry.details["before"]["choices"] == "4 (correct); 3; 5"


# --- Certifications -----------------------------------------------------------------------------


def certification_data(**overrides) -> dict:
    return {
        "name": "Gadget Pro",
        "slug": "gadget-pro",
        "description": "",
        "courses": [CourseFactory()],
        "validity_days": 365,
        "renewal_window_days": 30,
        "is_published": True,
        "min_tier": None,
        "programs": [],
        "partner_types": [],
    } | overrides


def test_a_certification_needs_courses(admin):
    with pytest.raises(ValidationError) as exc:
        services.certification_create(actor=admin, data=certification_data(courses=[]))
    assert "courses" in field_errors(exc)


def test_the_renewal_window_must_be_shorter_than_the_validity(admin):
    with pytest.raises(ValidationError) as exc:
        services.certification_create(
            actor=admin, data=certification_data(validity_days=30, renewal_window_days=30)
        )
    assert "renewal_window_days" in field_errors(exc)


def test_a_published_certification_cannot_require_a_draft_course(admin):
    draft = CourseFactory(title="Unfinished", is_published=False)
    with pytest.raises(ValidationError) as exc:
        services.certification_create(actor=admin, data=certification_data(courses=[draft]))
    assert "Unfinished" in field_errors(exc)["courses"][0]
    saved = services.certification_create(
        actor=admin, data=certification_data(courses=[draft], is_published=False)
    )
    assert list(saved.courses.all()) == [draft]
    assert last_change(saved).details["after"]["courses"] == ["Unfinished"]


def test_editing_a_certification_audits_its_courses_and_validity(admin):
    basics, advanced = CourseFactory(title="Basics"), CourseFactory(title="Advanced")
    certification = services.certification_create(
        actor=admin, data=certification_data(courses=[basics])
    )
    services.certification_update(
        actor=admin,
        certification=certification,
        data=certification_data(courses=[basics, advanced], validity_days=730),
    )
    entry = last_change(certification)
    assert entry.details["before"] == {"validity_days": 365, "courses": ["Basics"]}
    assert entry.details["after"] == {"validity_days": 730, "courses": ["Advanced", "Basics"]}


def test_a_certification_with_certificates_cannot_be_deleted(admin, world):
    certification = CertificationFactory()
    CertificateFactory(certification=certification, user=world.users["partner_a_user"])
    with pytest.raises(ValidationError, match="1 certificate was issued"):
        services.certification_delete(actor=admin, certification=certification)


def test_an_unused_certification_is_deleted(admin):
    certification = CertificationFactory(name="Gadget Guru")
    pk = certification.pk
    services.certification_delete(actor=admin, certification=certification)
    assert not Certification.objects.filter(pk=pk).exists()
    entry = last_change(target_type="certification", target_id=str(pk))
    assert entry.details["flag"] == "deleted" and entry.details["before"]["name"] == "Gadget Guru"


def test_a_refused_certification_delete_leaves_no_audit_entry(admin, world):
    certification = CertificationFactory()
    CertificateFactory(certification=certification, user=world.users["partner_a_user"])
    with pytest.raises(ValidationError):
        services.certification_delete(actor=admin, certification=certification)
    assert setup_changes() == []


# --- Resources ----------------------------------------------------------------------------------


def resource_data(**overrides) -> dict:
    return {
        "title": "Gadget playbook",
        "summary": "",
        "body": "",
        "kind": ResourceKind.DOCUMENT,
        "category": CategoryFactory(),
        "language": Language.EN,
        "variant_of": None,
        "url": "",
        "marketing_asset": False,
        "is_published": True,
        "min_tier": None,
        "tags": [],
        "offerings": [],
        "programs": [],
        "partner_types": [],
        "file": SimpleUploadedFile("playbook.pdf", PDF_BYTES),
    } | overrides


def test_a_resource_edit_audits_the_old_and_new_file_and_tags(admin):
    resource = services.resource_create(actor=admin, data=resource_data())
    tag = TagFactory(name="Pricing")
    services.resource_update(
        actor=admin,
        resource=resource,
        data=resource_data(
            title="Gadget playbook 2", tags=[tag], file=SimpleUploadedFile("v2.pdf", PDF_BYTES)
        ),
    )
    added, changed = setup_changes(resource)
    assert added.details["after"]["file_name"] == "playbook.pdf"
    assert changed.details["summary"] == "Resource “Gadget playbook 2” edited"
    assert changed.details["before"] == {
        "title": "Gadget playbook", "file_name": "playbook.pdf", "tags": [],
    }  # fmt: skip
    assert changed.details["after"] == {
        "title": "Gadget playbook 2", "file_name": "v2.pdf", "tags": ["Pricing"],
    }  # fmt: skip


def test_a_resource_file_is_checked_and_described(admin):
    resource = services.resource_create(actor=admin, data=resource_data())
    assert (resource.file_name, resource.file_type, resource.file_size) == (
        "playbook.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    with pytest.raises(ValidationError) as exc:
        services.resource_create(
            actor=admin,
            data=resource_data(file=SimpleUploadedFile("evil.svg", b"<svg onload=x>")),
        )
    assert "file" in field_errors(exc)


def test_a_document_needs_a_file_and_a_link_an_https_address(admin):
    with pytest.raises(ValidationError) as exc:
        services.resource_create(actor=admin, data=resource_data(file=None))
    assert "file" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.resource_create(
            actor=admin,
            data=resource_data(kind=ResourceKind.LINK, file=None, url="http://x.example/"),
        )
    assert "url" in field_errors(exc)


def test_a_translation_is_in_another_language_than_its_original(admin):
    original = ResourceFactory(language=Language.EN)
    with pytest.raises(ValidationError) as exc:
        services.resource_create(actor=admin, data=resource_data(variant_of=original))
    assert "language" in field_errors(exc)
    german = services.resource_create(
        actor=admin, data=resource_data(variant_of=original, language=Language.DE)
    )
    assert german.variant_of == original


def test_an_original_has_one_translation_per_language(admin):
    original = ResourceFactory(language=Language.EN)
    ResourceFactory(variant_of=original, language=Language.DE)
    with pytest.raises(ValidationError) as exc:
        services.resource_create(
            actor=admin, data=resource_data(variant_of=original, language=Language.DE)
        )
    assert "language" in field_errors(exc)


def test_a_translation_names_the_original_not_another_translation(admin):
    original = ResourceFactory(title="Playbook", language=Language.EN)
    german = ResourceFactory(variant_of=original, language=Language.DE)
    with pytest.raises(ValidationError) as exc:
        services.resource_create(
            actor=admin, data=resource_data(variant_of=german, language=Language.FR)
        )
    assert "Playbook" in field_errors(exc)["variant_of"][0]


def test_an_original_with_translations_cannot_be_deleted(admin):
    original = ResourceFactory(language=Language.EN)
    ResourceFactory(title="Spielbuch", variant_of=original, language=Language.DE)
    with pytest.raises(ValidationError, match="Spielbuch"):
        services.resource_delete(actor=admin, resource=original)
    lone = ResourceFactory(title="Lone guide")
    pk = lone.pk
    services.resource_delete(actor=admin, resource=lone)
    assert not Resource.objects.filter(pk=pk).exists()
    entry = last_change(target_type="resource", target_id=str(pk))
    assert entry.details["summary"] == "Resource “Lone guide” deleted"
    assert entry.details["before"]["title"] == "Lone guide"
