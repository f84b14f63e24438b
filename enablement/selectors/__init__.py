"""Reads scoped to the requesting user.

The audience rule (program, partner type, minimum tier) lives here, in ``visible_to``, and every
list, detail, download and search goes through it: an item outside a partner's audience answers
404 exactly like an item that does not exist. Vendor staff see everything, drafts included
(that is the authoring preview).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone, translation

from enablement.choices import ReminderKind
from enablement.models import (
    Certificate,
    CertificateReminder,
    Certification,
    Course,
    Enrollment,
    Lesson,
    LibraryVisit,
    Quiz,
    QuizAttempt,
    Resource,
    ResourceCategory,
    Tag,
)
from kernel.translations import language_keys, translated
from partners.permissions import is_vendor_staff
from partners.selectors import membership_for_user, partner_get_for_user


@dataclass(frozen=True)
class Viewer:
    """Who is looking: vendor staff (everything), a partner member (their audience) or nobody."""

    staff: bool
    partner: object | None  # partners.Partner with tier loaded

    @property
    def can_see_anything(self) -> bool:
        return self.staff or self.partner is not None


def viewer_for(user) -> Viewer:
    cached = getattr(user, "_enablement_viewer", None)
    if cached is not None:
        return cached
    if is_vendor_staff(user):
        viewer = Viewer(staff=True, partner=None)
    else:
        membership = membership_for_user(user) if user.is_active else None
        partner = partner_get_for_user(user=user, pk=membership.partner_id) if membership else None
        viewer = Viewer(staff=False, partner=partner)
    if user.is_authenticated:
        user._enablement_viewer = viewer
    return viewer


def viewer_prime(*, user, partner) -> None:
    """Let a page that already loaded the user's own partner (tier selected) share it."""
    membership = membership_for_user(user) if user.is_authenticated else None
    if (
        membership is not None
        and partner is not None
        and partner.pk == membership.partner_id
        and user.is_active
        and not is_vendor_staff(user)
    ):
        user._enablement_viewer = Viewer(staff=False, partner=partner)


def visible_to(qs: QuerySet, *, viewer: Viewer) -> QuerySet:
    """Filter courses, certifications or resources to what this viewer may see."""
    if viewer.staff:
        return qs
    partner = viewer.partner
    if partner is None:
        return qs.none()
    model = qs.model
    name = model._meta.model_name
    programs = model.programs.through.objects.filter(**{name: OuterRef("pk")})
    types = model.partner_types.through.objects.filter(**{name: OuterRef("pk")})
    qs = qs.filter(is_published=True).filter(
        ~Exists(programs) | Exists(programs.filter(program_id=partner.program_id)),
        ~Exists(types) | Exists(types.filter(partnertype_id=partner.partner_type_id)),
    )
    tier_q = Q(min_tier__isnull=True)
    if partner.tier_id is not None:
        # "This tier or higher": a minimum tier of the partner's own program at or below its rank.
        tier_q |= Q(
            min_tier__program_id=partner.tier.program_id, min_tier__rank__lte=partner.tier.rank
        )
    return qs.filter(tier_q)


# --- Courses ------------------------------------------------------------------------------------


def _lesson_count():
    return Coalesce(
        Subquery(
            Lesson.objects.filter(course=OuterRef("pk"))
            .order_by()
            .values("course")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _my_enrollments(user) -> Prefetch:
    return Prefetch(
        "enrollments",
        queryset=Enrollment.objects.filter(user=user).annotate(done_count=Count("done")),
        to_attr="my_enrollments",
    )


def course_list_for_user(*, user) -> QuerySet[Course]:
    """Visible courses with ``lesson_count`` and ``my_enrollments`` (0 or 1, with done_count)."""
    viewer = viewer_for(user)
    qs = Course.objects.annotate(lesson_count=_lesson_count()).prefetch_related("offerings")
    if user.is_authenticated:
        qs = qs.prefetch_related(_my_enrollments(user))
    return visible_to(qs, viewer=viewer).order_by("-required_for_onboarding", "title")


def course_get_for_user(*, user, slug: str) -> Course:
    course = course_list_for_user(user=user).filter(slug=slug).first()
    if course is None:
        raise Http404("No such course.")
    return course


def lesson_list_for_course(*, course: Course) -> list[Lesson]:
    return list(course.lessons.all())


def lesson_get_for_user(*, user, course: Course, pk: int) -> Lesson:
    lesson = Lesson.objects.filter(course=course, pk=pk).first()
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def lesson_get_for_download(*, user, pk: int) -> Lesson:
    lesson = Lesson.objects.select_related("course").filter(pk=pk).exclude(attachment="").first()
    if lesson is None or not course_list_for_user(user=user).filter(pk=lesson.course_id).exists():
        raise Http404("No such file.")
    return lesson


def enrollment_for(*, user, course: Course) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


def done_lesson_ids(*, enrollment: Enrollment | None) -> set[int]:
    if enrollment is None:
        return set()
    return set(enrollment.done.values_list("lesson_id", flat=True))


def courses_in_progress_for_user(*, user, limit: int = 5) -> list[Enrollment]:
    """Started, unfinished courses still visible to the user, most recent first."""
    visible = course_list_for_user(user=user).values("pk")
    return list(
        Enrollment.objects.filter(user=user, completed_at__isnull=True, course__in=visible)
        .select_related("course", "last_lesson")
        .annotate(
            done_count=Count("done", distinct=True),
            lesson_count=Count("course__lessons", distinct=True),
        )
        .order_by("-last_activity_at")[:limit]
    )


# --- Quizzes ------------------------------------------------------------------------------------


def quiz_for_course(*, course: Course) -> Quiz | None:
    try:
        return course.quiz
    except Quiz.DoesNotExist:
        return None


def quiz_questions_public(*, quiz: Quiz) -> list[dict]:
    """The questions as the browser may see them: text and choices, never which are correct."""
    questions = quiz.questions.prefetch_related("choices")
    return [
        {
            "id": q.pk,
            "text": translated(q, "text"),
            "kind": q.kind,
            "choices": [{"id": c.pk, "text": translated(c, "text")} for c in q.choices.all()],
        }
        for q in questions
    ]


def attempt_list_for_user(*, user, quiz: Quiz, cycle: int) -> list[QuizAttempt]:
    return list(QuizAttempt.objects.filter(user=user, quiz=quiz, cycle=cycle).order_by("number"))


def attempt_get_for_user(*, user, pk: int) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.select_related("quiz__course").filter(pk=pk, user=user).first()
        if user.is_authenticated
        else None
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


# --- Certifications -----------------------------------------------------------------------------


def certification_list_for_user(*, user) -> QuerySet[Certification]:
    return visible_to(
        Certification.objects.prefetch_related("courses"), viewer=viewer_for(user)
    ).order_by("name")


def certificate_list_for_user(*, user) -> QuerySet[Certificate]:
    """The user's own certificates."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(user=user).select_related("certification")


def certificate_get_for_user(*, user, code: str) -> Certificate:
    """The holder, an admin of the holder's partner, or vendor staff; anyone else gets 404."""
    certificate = (
        Certificate.objects.select_related("certification", "user")
        .filter(code=code.upper())
        .first()
    )
    if certificate is None or not user.is_authenticated:
        raise Http404("No such certificate.")
    if certificate.user_id == user.pk or is_vendor_staff(user):
        return certificate
    membership = membership_for_user(user)
    if membership and membership.is_admin and membership.partner_id == certificate.partner_id:
        return certificate
    raise Http404("No such certificate.")


def certificate_get_public(*, code: str) -> Certificate | None:
    """For the public verification page: looked up by its code only."""
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    return Certificate.objects.select_related("certification").filter(code=code).first()


def _active_certificates(at: datetime | None = None) -> QuerySet[Certificate]:
    at = at or timezone.now()
    return Certificate.objects.filter(revoked_at__isnull=True, expires_at__gt=at)


def certified_user_count(
    *, partner_id: int, certification_slug: str | None = None, at: datetime | None = None
) -> int:
    """People of a partner holding a valid certificate (tier metric ``certified_users``).

    Counts current members only: someone who left the partner no longer counts for it.
    """
    return certified_user_counts(
        partner_ids=[partner_id], certification_slug=certification_slug, at=at
    ).get(partner_id, 0)


def certified_user_counts(
    *, partner_ids, certification_slug: str | None = None, at: datetime | None = None
) -> dict[int, int]:
    """``certified_user_count`` for many partners in one query."""
    qs = _active_certificates(at).filter(
        partner_id__in=partner_ids, user__membership__partner_id=F("partner_id")
    )
    if certification_slug:
        qs = qs.filter(certification__slug=certification_slug)
    rows = qs.order_by().values("partner_id").annotate(n=Count("user_id", distinct=True))
    return {row["partner_id"]: row["n"] for row in rows}


def completed_course_counts(*, partner_ids) -> dict[int, int]:
    """Course completions per partner (tier metric ``completed_courses``), by current members."""
    rows = (
        Enrollment.objects.filter(
            partner_id__in=partner_ids,
            completed_at__isnull=False,
            user__membership__partner_id=F("partner_id"),
        )
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
    )
    return {row["partner_id"]: row["n"] for row in rows}


def partner_enablement_summary(*, partner_id: int) -> dict:
    """Counts for a partner's page: two queries whatever the partner's size."""
    progress = Enrollment.objects.filter(
        partner_id=partner_id, user__membership__partner_id=partner_id
    ).aggregate(
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
        in_progress=Count("pk", filter=Q(completed_at__isnull=True)),
    )
    return {
        "certified_users": certified_user_count(partner_id=partner_id),
        "completed_courses": progress["completed"],
        "in_progress": progress["in_progress"],
    }


def certificates_due_for_reminder(*, now: datetime) -> list[Certificate]:
    """Valid certificates inside their renewal window with no reminder sent for this expiry."""
    widest = Certification.objects.aggregate(m=Max("renewal_window_days"))["m"] or 0
    already = CertificateReminder.objects.filter(
        certificate=OuterRef("pk"), kind=ReminderKind.EXPIRING, expires_at=OuterRef("expires_at")
    )
    candidates = (
        _active_certificates(now)
        .filter(expires_at__lte=now + timedelta(days=widest))
        .exclude(Exists(already))
        .select_related("certification", "user")
    )
    return [c for c in candidates.iterator(chunk_size=500) if c.renewal_opens_at <= now]


def certificates_newly_expired(*, now: datetime) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        revoked_at__isnull=True, expires_at__lte=now, expired_recorded_at__isnull=True
    ).select_related("certification", "user")


# --- Resource library ---------------------------------------------------------------------------


def resource_list_for_user(
    *,
    user,
    query: str = "",
    category: str = "",
    language: str = "",
    tag: str = "",
    every_language: bool = False,
) -> QuerySet[Resource]:
    """The resources ``user`` may see. Without a ``language`` filter, a group of variants shows
    in the reader's language where it has one (``every_language``: every variant)."""
    qs = visible_to(
        Resource.objects.select_related("category").prefetch_related("tags"),
        viewer=viewer_for(user),
    )
    if category:
        qs = qs.filter(category__slug=category)
    if language:
        qs = qs.filter(language=language)
    elif not every_language:
        qs = _prefer_reader_language(qs, viewer=viewer_for(user))
    if tag:
        qs = qs.filter(tags__slug=tag)
    if query:
        qs = resource_search(qs, query=query)
    return qs


def _prefer_reader_language(qs: QuerySet[Resource], *, viewer) -> QuerySet[Resource]:
    """Where a resource has a variant in the reader's language (the active one) that the reader
    may see, the list shows that variant and leaves the group's other languages out; a group
    without one shows as before. (Courses, lessons, steps and tiers do the same per field:
    ``kernel.translations.translated``.)"""
    codes = language_keys(translation.get_language())
    if not codes:
        return qs
    in_language = visible_to(Resource.objects.all(), viewer=viewer).filter(
        Q(pk=OuterRef("language_root")) | Q(variant_of_id=OuterRef("language_root")),
        language__in=codes,
    )
    return qs.annotate(language_root=Coalesce("variant_of_id", "pk")).filter(
        Q(language__in=codes) | ~Exists(in_language)
    )


def resource_search(qs: QuerySet[Resource], *, query: str) -> QuerySet[Resource]:
    """Full-text search on Postgres (ranked, on the GIN-indexed vector); ``icontains`` on SQLite.
    Either way a resource tagged with a searched word matches too."""
    query = query.strip()[:200]
    if not query:
        return qs
    words = query.split()[:8]
    tag_q = Q()
    for word in words:
        tag_q |= Q(name__icontains=word)
    tag_links = Resource.tags.through.objects.filter(tag__in=Tag.objects.filter(tag_q))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        # The tagged ids first (a small indexed query), so the planner can OR two index scans
        # (GIN + primary key) instead of falling back to a sequential scan.
        tagged_ids = list(tag_links.values_list("resource_id", flat=True)[:1000])
        vector = resource_search_vector()
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            qs.annotate(search=vector, rank=SearchRank(vector, search))
            .filter(Q(search=search) | Q(pk__in=tagged_ids))
            .order_by("-rank", "-published_at")
        )
    tagged = Exists(tag_links.filter(resource=OuterRef("pk")))
    matches = Q()
    for word in words:
        matches &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
    return qs.filter(matches | tagged)


def resource_search_vector():
    """The expression the GIN index in migration 0002 is built on (keep them identical)."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )


def resource_get_for_user(*, user, pk: int) -> Resource:
    resource = resource_list_for_user(user=user, every_language=True).filter(pk=pk).first()
    if resource is None:
        raise Http404("No such resource.")
    return resource


def resource_variants_for_user(*, user, resource: Resource) -> list[Resource]:
    """Other languages of the same resource that the user may see."""
    root = resource.variant_of_id or resource.pk
    return list(
        resource_list_for_user(user=user, every_language=True)
        .filter(Q(pk=root) | Q(variant_of_id=root))
        .exclude(pk=resource.pk)
        .order_by("language")
    )


def category_list() -> list[ResourceCategory]:
    return list(ResourceCategory.objects.all())


def library_new_since(*, user) -> datetime | None:
    visit = LibraryVisit.objects.filter(user=user).first() if user.is_authenticated else None
    return visit.new_since if visit else None


# --- Tier measures (enablement.measures) ----------------------------------------------------


def certified_people_by_partner(
    *, partner_ids, at, certification_ids=()
) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """People who hold a valid (not revoked, not expired at ``at``) certificate and still belong
    to the partner and are active: per partner, and per (partner, certification) for
    ``certification_ids``. Two grouped queries at most."""
    valid = Certificate.objects.filter(
        partner_id__in=partner_ids,
        revoked_at__isnull=True,
        expires_at__gt=at,
        earned_at__lte=at,
        user__is_active=True,
        user__membership__partner_id=F("partner_id"),
    ).order_by()
    total = {
        r["partner_id"]: r["n"]
        for r in valid.values("partner_id").annotate(n=Count("user_id", distinct=True))
    }
    by_cert = {}
    if certification_ids:
        rows = (
            valid.filter(certification_id__in=certification_ids)
            .values("partner_id", "certification_id")
            .annotate(n=Count("user_id", distinct=True))
        )
        by_cert = {(r["partner_id"], r["certification_id"]): r["n"] for r in rows}
    return total, by_cert


def completed_courses_by_partner(*, partner_ids, at, since=None) -> dict[int, int]:
    """Distinct courses each partner's people completed by ``at`` (and after ``since`` when
    given). One grouped query."""
    done = Enrollment.objects.filter(
        partner_id__in=partner_ids, completed_at__isnull=False, completed_at__lte=at
    )
    if since is not None:
        done = done.filter(completed_at__gt=since)
    rows = done.order_by().values("partner_id").annotate(n=Count("course_id", distinct=True))
    return {r["partner_id"]: r["n"] for r in rows}


# --- References from other apps' settings (checklist steps, tier requirements) -------------------


def course_by_reference(reference: str) -> Course | None:
    """The course an admin named in a form, by its id or its slug (drafts included)."""
    return _by_reference(Course, reference)


def certification_by_reference(reference: str) -> Certification | None:
    """The certification an admin named in a form, by its id or its slug (drafts included)."""
    return _by_reference(Certification, reference)


def _by_reference(model, reference: str):
    reference = (reference or "").strip()
    if not reference:
        return None
    if reference.isdigit():
        # a number beyond any id names nothing (and must not reach the database as one)
        return model.objects.filter(pk=int(reference)).first() if len(reference) < 19 else None
    return model.objects.filter(slug=reference).first()


# --- Reach of tier requirements (enablement.measures) ---------------------------------------


def _open_below_tier(qs: QuerySet, *, tier, partner_type_id: int | None = None) -> QuerySet:
    """Published items a partner of ``tier``'s program can see before holding ``tier``: open to
    the program (to ``partner_type_id``, else to any type) and gated, if at all, at a lower tier
    of that program."""
    name = qs.model._meta.model_name
    programs = qs.model.programs.through.objects.filter(**{name: OuterRef("pk")})
    if partner_type_id is not None:
        types = qs.model.partner_types.through.objects.filter(**{name: OuterRef("pk")})
        qs = qs.filter(~Exists(types) | Exists(types.filter(partnertype_id=partner_type_id)))
    return qs.filter(is_published=True).filter(
        ~Exists(programs) | Exists(programs.filter(program_id=tier.program_id)),
        Q(min_tier__isnull=True)
        | Q(min_tier__program_id=tier.program_id, min_tier__rank__lt=tier.rank),
    )


def course_count_open_below_tier(*, tier, partner_type_id: int | None = None) -> int:
    """How many courses a partner (of ``partner_type_id``, else of any type) can complete on its
    way to ``tier``: the most a ``completed_courses`` requirement of that tier can ask for. One
    query."""
    return _open_below_tier(
        Course.objects.all(), tier=tier, partner_type_id=partner_type_id
    ).count()


def certification_open_below_tier(*, tier, certification_id: int) -> bool:
    """Whether a partner can earn the certification ``certification_id`` on its way to ``tier``
    (False when there is no such certification). One query."""
    return _open_below_tier(Certification.objects.filter(pk=certification_id), tier=tier).exists()


def tier_reach_for_partner(
    *, partner, courses: bool, certification_ids=()
) -> tuple[int | None, set[int]]:
    """What ``partner`` can still reach with what it sees today, for its tier progress:
    (the most distinct courses it can count as completed: those its people completed plus those
    open to it, or None when ``courses`` is False; which of ``certification_ids`` it may earn).
    One query (a UNION), none when nothing is asked."""
    viewer = Viewer(staff=False, partner=partner)
    tag = CharField(max_length=1)
    parts = []
    if courses:
        parts.append(
            visible_to(Course.objects.all(), viewer=viewer)
            .order_by()
            .values_list("pk", Value("c", output_field=tag))
        )
        parts.append(
            Enrollment.objects.filter(partner_id=partner.pk, completed_at__isnull=False)
            .order_by()
            .values_list("course_id", Value("c", output_field=tag))
        )
    if certification_ids:
        parts.append(
            visible_to(Certification.objects.filter(pk__in=list(certification_ids)), viewer=viewer)
            .order_by()
            .values_list("pk", Value("z", output_field=tag))
        )
    if not parts:
        return None, set()
    rows = set(parts[0].union(*parts[1:]))  # UNION drops the duplicate (course, "c") rows
    reach = sum(1 for _, kind in rows if kind == "c") if courses else None
    return reach, {pk for pk, kind in rows if kind == "z"}


def open_to_audience(item, *, program_id=None, partner_type_id=None, tier=None) -> bool:
    """Whether a course or certification is open to partners of a program, a partner type and a
    tier (None: not narrowed, so anything of that item's audience may match). For checking what
    a setting of another app names (an onboarding step of a targeted template). Two queries."""
    if program_id is not None:
        programs = set(item.programs.values_list("pk", flat=True))
        if programs and program_id not in programs:
            return False
    if partner_type_id is not None:
        types = set(item.partner_types.values_list("pk", flat=True))
        if types and partner_type_id not in types:
            return False
    if tier is not None and item.min_tier_id is not None:
        gate = item.min_tier
        return gate.program_id == tier.program_id and gate.rank <= tier.rank
    return True


def open_to_audience_list(model_name: str, *, program_id=None, partner_type_id=None, tier=None):
    """The published courses (``model_name`` "course") or certifications ("certification") open
    to partners of a program, a partner type and a tier, by the rules of ``open_to_audience``
    (None: not narrowed), ordered by name: what an onboarding step may name. One query."""
    model = {"course": Course, "certification": Certification}[model_name]
    qs = model.objects.filter(is_published=True)
    if program_id is not None:
        programs = model.programs.through.objects.filter(**{model_name: OuterRef("pk")})
        qs = qs.filter(~Exists(programs) | Exists(programs.filter(program_id=program_id)))
    if partner_type_id is not None:
        types = model.partner_types.through.objects.filter(**{model_name: OuterRef("pk")})
        qs = qs.filter(~Exists(types) | Exists(types.filter(partnertype_id=partner_type_id)))
    if tier is not None:
        qs = qs.filter(
            Q(min_tier__isnull=True)
            | Q(min_tier__program_id=tier.program_id, min_tier__rank__lte=tier.rank)
        )
    return list(qs.order_by("title" if model is Course else "name", "pk"))
