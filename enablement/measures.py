"""The tier measures enablement knows: certified people (optionally of one certification) and
completed courses. Registered from ``EnablementConfig.ready()`` with ``partners.measures``; the
tiers app reads them by key and never imports enablement."""

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from enablement import selectors
from enablement.models import Certification, Course
from partners.measures import Measure, Unit, number_text, register

CERTIFIED_USERS = "certified_users"
COMPLETED_COURSES = "completed_courses"


def _certified(*, partner_ids, at, subject_ids, partners):
    """People with a valid certificate, per partner and per (partner, certification): two
    grouped queries at most."""
    total, by_cert = selectors.certified_people_by_partner(
        partner_ids=partner_ids, at=at, certification_ids=subject_ids
    )
    return {CERTIFIED_USERS: {**total, **by_cert}}


def _courses(*, partner_ids, at, subject_ids, partners):
    return {
        COMPLETED_COURSES: selectors.completed_courses_by_partner(partner_ids=partner_ids, at=at)
    }


def _courses_between(*, partner_ids, since, until, subject_ids, partners):
    """Distinct courses completed in ``(since, until]`` (a business plan's period)."""
    return {
        COMPLETED_COURSES: selectors.completed_courses_by_partner(
            partner_ids=partner_ids, at=until, since=since
        )
    }


def _subjects(ids) -> dict[int, Certification]:
    """The certifications, each with the slug and title of its first course (for the "Take
    <course>" action). One query."""
    first = Course.objects.filter(certifications=OuterRef("pk")).order_by("title", "pk")
    rows = Certification.objects.filter(pk__in=ids).annotate(
        first_course_slug=Subquery(first.values("slug")[:1]),
        first_course_title=Subquery(first.values("title")[:1]),
    )
    return {c.pk: c for c in rows}


def _certification_choices() -> list[tuple[int, str]]:
    """Every certification, drafts marked, for the tier setup pages' select. One query. (A
    certification partners of the program cannot earn is refused by ``_check_certified``.)"""
    rows = Certification.objects.order_by("name", "pk").values_list("pk", "name", "is_published")
    return [(pk, name if published else _("%(name)s (draft)") % {"name": name})
            for pk, name, published in rows]  # fmt: skip


def _certification_by_reference(reference: str) -> int | None:
    certification = selectors.certification_by_reference(reference)
    return certification.pk if certification is not None else None


def _describe_certified(*, current, minimum, subject):
    text = _("%(current)s of %(minimum)s certified people") % {
        "current": number_text(current),
        "minimum": number_text(minimum),
    }
    if subject is not None:
        text += f" ({subject.name})"
    if subject is not None and subject.first_course_slug:
        url = reverse("enablement:course_detail", args=[subject.first_course_slug])
        return text, _("Take %(course)s") % {"course": subject.first_course_title}, url
    return text, _("Get certified"), reverse("enablement:catalog")


def _describe_courses(*, current, minimum, subject):
    text = _("%(current)s of %(minimum)s courses completed") % {
        "current": number_text(current),
        "minimum": number_text(minimum),
    }
    return text, _("Browse courses"), reverse("enablement:catalog")


def _check_certified(*, tier, minimum, subject_id):
    """A certification partners of the program cannot earn before the tier is refused."""
    if not subject_id or selectors.certification_open_below_tier(
        tier=tier, certification_id=subject_id
    ):
        return {}
    certification = Certification.objects.filter(pk=subject_id).first()
    return {
        "certification": _(
            "Partners of %(program)s cannot earn %(certification)s before %(tier)s: it "
            "is not published, is for other programs, or is gated at %(tier)s or above."
        )
        % {
            "program": tier.program.name,
            "certification": certification if certification is not None else subject_id,
            "tier": tier.name,
        }
    }


def _check_courses(*, tier, minimum, subject_id):
    """More courses than are open to the program below the tier is refused."""
    open_courses = selectors.course_count_open_below_tier(tier=tier)
    if minimum <= open_courses:
        return {}
    return {
        "minimum": ngettext(
            "Only %(n)s published course is open to partners of %(program)s "
            "before %(tier)s: none could complete %(minimum)s. Publish or open "
            "more courses, or lower the minimum.",
            "Only %(n)s published courses are open to partners of %(program)s "
            "before %(tier)s: none could complete %(minimum)s. Publish or open "
            "more courses, or lower the minimum.",
            open_courses,
        )
        % {
            "n": open_courses,
            "program": tier.program.name,
            "tier": tier.name,
            "minimum": number_text(minimum),
        }
    }


def _warn_courses(*, tier, minimum) -> list[str]:
    """One line per partner type that sees fewer courses below ``tier`` than ``minimum`` (one
    query per partner type, admin only)."""
    from partners.models import PartnerType

    warnings = []
    for partner_type in PartnerType.objects.order_by("name"):
        n = selectors.course_count_open_below_tier(tier=tier, partner_type_id=partner_type.pk)
        if minimum > n:
            warnings.append(
                ngettext(
                    "%(tier)s asks for %(minimum)s completed courses, but only %(n)s is open to "
                    "%(type)s partners before %(tier)s: they cannot reach it.",
                    "%(tier)s asks for %(minimum)s completed courses, but only %(n)s are open to "
                    "%(type)s partners before %(tier)s: they cannot reach it.",
                    n,
                )
                % {
                    "tier": tier.name,
                    "minimum": number_text(minimum),
                    "n": n,
                    "type": partner_type.name,
                }
            )
    return warnings


def _blockers(*, partner, requirements, subjects) -> dict[int, str]:
    """The unmet course and certification requirements ``partner`` cannot meet with what it sees
    today: one query (a UNION) for both measures."""
    courses = [r for r in requirements if r.metric == COMPLETED_COURSES]
    certified = [r for r in requirements if r.metric == CERTIFIED_USERS and r.subject_id]
    if not courses and not certified:
        return {}
    reach, open_ids = selectors.tier_reach_for_partner(
        partner=partner,
        courses=bool(courses),
        certification_ids={r.subject_id for r in certified},
    )
    blocked: dict[int, str] = {}
    name = partner.name
    for r in courses:
        if r.minimum > reach:
            blocked[r.pk] = ngettext(
                "Cannot be met as it stands: only %(n)s course is open to %(partner)s.",
                "Cannot be met as it stands: only %(n)s courses are open to %(partner)s.",
                reach,
            ) % {"n": reach, "partner": name}
    for r in certified:
        if r.subject_id not in open_ids:
            certification = subjects.get((CERTIFIED_USERS, r.subject_id), r.subject_id)
            blocked[r.pk] = _(
                "Cannot be met as it stands: %(certification)s is not open to %(partner)s."
            ) % {"certification": certification, "partner": name}
    return blocked


def register_measures() -> None:
    """Called from ``EnablementConfig.ready()``."""
    register(
        Measure(
            key=CERTIFIED_USERS,
            label=gettext_lazy("Certified people"),
            counting=gettext_lazy(
                "People who hold a certificate that is neither revoked nor expired and are still "
                "active members of the partner; with a certification chosen, its holders only."
            ),
            unit=Unit.COUNT,
            compute=_certified,
            describe=_describe_certified,
            subject="certification",
            subjects=_subjects,
            subject_by_reference=_certification_by_reference,
            subject_choices=_certification_choices,
            check=_check_certified,
            blockers=_blockers,
        )
    )
    register(
        Measure(
            key=COMPLETED_COURSES,
            label=gettext_lazy("Courses completed"),
            counting=gettext_lazy("Distinct courses completed by the partner's people."),
            unit=Unit.COUNT,
            compute=_courses,
            compute_between=_courses_between,
            describe=_describe_courses,
            check=_check_courses,
            warnings=_warn_courses,
            blockers=_blockers,
        )
    )
