import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from enablement import selectors, services
from enablement.models import Certificate, Enrollment, QuizAttempt
from events.models import Event
from kernel.models import OutboundEmail
from partners.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def finish_lessons(user, setup):
    for lesson in setup["lessons"]:
        services.lesson_complete(user=user, lesson=lesson)


def answer(setup, label):
    return {setup["question"].pk: [setup["choices"][label].pk]}


def test_completing_lessons_saves_progress_and_records_start_and_views(world, course_setup):
    user = world.users["partner_a_user"]
    services.lesson_complete(user=user, lesson=course_setup["lessons"][0])
    enrollment = Enrollment.objects.get(user=user, course=course_setup["course"])
    assert selectors.done_lesson_ids(enrollment=enrollment) == {course_setup["lessons"][0].pk}
    assert enrollment.completed_at is None
    assert enrollment.partner == world.partner_a
    kinds = list(Event.objects.filter(user=user).values_list("kind", flat=True).order_by("id"))
    assert kinds == ["course.started", "lesson.viewed"]
    viewed = Event.objects.get(kind="lesson.viewed")
    assert viewed.properties == {
        "course": course_setup["course"].pk,
        "offerings": ["widgets"],
        "lesson": course_setup["lessons"][0].pk,
    }


def test_completing_a_lesson_twice_records_it_once(world, course_setup):
    user = world.users["partner_a_user"]
    services.lesson_complete(user=user, lesson=course_setup["lessons"][0])
    services.lesson_complete(user=user, lesson=course_setup["lessons"][0])
    assert Event.objects.filter(kind="lesson.viewed").count() == 1


def test_course_with_a_quiz_completes_only_once_the_quiz_is_passed(world, course_setup):
    user = world.users["partner_a_user"]
    finish_lessons(user, course_setup)
    enrollment = Enrollment.objects.get(user=user)
    assert enrollment.completed_at is None
    failed = services.quiz_submit(
        user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "3")
    )
    assert (failed.passed, failed.score, failed.number) == (False, 0, 1)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    passed = services.quiz_submit(
        user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4")
    )
    assert (passed.passed, passed.score, passed.number) == (True, 100, 2)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"quiz.failed", "quiz.passed", "course.completed", "certification.earned"} <= kinds
    completed = Event.objects.get(kind="course.completed")
    assert completed.properties == {"course": course_setup["course"].pk, "offerings": ["widgets"]}
    assert completed.partner_id == world.partner_a.pk


def test_quiz_cannot_be_taken_before_the_lessons_are_done(world, course_setup):
    user = world.users["partner_a_user"]
    with pytest.raises(services.EnablementError, match="lessons"):
        services.quiz_submit(
            user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4")
        )
    assert not QuizAttempt.objects.exists()


def test_quiz_attempts_are_limited(world, course_setup):
    user = world.users["partner_a_user"]
    finish_lessons(user, course_setup)
    for _ in range(3):
        services.quiz_submit(
            user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "5")
        )
    with pytest.raises(services.EnablementError, match="all 3 attempts"):
        services.quiz_submit(
            user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4")
        )
    assert QuizAttempt.objects.filter(user=user).count() == 3


def test_a_passed_quiz_is_not_taken_again(world, course_setup):
    user = world.users["partner_a_user"]
    finish_lessons(user, course_setup)
    services.quiz_submit(user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4"))
    with pytest.raises(services.EnablementError, match="already passed"):
        services.quiz_submit(
            user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4")
        )


def test_answers_from_another_question_are_refused(world, course_setup):
    from enablement.tests.factories import QuizFactory, make_question

    user = world.users["partner_a_user"]
    finish_lessons(user, course_setup)
    _, other_choices = make_question(QuizFactory())
    with pytest.raises(services.EnablementError, match="does not belong"):
        services.quiz_submit(
            user=user,
            quiz=course_setup["quiz"],
            answers={course_setup["question"].pk: [other_choices["4"].pk]},
        )
    assert not QuizAttempt.objects.exists()


def test_multiple_choice_needs_exactly_the_right_set(world, course_setup):
    from enablement.tests.factories import make_question

    user = world.users["partner_a_user"]
    quiz = course_setup["quiz"]
    question, choices = make_question(quiz, text="Pick primes", right=("2", "3"), wrong=("4",))
    finish_lessons(user, course_setup)
    partial = services.quiz_submit(
        user=user,
        quiz=quiz,
        answers={
            course_setup["question"].pk: [course_setup["choices"]["4"].pk],
            question.pk: [choices["2"].pk],
        },
    )
    assert (partial.correct, partial.total, partial.score, partial.passed) == (1, 2, 50, False)
    full = services.quiz_submit(
        user=user,
        quiz=quiz,
        answers={
            course_setup["question"].pk: [course_setup["choices"]["4"].pk],
            question.pk: [choices["2"].pk, choices["3"].pk],
        },
    )
    assert full.passed


def test_passing_earns_the_certification_once_with_an_email(
    world, course_setup, django_capture_on_commit_callbacks
):
    user = world.users["partner_a_user"]
    finish_lessons(user, course_setup)
    with django_capture_on_commit_callbacks(execute=True):
        services.quiz_submit(
            user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4")
        )
    certificate = Certificate.objects.get(user=user)
    assert certificate.certification == course_setup["certification"]
    assert certificate.partner == world.partner_a
    assert certificate.status == "active"
    assert (certificate.expires_at - certificate.earned_at).days == 365
    assert len(mail.outbox) == 1 and certificate.code in mail.outbox[0].body
    email = OutboundEmail.objects.get(key__startswith=f"enablement.certificate:{certificate.pk}:")
    assert email.status == "sent" and email.template == "enablement_certificate_earned"
    assert (
        mail.outbox[0].subject
        == f"[PRM] You earned the {certificate.certification.name} certification"
    )
    event = Event.objects.get(kind="certification.earned")
    assert event.properties == {
        "certification": course_setup["certification"].pk,
        "offerings": ["widgets"],
    }


def test_certification_needs_every_one_of_its_courses(world, course_setup):
    from enablement.tests.factories import CourseFactory, LessonFactory

    second = CourseFactory()
    LessonFactory(course=second)
    course_setup["certification"].courses.add(second)
    user = world.users["partner_a_user"]
    finish_lessons(user, course_setup)
    services.quiz_submit(user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4"))
    assert not Certificate.objects.exists()
    services.lesson_complete(user=user, lesson=second.lessons.get())
    assert Certificate.objects.filter(user=user).count() == 1


def test_renewal_restarts_the_course_and_extends_the_same_certificate(world, course_setup):
    user = world.users["partner_a_user"]
    finish_lessons(user, course_setup)
    services.quiz_submit(user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4"))
    certificate = Certificate.objects.get(user=user)
    with pytest.raises(services.EnablementError, match="due for renewal"):
        services.enrollment_restart_for_renewal(user=user, course=course_setup["course"])
    with time_machine.travel(timezone.now() + timezone.timedelta(days=320), tick=False):
        services.enrollment_restart_for_renewal(user=user, course=course_setup["course"])
        enrollment = Enrollment.objects.get(user=user)
        assert (enrollment.cycle, enrollment.completed_at) == (2, None)
        finish_lessons(user, course_setup)
        # Attempts are counted per cycle: the first cycle's attempt does not use this one up.
        attempt = services.quiz_submit(
            user=user, quiz=course_setup["quiz"], answers=answer(course_setup, "4")
        )
        assert attempt.number == 1 and attempt.cycle == 2
        renewed = Certificate.objects.get(pk=certificate.pk)
        assert renewed.code == certificate.code
        assert renewed.renewals == 1
        assert renewed.expires_at == timezone.now() + timezone.timedelta(days=365)
    assert Event.objects.filter(kind="certification.renewed").count() == 1
    assert Event.objects.filter(kind="course.completed").count() == 2


def test_vendor_staff_cannot_take_courses(world, course_setup):
    with pytest.raises(services.EnablementError):
        services.lesson_complete(
            user=world.users["vendor_admin"], lesson=course_setup["lessons"][0]
        )


def test_certified_user_count_counts_current_members_with_valid_certificates(world, course_setup):
    from enablement.tests.factories import CertificateFactory

    cert = course_setup["certification"]
    a_user = world.users["partner_a_user"]
    CertificateFactory(certification=cert, user=a_user)
    CertificateFactory(
        certification=cert,
        user=world.users["partner_a_admin"],
        expires_at=timezone.now() - timezone.timedelta(days=1),
    )
    leaver = MembershipFactory(partner=world.partner_a)
    CertificateFactory(certification=cert, user=leaver.user)
    assert selectors.certified_user_count(partner_id=world.partner_a.pk) == 2
    leaver.delete()
    assert selectors.certified_user_count(partner_id=world.partner_a.pk) == 1
    assert selectors.certified_user_count(partner_id=world.partner_b.pk) == 0
    assert (
        selectors.certified_user_count(partner_id=world.partner_a.pk, certification_slug="nope")
        == 0
    )
    assert selectors.certified_user_counts(
        partner_ids=[world.partner_a.pk, world.partner_b.pk]
    ) == {world.partner_a.pk: 1}


def test_library_visit_marks_what_is_new_since_the_previous_visit(world):
    user = world.users["partner_a_user"]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.library_visit_touch(user=user) is None
    with time_machine.travel(start + timezone.timedelta(minutes=10), tick=False):
        assert services.library_visit_touch(user=user) == start  # same visit: marks stay
    later = start + timezone.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        assert services.library_visit_touch(user=user) == start + timezone.timedelta(minutes=10)
