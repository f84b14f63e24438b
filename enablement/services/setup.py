"""Writes of the setup (authoring) pages: courses and their ordered lessons, quizzes, questions
and choices, certifications and resources. Vendor admins only (the views check; every function
takes the ``actor``).

Each function is one change: keyword-only, atomic, it refuses bad input with a ValidationError
keyed by field (``None`` for the whole form), so the form shows it where it belongs, and it writes
the change through ``kernel.setup_log`` in the same transaction: who, what, and each changed field
before and after (many-to-many audiences included), which the audit log shows as "Changed in
setup". A refused change writes nothing. No event is recorded: the kinds registry
(events.choices) declares no kind for authoring changes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from enablement.choices import QuestionKind, ResourceKind
from enablement.models import Certification, Choice, Course, Lesson, Question, Quiz, Resource
from enablement.selectors.setup import (
    certification_references,
    course_learner_count,
    course_references,
    quiz_references,
)
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from kernel.uploads import inspect_upload

COURSE_FIELDS = ("title", "slug", "summary", "description", "estimated_minutes",
                 "required_for_onboarding", "min_tier", "translations")  # fmt: skip
LESSON_FIELDS = ("title", "body", "video_url", "translations")
QUIZ_FIELDS = ("title", "instructions", "pass_mark", "max_attempts", "translations")
CERTIFICATION_FIELDS = ("name", "slug", "description", "validity_days", "renewal_window_days",
                        "is_published", "min_tier")  # fmt: skip
RESOURCE_FIELDS = ("title", "summary", "body", "kind", "category", "language", "variant_of",
                   "url", "marketing_asset", "is_published", "min_tier")  # fmt: skip
AUDIENCE_M2M = ("programs", "partner_types")

# What the setup log keeps of each kind, before and after a change (kernel.setup_log.snapshot:
# foreign keys and many-to-many fields by name, long texts cut).
COURSE_LOG = (*COURSE_FIELDS, "is_published", "offerings", *AUDIENCE_M2M)
LESSON_LOG = ("course", "position", "title", "body", "video_url", "attachment_name")
QUIZ_LOG = ("course", *QUIZ_FIELDS)
QUESTION_LOG = ("quiz", "position", "text", "kind", "explanation")
CERTIFICATION_LOG = (*CERTIFICATION_FIELDS, "courses", *AUDIENCE_M2M)
RESOURCE_LOG = (*RESOURCE_FIELDS, "file_name", "tags", "offerings", *AUDIENCE_M2M)


def _log(actor, obj, action: str, summary: str, *, before=None, after=None) -> None:
    """One setup change (audited with its fields before and after)."""
    log_setup_change(
        actor=actor, obj=obj, action=action, before=before, after=after, summary=summary
    )


def _question_snapshot(question: Question) -> dict:
    """A question's fields and its choices in order, the right ones marked."""
    values = snapshot(question, QUESTION_LOG)
    choices = (
        Choice.objects.filter(question=question).order_by("position", "pk") if question.pk else []
    )
    values["choices"] = "; ".join(
        _("%(text)s (correct)") % {"text": c.text} if c.is_correct else c.text for c in choices
    )
    return values


def _quiz_snapshot(quiz: Quiz) -> dict:
    values = snapshot(quiz, QUIZ_LOG)
    values["questions"] = Question.objects.filter(quiz=quiz).count() if quiz.pk else 0
    return values


def _assign(obj, data: dict, fields) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _set_m2m(obj, data: dict, names) -> None:
    for name in names:
        if name in data:
            getattr(obj, name).set(data[name])


def _check_audience(data: dict) -> None:
    """A minimum tier belongs to one program: when the item is narrowed to programs, the tier's
    program must be one of them, or no partner could ever see the item."""
    tier, programs = data.get("min_tier"), list(data.get("programs") or [])
    if tier is not None and programs and tier.program_id not in {p.pk for p in programs}:
        raise ValidationError(
            {
                "min_tier": _(
                    "The tier %(tier)s belongs to %(program)s, which is not among the chosen "
                    "programs: no partner could see this."
                )
                % {"tier": tier.name, "program": tier.program.name}
            }
        )


def _full_clean(obj, exclude=()) -> None:
    """Model validation (field rules, ``clean()``, unique slugs) before any write."""
    obj.full_clean(exclude=list(exclude))


def _refuse(message: str, references: list[str]) -> None:
    raise ValidationError(f"{message} {'; '.join(references)}.")


# --- Courses ------------------------------------------------------------------------------------


@transaction.atomic
def course_create(*, actor, data: dict) -> Course:
    """A new course, always a draft (publish it once it has lessons)."""
    _check_audience(data)
    course = Course(is_published=False)
    _assign(course, data, COURSE_FIELDS)
    _full_clean(course)
    course.save()
    _set_m2m(course, data, ("offerings", *AUDIENCE_M2M))
    _log(
        actor, course, ADDED, _("Course “%(title)s” created") % {"title": course.title},
        after=snapshot(course, COURSE_LOG),
    )  # fmt: skip
    return course


@transaction.atomic
def course_update(*, actor, course: Course, data: dict) -> Course:
    _check_audience(data)
    course = Course.objects.select_for_update().get(pk=course.pk)
    before = snapshot(course, COURSE_LOG)
    _assign(course, data, COURSE_FIELDS)
    _full_clean(course)
    course.save()
    _set_m2m(course, data, ("offerings", *AUDIENCE_M2M))
    _log(
        actor, course, CHANGED, _("Course “%(title)s” edited") % {"title": course.title},
        before=before, after=snapshot(course, COURSE_LOG),
    )  # fmt: skip
    return course


@transaction.atomic
def course_publish(*, actor, course: Course) -> Course:
    """Open a draft to its audience. It needs a lesson, and a quiz (if any) needs questions:
    otherwise nobody could complete it."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not Lesson.objects.filter(course=course).exists():
        raise ValidationError(_("Add at least one lesson before publishing the course."))
    quiz = Quiz.objects.filter(course=course).first()
    if quiz is not None and not quiz.questions.exists():
        raise ValidationError(
            _("The course's quiz has no questions: add some, or partners could never pass it.")
        )
    if not course.is_published:
        before = snapshot(course, ["is_published"])
        course.is_published = True
        course.save(update_fields=["is_published", "updated_at"])
        _log(
            actor, course, CHANGED, _("Course “%(title)s” published") % {"title": course.title},
            before=before, after=snapshot(course, ["is_published"]),
        )  # fmt: skip
    return course


@transaction.atomic
def course_archive(*, actor, course: Course) -> Course:
    """Take a course back from partners (it becomes a draft; people's progress is kept).
    Refused while a certification or another app's setting names it: they would ask partners
    for a course they can no longer take."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    references = course_references(course=course)
    if references:
        _refuse(_("The course is still in use, so it cannot be archived:"), references)
    if course.is_published:
        before = snapshot(course, ["is_published"])
        course.is_published = False
        course.save(update_fields=["is_published", "updated_at"])
        _log(
            actor, course, CHANGED, _("Course “%(title)s” archived") % {"title": course.title},
            before=before, after=snapshot(course, ["is_published"]),
        )  # fmt: skip
    return course


@transaction.atomic
def course_delete(*, actor, course: Course) -> None:
    """Delete a course that nothing names and nobody has started (deleting it would erase their
    progress: archive it instead)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    references = course_references(course=course)
    if references:
        _refuse(_("The course is still in use, so it cannot be deleted:"), references)
    if course_learner_count(course=course):
        raise ValidationError(
            _("People have started this course; archive it instead to keep their progress.")
        )
    before = snapshot(course, COURSE_LOG)
    before["lessons"] = Lesson.objects.filter(course=course).count()
    before["quiz"] = Quiz.objects.filter(course=course).values_list("title", flat=True).first()
    _log(
        actor, course, DELETED, _("Course “%(title)s” deleted") % {"title": course.title},
        before=before,
    )  # fmt: skip
    course.delete()


# --- Lessons ------------------------------------------------------------------------------------


def _attach(lesson: Lesson, upload) -> None:
    """Check a new attachment with the upload inspector and keep what it found."""
    try:
        info = inspect_upload(upload, name=upload.name)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc
    lesson.attachment = upload
    lesson.attachment_name, lesson.attachment_type = info.name, info.content_type


@transaction.atomic
def lesson_create(*, actor, course: Course, data: dict) -> Lesson:
    """A lesson at the end of the course. ``data["attachment"]`` is an optional upload."""
    course = Course.objects.select_for_update().get(pk=course.pk)  # serialises the next position
    last = Lesson.objects.filter(course=course).aggregate(m=Max("position"))["m"] or 0
    lesson = Lesson(course=course, position=last + 1)
    _assign(lesson, data, LESSON_FIELDS)
    if data.get("attachment"):
        _attach(lesson, data["attachment"])
    _full_clean(lesson, exclude=["attachment"])
    lesson.save()
    _log(
        actor, lesson, ADDED,
        _("Lesson “%(lesson)s” added to the course “%(course)s”")
        % {"lesson": lesson.title, "course": course.title},
        after=snapshot(lesson, LESSON_LOG),
    )  # fmt: skip
    return lesson


@transaction.atomic
def lesson_update(*, actor, lesson: Lesson, data: dict) -> Lesson:
    """Change a lesson; ``data["attachment"]`` replaces the file, ``remove_attachment`` drops it."""
    lesson = Lesson.objects.select_for_update().select_related("course").get(pk=lesson.pk)
    before = snapshot(lesson, LESSON_LOG)
    _assign(lesson, data, LESSON_FIELDS)
    if data.get("attachment"):
        _attach(lesson, data["attachment"])
    elif data.get("remove_attachment"):
        lesson.attachment = ""
        lesson.attachment_name = lesson.attachment_type = ""
    _full_clean(lesson, exclude=["attachment"])
    lesson.save()
    _log(
        actor, lesson, CHANGED,
        _("Lesson “%(lesson)s” of the course “%(course)s” edited")
        % {"lesson": lesson.title, "course": lesson.course.title},
        before=before, after=snapshot(lesson, LESSON_LOG),
    )  # fmt: skip
    return lesson


@transaction.atomic
def lesson_move(*, actor, lesson: Lesson, direction: str) -> Lesson:
    """Swap a lesson with its neighbour (``up``: earlier, ``down``: later)."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a lesson up or down."))
    # Lock the course's lessons in a fixed order, so two moves cannot interleave.
    lessons = list(
        Lesson.objects.select_for_update().filter(course_id=lesson.course_id).order_by("position")
    )
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(lessons):
        raise ValidationError(
            _("This is already the first lesson.")
            if direction == "up"
            else _("This is already the last lesson.")
        )
    mine, theirs = lessons[index], lessons[other]
    spare = lessons[-1].position + 1  # (course, position) is unique: park one while swapping
    a, b = mine.position, theirs.position
    Lesson.objects.filter(pk=mine.pk).update(position=spare)
    Lesson.objects.filter(pk=theirs.pk).update(position=a)
    Lesson.objects.filter(pk=mine.pk).update(position=b)
    mine.position, theirs.position = b, a
    # Both lessons changed place: each gets its line, so the log replays the order exactly.
    for moved, old, went_up in ((mine, a, direction == "up"), (theirs, b, direction != "up")):
        summary = (
            _("Lesson “%(lesson)s” moved up") if went_up else _("Lesson “%(lesson)s” moved down")
        )
        _log(
            actor, moved, CHANGED, summary % {"lesson": moved.title},
            before={"position": old}, after={"position": moved.position},
        )  # fmt: skip
    return mine


@transaction.atomic
def lesson_delete(*, actor, lesson: Lesson) -> None:
    """Delete a lesson (people's progress on it goes too). A published course keeps at least one
    lesson: archive the course instead."""
    course = Course.objects.select_for_update().get(pk=lesson.course_id)
    if course.is_published and Lesson.objects.filter(course=course).count() <= 1:
        raise ValidationError(
            _("A published course needs at least one lesson; archive the course instead.")
        )
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    _log(
        actor, lesson, DELETED,
        _("Lesson “%(lesson)s” deleted from the course “%(course)s”")
        % {"lesson": lesson.title, "course": course.title},
        before=snapshot(lesson, LESSON_LOG),
    )  # fmt: skip
    lesson.delete()


# --- Quizzes ------------------------------------------------------------------------------------


@transaction.atomic
def quiz_save(*, actor, course: Course, data: dict) -> Quiz:
    """Create the course's quiz, or change it (title, instructions, pass mark, attempts)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    quiz = Quiz.objects.filter(course=course).first()
    created = quiz is None
    if created:
        quiz = Quiz(course=course)
    before = None if created else snapshot(quiz, QUIZ_LOG)
    _assign(quiz, data, QUIZ_FIELDS)
    _full_clean(quiz)
    quiz.save()
    summary = (
        _("Quiz added to the course “%(course)s”")
        if created
        else _("Quiz of the course “%(course)s” edited")
    )
    _log(
        actor, quiz, ADDED if created else CHANGED, summary % {"course": course.title},
        before=before, after=snapshot(quiz, QUIZ_LOG),
    )  # fmt: skip
    return quiz


@transaction.atomic
def quiz_delete(*, actor, course: Course) -> None:
    """Remove a course's quiz (with its questions): completing the lessons then completes the
    course. Refused once people have taken it: deleting it would erase their attempts and
    scores (change its questions or pass mark instead, or archive the course)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    # Locked before counting: an attempt being submitted now is counted or fails on commit.
    quiz = Quiz.objects.select_for_update().filter(course=course).first()
    if quiz is None:
        raise ValidationError(_("This course has no quiz."))
    references = quiz_references(quiz=quiz)
    if references:
        _refuse(
            _("People have taken this quiz, so it cannot be removed (their scores would be lost):"),
            references,
        )
    _log(
        actor, quiz, DELETED,
        _("Quiz removed from the course “%(course)s”") % {"course": course.title},
        before=_quiz_snapshot(quiz),
    )  # fmt: skip
    quiz.delete()


def _check_choices(kind: str, choices: list[dict]) -> list[dict]:
    """The choices that stay (not marked for removal), after the rules: at least two, texts
    given and different, at least one right answer, exactly one for a single-choice question."""
    kept = [c for c in choices if not c.get("delete")]
    for choice in kept:
        choice["text"] = (choice.get("text") or "").strip()
    kept = [c for c in kept if c["text"] or c.get("id")]
    if any(not c["text"] for c in kept):
        raise ValidationError(_("Every choice needs its text (or remove it)."))
    if len(kept) < 2:
        raise ValidationError(_("A question needs at least two choices."))
    texts = [c["text"].casefold() for c in kept]
    if len(set(texts)) != len(texts):
        raise ValidationError(_("Two choices have the same text."))
    right = sum(1 for c in kept if c.get("is_correct"))
    if right == 0:
        raise ValidationError(_("Mark at least one choice as correct."))
    if kind == QuestionKind.SINGLE and right != 1:
        raise ValidationError(
            _("A single-choice question has exactly one correct choice (or make it multiple).")
        )
    return kept


def _save_choices(question: Question, kept: list[dict]) -> None:
    """Change choices in place (past attempts store choice ids), add new ones, drop the rest."""
    existing = {c.pk: c for c in question.choices.all()}
    keep_ids = set()
    for position, data in enumerate(kept, start=1):
        pk = data.get("id")
        if pk:
            choice = existing.get(pk)
            if choice is None:
                raise ValidationError(_("A choice does not belong to this question."))
            keep_ids.add(pk)
        else:
            choice = Choice(question=question)
        choice.position, choice.text = position, data["text"]
        choice.is_correct = bool(data.get("is_correct"))
        choice.translations = data.get("translations") or {}
        _full_clean(choice)
        choice.save()
    Choice.objects.filter(pk__in=set(existing) - keep_ids).delete()


def _question_fields(
    question: Question, *, text: str, kind: str, explanation: str, translations: dict | None
) -> None:
    question.text = (text or "").strip()
    question.kind = kind
    question.explanation = explanation or ""
    question.translations = translations or {}
    if not question.text:
        raise ValidationError({"text": _("Write the question.")})
    _full_clean(question)


@transaction.atomic
def question_create(
    *,
    actor,
    quiz: Quiz,
    text: str,
    kind: str,
    explanation: str = "",
    choices: list[dict],
    translations: dict | None = None,
) -> Question:
    """A question at the end of the quiz with its choices (``{"text", "is_correct"}`` each)."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    last = Question.objects.filter(quiz=quiz).aggregate(m=Max("position"))["m"] or 0
    question = Question(quiz=quiz, position=last + 1)
    _question_fields(
        question, text=text, kind=kind, explanation=explanation, translations=translations
    )
    kept = _check_choices(kind, choices)
    question.save()
    _save_choices(question, kept)
    _log(
        actor, question, ADDED,
        _("Question added to the quiz of the course “%(course)s”") % {"course": quiz.course.title},
        after=_question_snapshot(question),
    )  # fmt: skip
    return question


@transaction.atomic
def question_update(
    *,
    actor,
    question: Question,
    text: str,
    kind: str,
    explanation: str = "",
    choices: list[dict],
    translations: dict | None = None,
) -> Question:
    """Change a question and its choices (``{"id", "text", "is_correct", "delete"}`` each; no
    id: a new choice)."""
    question = (
        Question.objects.select_for_update().select_related("quiz__course").get(pk=question.pk)
    )
    before = _question_snapshot(question)
    _question_fields(
        question, text=text, kind=kind, explanation=explanation, translations=translations
    )
    kept = _check_choices(kind, choices)
    question.save()
    _save_choices(question, kept)
    _log(
        actor, question, CHANGED,
        _("Question of the quiz of the course “%(course)s” edited")
        % {"course": question.quiz.course.title},
        before=before, after=_question_snapshot(question),
    )  # fmt: skip
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    """The quiz of a published course keeps at least one question (else nobody can pass it)."""
    quiz = Quiz.objects.select_for_update().select_related("course").get(pk=question.quiz_id)
    if quiz.course.is_published and quiz.questions.count() <= 1:
        raise ValidationError(_("The quiz of a published course needs at least one question."))
    question = Question.objects.select_for_update().get(pk=question.pk)
    _log(
        actor, question, DELETED,
        _("Question deleted from the quiz of the course “%(course)s”")
        % {"course": quiz.course.title},
        before=_question_snapshot(question),
    )  # fmt: skip
    question.delete()


# --- Certifications -----------------------------------------------------------------------------


def _check_certification(data: dict) -> None:
    errors = {}
    courses = list(data.get("courses") or [])
    if not courses:
        errors["courses"] = _("Choose the courses a person completes to earn it.")
    validity, window = data.get("validity_days"), data.get("renewal_window_days")
    if validity is not None and window is not None and window >= validity:
        errors["renewal_window_days"] = _(
            "The renewal window must be shorter than the validity period (%(days)s days)."
        ) % {"days": validity}
    drafts = [c.title for c in courses if not c.is_published]
    if data.get("is_published") and drafts:
        errors["courses"] = _(
            "A published certification needs published courses; these are drafts: %(names)s."
        ) % {"names": ", ".join(sorted(drafts))}
    if errors:
        raise ValidationError(errors)
    _check_audience(data)


@transaction.atomic
def certification_create(*, actor, data: dict) -> Certification:
    _check_certification(data)
    certification = Certification()
    _assign(certification, data, CERTIFICATION_FIELDS)
    _full_clean(certification)
    certification.save()
    _set_m2m(certification, data, ("courses", *AUDIENCE_M2M))
    _log(
        actor, certification, ADDED,
        _("Certification “%(name)s” created") % {"name": certification.name},
        after=snapshot(certification, CERTIFICATION_LOG),
    )  # fmt: skip
    return certification


@transaction.atomic
def certification_update(*, actor, certification: Certification, data: dict) -> Certification:
    """Change a certification. A new validity period applies to certificates earned or renewed
    from now on; certificates already issued keep their expiry."""
    _check_certification(data)
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    before = snapshot(certification, CERTIFICATION_LOG)
    _assign(certification, data, CERTIFICATION_FIELDS)
    _full_clean(certification)
    certification.save()
    _set_m2m(certification, data, ("courses", *AUDIENCE_M2M))
    _log(
        actor, certification, CHANGED,
        _("Certification “%(name)s” edited") % {"name": certification.name},
        before=before, after=snapshot(certification, CERTIFICATION_LOG),
    )  # fmt: skip
    return certification


@transaction.atomic
def certification_delete(*, actor, certification: Certification) -> None:
    """Delete a certification nobody holds and nothing names (unpublish it otherwise)."""
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    references = certification_references(certification=certification)
    if references:
        _refuse(_("The certification is still in use, so it cannot be deleted:"), references)
    _log(
        actor, certification, DELETED,
        _("Certification “%(name)s” deleted") % {"name": certification.name},
        before=snapshot(certification, CERTIFICATION_LOG),
    )  # fmt: skip
    try:
        with transaction.atomic():
            certification.delete()
    except ProtectedError as exc:
        # Another app's protecting foreign key to the certification that registered no reader
        found = sorted({str(obj) for obj in exc.protected_objects})
        _refuse(_("The certification is still in use, so it cannot be deleted:"), found)


# --- Resources ----------------------------------------------------------------------------------


def _check_resource(resource: Resource, data: dict) -> None:
    """Variants: a translation names an original (not itself, not another translation) in
    another language, one per language. Links need https, files go through the inspector."""
    original = data.get("variant_of")
    if original is not None:
        if resource.pk and original.pk == resource.pk:
            raise ValidationError({"variant_of": _("A resource cannot be a variant of itself.")})
        if original.variant_of_id is not None:
            raise ValidationError(
                {
                    "variant_of": _(
                        "“%(name)s” is itself a translation; choose its original, “%(root)s”."
                    )
                    % {"name": original.title, "root": original.variant_of.title}
                }
            )
        if resource.pk and Resource.objects.filter(variant_of=resource).exists():
            raise ValidationError(
                {
                    "variant_of": _(
                        "This resource has translations of its own; it stays an original."
                    )
                }
            )
        language = data.get("language", resource.language)
        if language == original.language:
            raise ValidationError(
                {"language": _("The original is already in this language; choose another.")}
            )
        taken = Resource.objects.filter(variant_of=original, language=language).exclude(
            pk=resource.pk
        )
        if taken.exists():
            raise ValidationError(
                {
                    "language": _("“%(name)s” already has a variant in this language.")
                    % {"name": original.title}
                }
            )
    _check_audience(data)


def _store_file(resource: Resource, upload) -> None:
    try:
        info = inspect_upload(upload, name=upload.name)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    resource.file = upload
    resource.file_name, resource.file_type, resource.file_size = (
        info.name,
        info.content_type,
        info.size,
    )


def _save_resource(*, actor, resource: Resource, data: dict) -> Resource:
    before = snapshot(resource, RESOURCE_LOG) if resource.pk else None
    _check_resource(resource, data)
    _assign(resource, data, RESOURCE_FIELDS)
    if data.get("file"):
        _store_file(resource, data["file"])
    if resource.kind == ResourceKind.LINK and resource.file:
        resource.file = ""  # a link keeps no file
        resource.file_name = resource.file_type = ""
        resource.file_size = 0
    _full_clean(resource, exclude=["file"])
    resource.save()
    _set_m2m(resource, data, ("tags", "offerings", *AUDIENCE_M2M))
    summary = _("Resource “%(title)s” edited") if before else _("Resource “%(title)s” added")
    _log(
        actor, resource, CHANGED if before else ADDED, summary % {"title": resource.title},
        before=before, after=snapshot(resource, RESOURCE_LOG),
    )  # fmt: skip
    return resource


@transaction.atomic
def resource_create(*, actor, data: dict) -> Resource:
    """A new resource; ``data["file"]`` is the upload (documents, images, videos)."""
    return _save_resource(actor=actor, resource=Resource(), data=data)


@transaction.atomic
def resource_update(*, actor, resource: Resource, data: dict) -> Resource:
    """Change a resource; a new ``data["file"]`` replaces the stored one."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    return _save_resource(actor=actor, resource=resource, data=data)


@transaction.atomic
def resource_delete(*, actor, resource: Resource) -> None:
    """Delete a resource; an original with translations is refused (they would lose it)."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    variants = list(
        Resource.objects.filter(variant_of=resource)
        .order_by("language")
        .values_list("title", "language")
    )
    if variants:
        _refuse(
            _("Delete or re-attach its translations first:"),
            [f"“{title}” ({language})" for title, language in variants],
        )
    _log(
        actor, resource, DELETED, _("Resource “%(title)s” deleted") % {"title": resource.title},
        before=snapshot(resource, RESOURCE_LOG),
    )  # fmt: skip
    resource.delete()
