"""Reads for the setup (authoring) pages: vendor staff only, drafts included. Anyone else gets
404 from every function here, as from the pages."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enablement.models import (
    Certificate,
    Certification,
    Choice,
    Course,
    Enrollment,
    Lesson,
    Question,
    Quiz,
    QuizAttempt,
    Resource,
)
from enablement.selectors import _lesson_count
from partners.permissions import is_vendor_staff
from partners.readers import certification_referrers, course_referrers, references_to


def _require_staff(user) -> None:
    if not is_vendor_staff(user):
        raise Http404("Not found.")


# --- Courses ------------------------------------------------------------------------------------


def setup_course_list(*, user) -> QuerySet[Course]:
    """Every course, drafts included, with ``lesson_count``, ``has_quiz`` and
    ``certification_count``. A constant number of queries whatever the number of courses."""
    _require_staff(user)
    return (
        Course.objects.annotate(
            lesson_count=_lesson_count(),
            has_quiz=Exists(Quiz.objects.filter(course=OuterRef("pk"))),
            certification_count=Count("certifications", distinct=True),
        )
        .select_related("min_tier")
        .order_by("-is_published", "title")
    )


def setup_course_get(*, user, pk: int) -> Course:
    _require_staff(user)
    course = (
        Course.objects.select_related("min_tier")
        .prefetch_related("offerings", "programs", "partner_types")
        .filter(pk=pk)
        .first()
    )
    if course is None:
        raise Http404("No such course.")
    return course


def setup_lesson_list(*, course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(course=course).order_by("position", "pk"))


def setup_lesson_get(*, user, pk: int) -> Lesson:
    _require_staff(user)
    lesson = Lesson.objects.select_related("course").filter(pk=pk).first()
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def setup_quiz_for_course(*, course: Course) -> Quiz | None:
    """The course's quiz with its questions and choices (right answers included: staff only)."""
    questions = Question.objects.order_by("position", "pk").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
    )
    return (
        Quiz.objects.filter(course=course)
        .prefetch_related(Prefetch("questions", queryset=questions))
        .first()
    )


def setup_question_get(*, user, pk: int) -> Question:
    _require_staff(user)
    question = (
        Question.objects.select_related("quiz__course")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")))
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404("No such question.")
    return question


def quiz_references(*, quiz: Quiz) -> list[str]:
    """What removing the quiz would erase: the attempts people made (one query)."""
    taken = QuizAttempt.objects.filter(quiz=quiz).aggregate(
        attempts=Count("pk"),
        people=Count("user", distinct=True),
        partners=Count("partner", distinct=True),
    )
    if not taken["attempts"]:
        return []
    counts = {
        "attempts": ngettext("%(n)s attempt", "%(n)s attempts", taken["attempts"])
        % {"n": taken["attempts"]},
        "people": ngettext("%(n)s person", "%(n)s people", taken["people"])
        % {"n": taken["people"]},
        "partners": ngettext("%(n)s partner", "%(n)s partners", taken["partners"])
        % {"n": taken["partners"]},
    }
    return [_("%(attempts)s by %(people)s from %(partners)s") % counts]


def course_references(*, course: Course) -> list[str]:
    """What still names this course: enablement's certifications, and whatever other apps'
    registered readers report (``partners.readers.course_referrers``)."""
    own = [
        _("Certification “%(name)s”") % {"name": name}
        for name in Certification.objects.filter(courses=course)
        .order_by("name")
        .values_list("name", flat=True)
    ]
    return own + references_to(course_referrers, course.pk)


def course_learner_count(*, course: Course) -> int:
    return Enrollment.objects.filter(course=course).count()


# --- Certifications -----------------------------------------------------------------------------


def setup_certification_list(*, user) -> QuerySet[Certification]:
    """Every certification with its courses and ``certificate_count``. Constant queries."""
    _require_staff(user)
    return (
        Certification.objects.annotate(certificate_count=Count("certificates", distinct=True))
        .prefetch_related(Prefetch("courses", queryset=Course.objects.order_by("title")))
        .order_by("name")
    )


def setup_certification_get(*, user, pk: int) -> Certification:
    _require_staff(user)
    certification = (
        Certification.objects.prefetch_related("courses", "programs", "partner_types")
        .filter(pk=pk)
        .first()
    )
    if certification is None:
        raise Http404("No such certification.")
    return certification


def certification_references(*, certification: Certification) -> list[str]:
    """What still relies on this certification: certificates issued (enablement's own) and what
    other apps' registered readers report (``certification_referrers``)."""
    issued = Certificate.objects.filter(certification=certification).count()
    own = (
        [
            ngettext(
                "%(n)s certificate was issued",
                "%(n)s certificates were issued",
                issued,
            )
            % {"n": issued}
        ]
        if issued
        else []
    )
    return own + references_to(certification_referrers, certification.pk)


# --- Resources ----------------------------------------------------------------------------------


def setup_resource_list(*, user) -> QuerySet[Resource]:
    """Every resource, drafts included, with category, tags and its original. Constant queries."""
    _require_staff(user)
    return (
        Resource.objects.select_related("category", "variant_of")
        .prefetch_related("tags")
        .annotate(variant_count=Count("variants", distinct=True))
        .order_by("title", "language", "pk")
    )


def setup_resource_get(*, user, pk: int) -> Resource:
    _require_staff(user)
    resource = (
        Resource.objects.select_related("category", "variant_of")
        .prefetch_related("tags", "offerings", "programs", "partner_types")
        .filter(pk=pk)
        .first()
    )
    if resource is None:
        raise Http404("No such resource.")
    return resource


def resource_variant_list(*, resource: Resource) -> list[Resource]:
    return list(Resource.objects.filter(variant_of=resource).order_by("language"))
