"""Learning history for the demo data set (called by ``demo.seed.seed_demo``).

The catalog is ``demo.enablement.seed_enablement`` (backdated so it existed all year). On top of
it, each engaged person of a demo partner takes some courses: enrollments, lesson progress, quiz
attempts and certificates are written with the ORM (the services stamp "now"), and every one of
them gets the event the services would have recorded, with the same key, subject and properties
(``course.started``, ``lesson.viewed``, ``quiz.passed`` / ``quiz.failed``, ``course.completed``,
``certification.earned``). The caller stores the events through ``record_events``.

A partner that activated did so after its admin completed the onboarding course and earned its
certification (both are steps of the activation checklist), so that happens before activation.
Deterministic: every partner draws from its own generator seeded by ``(seed, partner key)``.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Max

from demo.enablement import CATEGORIES, GERMAN, RESOURCES, seed_enablement
from enablement.models import (
    CODE_ALPHABET,
    Certificate,
    Certification,
    Course,
    Enrollment,
    LessonProgress,
    QuizAttempt,
    Resource,
)
from events.choices import EventKind as K
from events.services import NewEvent

# Chance that an engaged person starts a given course (times weight and engagement, capped).
START_CHANCE = 0.3
PASS_CHANCE = 0.75
DROP_OUT = 0.06  # per lesson


@dataclass
class _Quiz:
    pk: int
    pass_mark: int
    max_attempts: int
    questions: list[tuple[int, list[int], int]]  # (question id, correct choice ids, a wrong one)


@dataclass
class _Course:
    pk: int
    slug: str
    lessons: list[int]
    offerings: list[str]
    opens: datetime
    required: bool
    quiz: _Quiz | None


@dataclass
class _Certification:
    pk: int
    courses: frozenset[int]
    offerings: list[str]
    validity: timedelta


@dataclass
class Catalog:
    courses: list[_Course]
    certifications: list[_Certification]
    # (id, minimum tier rank or 0, event properties) of every published resource
    resources: list[tuple[int, int, dict]] = field(default_factory=list)

    @property
    def onboarding_course(self) -> _Course | None:
        return next((c for c in self.courses if c.required), self.courses[0] if self else None)

    def __bool__(self) -> bool:
        return bool(self.courses)


def _midnight(day) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def ensure_catalog(*, program, since: datetime) -> Catalog:
    """The demo catalog (created once), dated back to ``since`` so the year of history can use it,
    and what the history needs to know about it."""
    seed_enablement(program=program)
    titles = [*RESOURCES, *GERMAN.values()]
    Resource.objects.filter(title__in=titles, published_at__gt=since).update(published_at=since)
    courses = []
    published = Course.objects.filter(is_published=True).prefetch_related(
        "lessons", "offerings", "quiz__questions__choices"
    )
    for course in published.annotate(launch=Max("offerings__launched_on")).order_by("pk"):
        lessons = [lesson.pk for lesson in course.lessons.all()]
        if not lessons:
            continue
        quiz = getattr(course, "quiz", None)
        questions = []
        if quiz is not None:
            for question in quiz.questions.all():
                choices = list(question.choices.all())
                right = sorted(c.pk for c in choices if c.is_correct)
                wrong = next((c.pk for c in choices if not c.is_correct), None)
                if right and wrong is not None:
                    questions.append((question.pk, right, wrong))
        courses.append(
            _Course(
                pk=course.pk,
                slug=course.slug,
                lessons=lessons,
                offerings=sorted(o.slug for o in course.offerings.all()),
                opens=_midnight(course.launch) if course.launch else since,
                required=course.required_for_onboarding,
                quiz=_Quiz(quiz.pk, quiz.pass_mark, quiz.max_attempts, questions)
                if quiz is not None and questions
                else None,
            )
        )
    certifications = []
    # Audience-free published certifications only: the demo does not model who may see others.
    for cert in Certification.objects.filter(
        is_published=True, min_tier__isnull=True, programs__isnull=True, partner_types__isnull=True
    ).prefetch_related("courses__offerings"):
        members = frozenset(c.pk for c in cert.courses.all())
        if members and members <= {c.pk for c in courses}:
            slugs = sorted({o.slug for c in cert.courses.all() for o in c.offerings.all()})
            certifications.append(
                _Certification(cert.pk, members, slugs, timedelta(days=cert.validity_days))
            )
    resources = [
        (
            r.pk,
            r.min_tier.rank if r.min_tier_id else 0,
            {
                "resource": r.pk,
                "category": r.category.slug,
                "marketing_asset": r.marketing_asset,
                "offerings": sorted(o.slug for o in r.offerings.all()),
            },
        )
        for r in Resource.objects.filter(
            is_published=True,
            published_at__lte=since,
            programs__isnull=True,
            partner_types__isnull=True,
            category__slug__in=[slug for slug, _ in CATEGORIES],
        )
        .select_related("category", "min_tier")
        .prefetch_related("offerings")
        .order_by("pk")
    ]
    return Catalog(courses, certifications, resources)


@dataclass
class _Learner:
    partner_id: int
    user_id: int
    name: str
    completed: set[int] = field(default_factory=set)
    enrollments: list = field(default_factory=list)  # (Enrollment, [(lesson id, at)], attempts)
    certificates: list = field(default_factory=list)  # (Certificate, certification)


def _level(partner, at: datetime) -> float:
    for start, end, status in partner.phases:
        if start <= at < end:
            return {"onboarding": 0.8, "active": 1.0, "inactive": 0.2}.get(status, 0.0)
    return 0.0


def _take(rng, learner, course: _Course, catalog, *, start, end, finish_by=None):
    """One person working through one course from ``start``: lessons in order, then the quiz.
    ``finish_by``: they complete it (quiz passed) by then; otherwise they may drop out, and stop
    at ``end``."""
    must = finish_by is not None
    stop = finish_by if must else end
    steps = len(course.lessons) + (2 if course.quiz else 1)
    mean_gap = (stop - start) / (steps + 1) if must else timedelta(days=rng.uniform(0.3, 4))
    t, seen = start, []
    enrollment = Enrollment(
        user_id=learner.user_id, course_id=course.pk, partner_id=learner.partner_id, cycle=1,
        started_at=start, last_activity_at=start,
    )  # fmt: skip
    attempts: list[QuizAttempt] = []
    learner.enrollments.append((enrollment, seen, attempts))
    for lesson in course.lessons:
        t += mean_gap * rng.uniform(0.5, 1.0) if must else mean_gap * rng.expovariate(1)
        if t >= stop or (not must and rng.random() < DROP_OUT):
            return
        seen.append((lesson, t.replace(microsecond=0)))
    enrollment.last_lesson_id, enrollment.last_activity_at = seen[-1]
    done_at = seen[-1][1]
    if course.quiz is not None:
        quiz, passed = course.quiz, False
        for number in range(1, quiz.max_attempts + 1):
            t += mean_gap * rng.uniform(0.2, 1.0) if must else timedelta(days=rng.uniform(0, 3))
            if t >= stop:
                return
            last = number == quiz.max_attempts or (must and number == 2)
            passed = rng.random() < PASS_CHANCE or (must and last)
            total = len(quiz.questions)
            # Passing answers everything right; a failure gets the last question(s) wrong.
            correct = total if passed else min(total - 1, (quiz.pass_mark * total - 1) // 100)
            answers = {
                str(qid): right if i < correct else [wrong]
                for i, (qid, right, wrong) in enumerate(quiz.questions)
            }
            score = round(100 * correct / total)
            at = t.replace(microsecond=0)
            attempts.append(
                QuizAttempt(
                    quiz_id=quiz.pk, user_id=learner.user_id, partner_id=learner.partner_id,
                    cycle=1, number=number, answers=answers, correct=correct, total=total,
                    score=score, passed=score >= quiz.pass_mark, submitted_at=at,
                )
            )  # fmt: skip
            enrollment.last_activity_at = at
            if passed:
                done_at = at
                break
        if not passed:
            return
    enrollment.completed_at = done_at
    learner.completed.add(course.pk)
    held = {cert.pk for _, cert in learner.certificates}
    for cert in catalog.certifications:
        if cert.pk not in held and course.pk in cert.courses and cert.courses <= learner.completed:
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(12))
            certificate = Certificate(
                certification_id=cert.pk, user_id=learner.user_id,
                partner_id=learner.partner_id, holder_name=learner.name,
                code=f"{code[:4]}-{code[4:8]}-{code[8:]}", earned_at=done_at,
                expires_at=done_at + cert.validity,
            )  # fmt: skip
            learner.certificates.append((certificate, cert))


def _plan_partner(rng, partner, catalog: Catalog, now: datetime) -> list[_Learner]:
    end = partner.ended_at or now
    learners = []
    for index, (uid, since, weight, name) in enumerate(partner.members):
        learner = _Learner(partner.partner_id, uid, name)
        learners.append(learner)
        onboarding = catalog.onboarding_course
        if index == 0 and partner.activated_at is not None and onboarding is not None:
            # The admin completed the onboarding course (and earned its certification) before
            # the partner was activated: both are activation checklist steps.
            span = partner.activated_at - partner.joined_at
            start = partner.joined_at + span * rng.uniform(0.05, 0.3)
            finish = partner.joined_at + span * rng.uniform(0.4, 0.9)
            _take(rng, learner, onboarding, catalog, start=start, end=end, finish_by=finish)
        if weight < 0.05:
            continue
        chance = min(0.85, START_CHANCE * min(2.0, weight) * min(2.0, partner.engagement))
        for course in catalog.courses:
            if course.pk in {e.course_id for e, _, _ in learner.enrollments}:
                continue
            begin = max(since, course.opens, partner.joined_at)
            if begin >= end or rng.random() >= chance:
                continue
            start = (begin + (end - begin) * rng.random()).replace(microsecond=0)
            if rng.random() < _level(partner, start):
                _take(rng, learner, course, catalog, start=start, end=end)
    return learners


def build_learning(partners, *, seed: int, now: datetime, catalog: Catalog) -> list[NewEvent]:
    """Create the enrollments, lesson progress, quiz attempts and certificates of ``partners``
    (``demo.history.DomainPartner``) and return their events."""
    if not catalog:
        return []
    learners: list[_Learner] = []
    for partner in partners:
        if partner.phases and partner.members:
            rng = random.Random(f"prm-demo-learning:{seed}:{partner.key}")
            learners += _plan_partner(rng, partner, catalog, now)
    enrollments = [e for lr in learners for e in lr.enrollments]
    Enrollment.objects.bulk_create([e for e, _, _ in enrollments], batch_size=500)
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(enrollment=e, lesson_id=lesson, completed_at=at)
            for e, seen, _ in enrollments
            for lesson, at in seen
        ],
        batch_size=1000,
    )
    QuizAttempt.objects.bulk_create([a for _, _, tries in enrollments for a in tries], 500)
    certificates = [c for lr in learners for c in lr.certificates]
    Certificate.objects.bulk_create([c for c, _ in certificates], batch_size=500)
    courses = {c.pk: c for c in catalog.courses}
    events = []

    def add(kind, key, e, at, subject_type, subject_id, props):
        events.append(
            NewEvent(
                kind=kind, key=key, partner_id=e.partner_id, user_id=e.user_id, occurred_at=at,
                subject_type=subject_type, subject_id=str(subject_id), properties=props,
            )
        )  # fmt: skip

    for e, seen, attempts in enrollments:
        course = courses[e.course_id]
        props = {"course": course.pk, "offerings": course.offerings}
        suffix = f"{e.user_id}:{course.pk}:{e.cycle}"
        add(K.COURSE_STARTED, f"course.started:{suffix}", e, e.started_at, "enablement.course",
            course.pk, props)  # fmt: skip
        for lesson, at in seen:
            add(K.LESSON_VIEWED, f"lesson.viewed:{e.user_id}:{lesson}:{e.cycle}", e, at,
                "enablement.lesson", lesson, {**props, "lesson": lesson})  # fmt: skip
        for attempt in attempts:
            kind = K.QUIZ_PASSED if attempt.passed else K.QUIZ_FAILED
            add(kind, f"{kind}:{attempt.pk}", e, attempt.submitted_at, "enablement.quiz",
                attempt.quiz_id, {**props, "score": attempt.score, "attempt": attempt.number})  # fmt: skip
        if e.completed_at is not None:
            add(K.COURSE_COMPLETED, f"course.completed:{suffix}", e, e.completed_at,
                "enablement.course", course.pk, props)  # fmt: skip
    for certificate, cert in certificates:
        add(K.CERTIFICATION_EARNED, f"certification.earned:{certificate.pk}", certificate,
            certificate.earned_at, "enablement.certification", cert.pk,
            {"certification": cert.pk, "offerings": cert.offerings})  # fmt: skip
    return events
