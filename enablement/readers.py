"""What enablement tells other apps through ``partners.readers``, registered from
``EnablementConfig.ready()``: the courses and certifications an onboarding checklist step can
name (``step_subjects``, keyed by the step kind), so onboarding checks a step without importing
enablement."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from enablement import selectors
from enablement.models import Certificate, Certification
from partners.readers import (
    PartnerListFilter,
    StepSubject,
    partner_list_filters,
    readers,
    step_subject_choices,
    step_subjects,
)


def _course_url(course) -> str:
    return course.get_absolute_url()


def _certification_url(certification) -> str:
    """A certification is earned by completing its courses: the page of the first of them."""
    course = certification.courses.order_by("title").first()
    return course.get_absolute_url() if course is not None else reverse("enablement:catalog")


def _subject_reader(lookup, url_of):
    def read(reference: str, *, audience: dict | None = None) -> StepSubject | None:
        found = lookup(reference)
        if found is None:
            return None
        visible = None
        if audience is not None and found.is_published:
            visible = selectors.open_to_audience(found, **audience)
        return StepSubject(
            pk=found.pk,
            name=str(found),
            published=found.is_published,
            open_to_audience=visible,
            url=url_of(found) if found.is_published else "",
        )

    return read


course_subject = _subject_reader(selectors.course_by_reference, _course_url)
certification_subject = _subject_reader(selectors.certification_by_reference, _certification_url)


def _subject_lister(model_name: str):
    def choices(*, audience: dict | None = None) -> list[StepSubject]:
        items = selectors.open_to_audience_list(model_name, **(audience or {}))
        return [
            StepSubject(
                pk=item.pk,
                name=str(item),
                published=True,
                open_to_audience=None if audience is None else True,
            )
            for item in items
        ]

    return choices


course_choices = _subject_lister("course")
certification_choices = _subject_lister("certification")


def certificates_expiring(*, partners, as_of, within_days: int) -> dict[int, dict[str, int]]:
    """Per partner of ``partners`` with a certificate held at the moment ``as_of`` (aware): how
    many it held then (``held``: earned by then, not revoked by then, not expired by then) and how
    many of those expire within ``within_days`` after it (``expiring``). Only what was known at
    ``as_of``: a certificate renewed after it counts with the expiry it had before, taken as its
    renewal moment (renewals replace the expiry date). One query. Metrics' churn features."""
    limit = as_of + timedelta(days=within_days)
    renewed_later = Q(renewed_at__gt=as_of)
    held = (
        Q(earned_at__lte=as_of)
        & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=as_of))
        & (renewed_later | Q(expires_at__gt=as_of))
    )
    expiring = (renewed_later & Q(renewed_at__lte=limit)) | (
        ~renewed_later & Q(expires_at__lte=limit)
    )
    rows = (
        Certificate.objects.filter(held, partner__in=partners)
        .order_by()
        .values("partner_id")
        .annotate(held=Count("pk"), expiring=Count("pk", filter=expiring))
    )
    return {r["partner_id"]: {"held": r["held"], "expiring": r["expiring"]} for r in rows}


def register() -> None:
    readers.register("enablement.certificates_expiring", certificates_expiring)
    # The keys are onboarding's StepKind values for these steps.
    step_subjects.register("course", course_subject)
    step_subjects.register("certification", certification_subject)
    step_subject_choices.register("course", course_choices)
    step_subject_choices.register("certification", certification_choices)
    register_list_filters()


# --- The partner list's "certification held" filter (partners.readers.partner_list_filters) ------
def _certification_filter_choices() -> list[tuple[str, str]]:
    """Every certification (drafts too: people may hold one that was unpublished later)."""
    return [(str(pk), name) for pk, name in Certification.objects.values_list("pk", "name")]


def _certification_filter_condition(*, value: str, state=None):
    """Partners with at least one active person holding a valid certificate of ``value`` (not
    revoked, not expired)."""
    return Exists(
        Certificate.objects.filter(
            partner=OuterRef("pk"),
            certification_id=int(value),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
    )


def register_list_filters() -> None:
    partner_list_filters.register(
        "certification",
        PartnerListFilter(
            choices=_certification_filter_choices,
            condition=_certification_filter_condition,
            choice_models=("enablement.certification",),
        ),
    )
