"""Writes for enablement. Each public function is one transition: atomic, keyword-only, and it
records the matching event (idempotent by key). Emails go out after commit."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from enablement.choices import QuestionKind, ReminderKind
from enablement.models import (
    Certificate,
    CertificateReminder,
    Certification,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    LibraryVisit,
    Quiz,
    QuizAttempt,
    Resource,
)
from enablement.selectors import viewer_for, visible_to
from events.choices import EventKind
from events.services import record_event
from kernel.outbox import email_queue

logger = logging.getLogger(__name__)

# A library visit this long after the previous one starts a new "visit": what was published in
# between is marked new. Within a visit the marks stay put while the user browses.
LIBRARY_VISIT_GAP = timedelta(minutes=30)


class EnablementError(Exception):
    """An action the current state does not allow; the message is for the user."""


def _partner_of(user):
    partner = viewer_for(user).partner
    if partner is None:
        raise EnablementError("Only members of a partner organization can take courses.")
    return partner


def _offering_slugs(course: Course) -> list[str]:
    return sorted(o.slug for o in course.offerings.all())


def _course_props(course: Course, **extra) -> dict:
    return {"course": course.pk, "offerings": _offering_slugs(course), **extra}


# --- Courses ------------------------------------------------------------------------------------


@transaction.atomic
def enrollment_start(*, user, course: Course) -> Enrollment:
    """Start (or resume) a course. Records ``course.started`` once per cycle."""
    partner = _partner_of(user)
    enrollment, _ = Enrollment.objects.get_or_create(
        user=user, course=course, defaults={"partner": partner}
    )
    if enrollment.partner_id != partner.pk:  # the person moved to another partner
        enrollment.partner = partner
        enrollment.save(update_fields=["partner"])
    record_event(
        kind=EventKind.COURSE_STARTED,
        key=f"course.started:{user.pk}:{course.pk}:{enrollment.cycle}",
        user=user,
        partner=partner,
        subject=course,
        properties=_course_props(course),
    )
    return enrollment


@transaction.atomic
def lesson_complete(*, user, lesson: Lesson) -> Enrollment:
    """Mark a lesson done (``lesson.viewed``); completes the course when nothing is left."""
    course = lesson.course
    enrollment = enrollment_start(user=user, course=course)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    enrollment.last_lesson = lesson
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["last_lesson", "last_activity_at"])
    record_event(
        kind=EventKind.LESSON_VIEWED,
        key=f"lesson.viewed:{user.pk}:{lesson.pk}:{enrollment.cycle}",
        user=user,
        partner=enrollment.partner,
        subject=lesson,
        properties=_course_props(course, lesson=lesson.pk),
    )
    _complete_if_done(enrollment=enrollment)
    return enrollment


def _lessons_left(enrollment: Enrollment) -> int:
    done = LessonProgress.objects.filter(enrollment=enrollment).values("lesson_id")
    return Lesson.objects.filter(course_id=enrollment.course_id).exclude(pk__in=done).count()


def _quiz_passed(enrollment: Enrollment) -> bool:
    quiz = Quiz.objects.filter(course_id=enrollment.course_id).first()
    if quiz is None:
        return True
    return QuizAttempt.objects.filter(
        quiz=quiz, user_id=enrollment.user_id, cycle=enrollment.cycle, passed=True
    ).exists()


def _complete_if_done(*, enrollment: Enrollment) -> None:
    """Called with the enrollment row locked."""
    if enrollment.completed_at is not None:
        return
    if _lessons_left(enrollment) or not _quiz_passed(enrollment):
        return
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=["completed_at"])
    course = enrollment.course
    record_event(
        kind=EventKind.COURSE_COMPLETED,
        key=f"course.completed:{enrollment.user_id}:{course.pk}:{enrollment.cycle}",
        user=enrollment.user,
        partner=enrollment.partner,
        subject=course,
        properties=_course_props(course),
    )
    _award_certifications(enrollment=enrollment)


@transaction.atomic
def enrollment_restart_for_renewal(*, user, course: Course) -> Enrollment:
    """Take a completed course again to renew a certificate that is due for renewal."""
    enrollment = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
    if enrollment is None or enrollment.completed_at is None:
        raise EnablementError("Finish the course first; a restart is for renewing a certificate.")
    due = [
        c
        for c in Certificate.objects.filter(
            user=user, certification__courses=course, revoked_at__isnull=True
        ).select_related("certification")
        if c.is_renewable
    ]
    if not due:
        raise EnablementError(
            "None of your certificates that rely on this course is due for renewal."
        )
    enrollment.cycle += 1
    enrollment.completed_at = None
    enrollment.last_lesson = None
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["cycle", "completed_at", "last_lesson", "last_activity_at"])
    LessonProgress.objects.filter(enrollment=enrollment).delete()
    return enrollment_start(user=user, course=course)


# --- Quizzes ------------------------------------------------------------------------------------


def _grade(quiz: Quiz, answers: dict[int, list[int]]) -> tuple[int, int, dict[str, list[int]]]:
    questions = list(quiz.questions.prefetch_related("choices"))
    if not questions:
        raise EnablementError("This quiz has no questions yet.")
    correct = 0
    stored: dict[str, list[int]] = {}
    for question in questions:
        choice_ids = {c.pk for c in question.choices.all()}
        chosen = set(answers.get(question.pk, []))
        if not chosen:
            raise EnablementError(f"Answer every question (missing: “{question.text[:60]}”).")
        if not chosen <= choice_ids:
            raise EnablementError("An answer does not belong to its question.")
        if question.kind == QuestionKind.SINGLE and len(chosen) != 1:
            raise EnablementError(f"Choose one answer for “{question.text[:60]}”.")
        right = {c.pk for c in question.choices.all() if c.is_correct}
        correct += chosen == right
        stored[str(question.pk)] = sorted(chosen)
    return correct, len(questions), stored


@transaction.atomic
def quiz_submit(*, user, quiz: Quiz, answers: dict[int, list[int]]) -> QuizAttempt:
    """Grade one attempt. Attempts are limited per course cycle; a passed quiz is not retaken."""
    course = quiz.course
    enrollment = enrollment_start(user=user, course=course)
    # The lock serialises two submissions of the same person (two tabs): the count below and the
    # attempt number stay right, and the unique constraint backs it up.
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if _lessons_left(enrollment):
        raise EnablementError("Finish the course's lessons before taking the quiz.")
    previous = QuizAttempt.objects.filter(quiz=quiz, user=user, cycle=enrollment.cycle)
    if previous.filter(passed=True).exists():
        raise EnablementError("You have already passed this quiz.")
    used = previous.count()
    if used >= quiz.max_attempts:
        raise EnablementError(
            f"You have used all {quiz.max_attempts} attempts. Contact your channel manager."
        )
    correct, total, stored = _grade(quiz, answers)
    score = round(100 * correct / total)
    passed = score >= quiz.pass_mark
    attempt = QuizAttempt.objects.create(
        quiz=quiz,
        user=user,
        partner=enrollment.partner,
        cycle=enrollment.cycle,
        number=used + 1,
        answers=stored,
        correct=correct,
        total=total,
        score=score,
        passed=passed,
    )
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["last_activity_at"])
    kind = EventKind.QUIZ_PASSED if passed else EventKind.QUIZ_FAILED
    record_event(
        kind=kind,
        key=f"{kind}:{attempt.pk}",
        user=user,
        partner=enrollment.partner,
        subject=quiz,
        properties=_course_props(course, score=score, attempt=attempt.number),
    )
    if passed:
        _complete_if_done(enrollment=enrollment)
    return attempt


# --- Certifications -----------------------------------------------------------------------------


def _certification_props(certification: Certification) -> dict:
    slugs = sorted(
        {o.slug for course in certification.courses.all() for o in course.offerings.all()}
    )
    return {"certification": certification.pk, "offerings": slugs}


def _award_certifications(*, enrollment: Enrollment) -> None:
    """Earn or renew each certification whose courses the user has now all completed."""
    user = enrollment.user
    certifications = visible_to(
        Certification.objects.filter(courses=enrollment.course).prefetch_related(
            "courses__offerings"
        ),
        viewer=viewer_for(user),
    ).filter(is_published=True)
    for certification in certifications:
        course_ids = {c.pk for c in certification.courses.all()}
        completed = set(
            Enrollment.objects.filter(
                user=user, course_id__in=course_ids, completed_at__isnull=False
            ).values_list("course_id", flat=True)
        )
        if completed != course_ids:
            continue
        certificate_grant(user=user, certification=certification, partner=enrollment.partner)


@transaction.atomic
def certificate_grant(*, user, certification: Certification, partner) -> Certificate | None:
    """Issue the certificate, or renew it when it is inside its renewal window (or expired).
    Returns None when the user already holds a certificate that is not yet due."""
    now = timezone.now()
    validity = timedelta(days=certification.validity_days)
    certificate = (
        Certificate.objects.select_for_update()
        .filter(user=user, certification=certification)
        .first()
    )
    if certificate is None:
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    certification=certification,
                    user=user,
                    partner=partner,
                    holder_name=user.get_full_name(),
                    earned_at=now,
                    expires_at=now + validity,
                )
        except IntegrityError:
            return None  # a concurrent request issued it
        record_event(
            kind=EventKind.CERTIFICATION_EARNED,
            key=f"certification.earned:{certificate.pk}",
            user=user,
            partner=partner,
            subject=certification,
            properties=_certification_props(certification),
        )
        _queue_certificate_email(certificate, "earned")
        return certificate
    if certificate.revoked_at is not None or not certificate.is_renewable:
        return None
    certificate.renewals += 1
    certificate.renewed_at = now
    certificate.expires_at = now + validity
    certificate.partner = partner
    certificate.expired_recorded_at = None
    certificate.save(
        update_fields=["renewals", "renewed_at", "expires_at", "partner", "expired_recorded_at"]
    )
    record_event(
        kind=EventKind.CERTIFICATION_RENEWED,
        key=f"certification.renewed:{certificate.pk}:{certificate.renewals}",
        user=user,
        partner=partner,
        subject=certification,
        properties=_certification_props(certification),
    )
    _queue_certificate_email(certificate, "renewed")
    return certificate


@transaction.atomic
def certificate_record_expiry(*, certificate: Certificate) -> bool:
    """Record ``certification.expired`` and tell the holder, once per expiry. Returns whether
    this call did it (a rerun or a concurrent worker finds it done)."""
    now = timezone.now()
    # Conditional UPDATE: its row count says who won, so two workers never both send.
    won = Certificate.objects.filter(
        pk=certificate.pk,
        revoked_at__isnull=True,
        expires_at__lte=now,
        expired_recorded_at__isnull=True,
    ).update(expired_recorded_at=now)
    if not won:
        return False
    certificate.refresh_from_db()
    CertificateReminder.objects.get_or_create(
        certificate=certificate, kind=ReminderKind.EXPIRED, expires_at=certificate.expires_at
    )
    record_event(
        kind=EventKind.CERTIFICATION_EXPIRED,
        key=f"certification.expired:{certificate.pk}:{certificate.expires_at.isoformat()}",
        user=certificate.user,
        partner=certificate.partner,
        subject=certificate.certification,
        occurred_at=certificate.expires_at,
        properties=_certification_props(certificate.certification),
    )
    _queue_certificate_email(certificate, "expired")
    return True


@transaction.atomic
def certificate_send_renewal_reminder(*, certificate: Certificate) -> bool:
    """Remind the holder that renewal is open, once per validity period."""
    _, created = CertificateReminder.objects.get_or_create(
        certificate=certificate, kind=ReminderKind.EXPIRING, expires_at=certificate.expires_at
    )
    if created:
        _queue_certificate_email(certificate, "expiring")
    return created


def _queue_certificate_email(certificate: Certificate, template: str) -> None:
    """Queue the holder's email in the outbox (sent after commit), once per validity period."""
    context = {"certificate": certificate}
    email_queue(
        key=f"enablement.certificate:{certificate.pk}:{template}:{certificate.expires_at.isoformat()}",
        to=[certificate.user.email],
        subject=lambda: render_to_string(
            f"emails/enablement_certificate_{template}_subject.txt", context
        ),
        template=f"enablement_certificate_{template}",
        context=context,
    )


# --- Resource library ---------------------------------------------------------------------------


def _resource_props(resource: Resource) -> dict:
    return {
        "resource": resource.pk,
        "category": resource.category.slug,
        "marketing_asset": resource.marketing_asset,
        "offerings": sorted(o.slug for o in resource.offerings.all()),
    }


@transaction.atomic
def resource_record_view(*, user, resource: Resource) -> None:
    """``resource.viewed``, counted once per person, resource and day."""
    partner = viewer_for(user).partner
    if partner is None:
        return  # vendor staff previewing are not adoption
    record_event(
        kind=EventKind.RESOURCE_VIEWED,
        key=f"resource.viewed:{user.pk}:{resource.pk}:{timezone.now().date().isoformat()}",
        user=user,
        partner=partner,
        subject=resource,
        properties=_resource_props(resource),
    )


@transaction.atomic
def resource_record_download(*, user, resource: Resource) -> None:
    """``resource.downloaded``, counted once per person, resource and day."""
    partner = viewer_for(user).partner
    if partner is None:
        return
    record_event(
        kind=EventKind.RESOURCE_DOWNLOADED,
        key=f"resource.downloaded:{user.pk}:{resource.pk}:{timezone.now().date().isoformat()}",
        user=user,
        partner=partner,
        subject=resource,
        properties=_resource_props(resource),
    )


@transaction.atomic
def library_visit_touch(*, user):
    """Note a library visit; returns the moment after which resources count as new (None on the
    very first visit, when nothing is flagged)."""
    now = timezone.now()
    visit = LibraryVisit.objects.select_for_update().filter(user=user).first()
    if visit is None:
        try:
            with transaction.atomic():
                LibraryVisit.objects.create(user=user, last_visit_at=now, new_since=now)
        except IntegrityError:
            pass  # a parallel request created it
        return None
    if now - visit.last_visit_at > LIBRARY_VISIT_GAP:
        visit.new_since = visit.last_visit_at
    visit.last_visit_at = now
    visit.save(update_fields=["new_since", "last_visit_at"])
    return visit.new_since
