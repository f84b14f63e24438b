"""Reads for onboarding, scoped to the requesting user. Outsiders get 404, never 403."""

from datetime import timedelta

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from onboarding.choices import StepStatus
from onboarding.models import (
    Agreement,
    ChecklistDocument,
    ChecklistStep,
    ChecklistTemplate,
    OnboardingSurvey,
    PartnerApplication,
    PartnerChecklist,
)
from partners.choices import MemberRole
from partners.models import Partner
from partners.permissions import can_reassign_owner, is_vendor_staff
from partners.selectors import (
    membership_for_user,
    partner_get_for_user,
    partner_list_for_user,
    team_list_for_partner,
)


def template_for_partner(*, partner) -> ChecklistTemplate | None:
    """The most specific active template whose targeting (program, type, tier; empty = any)
    matches the partner; among equals the newest."""
    ranked = templates_for_audience(
        program_id=partner.program_id,
        partner_type_id=partner.partner_type_id,
        tier_id=partner.tier_id,
    )
    return ranked[0] if ranked else None


def templates_for_audience(*, program_id, partner_type_id, tier_id) -> list[ChecklistTemplate]:
    """The active templates that match a partner of this program, type and tier, the one it
    gets first (most specific, then the newest). One query."""
    candidates = ChecklistTemplate.objects.filter(
        Q(program__isnull=True) | Q(program_id=program_id),
        Q(partner_type__isnull=True) | Q(partner_type_id=partner_type_id),
        Q(tier__isnull=True) | Q(tier_id=tier_id),
        is_active=True,
    ).select_related("program", "partner_type", "tier")
    return sorted(candidates, key=lambda t: (t.specificity, t.updated_at, t.pk), reverse=True)


def agreement_for_program(*, program_id: int | None) -> Agreement | None:
    """The agreement partners of the program accept: the newest published version written for
    that program, else the newest published every-program version (``program`` empty). A
    scheduled version counts from its publish time; a draft never."""
    published = Agreement.objects.filter(published_at__lte=timezone.now())
    if program_id is not None:
        own = published.filter(program_id=program_id).first()
        if own is not None:
            return own
    return published.filter(program__isnull=True).first()


def agreement_for_partner(*, partner) -> Agreement | None:
    return agreement_for_program(program_id=partner.program_id)


def partner_admin_emails(*, partner) -> list[str]:
    return [
        m.user.email
        for m in team_list_for_partner(partner=partner)
        if m.role == MemberRole.ADMIN and m.user.is_active
    ]


# --- Applications (vendor staff only) -------------------------------------------------------------


def application_list_for_user(*, user: User, status: str = "") -> QuerySet[PartnerApplication]:
    if not is_vendor_staff(user):
        return PartnerApplication.objects.none()
    qs = PartnerApplication.objects.select_related(
        "partner_type", "duplicate_partner", "duplicate_application", "reviewed_by", "partner"
    )
    return qs.filter(status=status) if status else qs


def application_get_for_user(*, user: User, pk: int) -> PartnerApplication:
    application = application_list_for_user(user=user).filter(pk=pk).first()
    if application is None:
        raise Http404("No such application.")
    return application


def application_counts(*, user: User) -> dict[str, int]:
    rows = application_list_for_user(user=user).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# --- Checklists -----------------------------------------------------------------------------------


def _checklists() -> QuerySet[PartnerChecklist]:
    steps = ChecklistStep.objects.order_by("position", "id").prefetch_related("documents")
    return PartnerChecklist.objects.select_related("template", "partner").prefetch_related(
        Prefetch("steps", queryset=steps)
    )


def checklist_for_staff(*, user: User, partner) -> PartnerChecklist | None:
    """For vendor staff, who see every partner: the partner's checklist (else None)."""
    if not is_vendor_staff(user):
        return None
    return _checklists().filter(partner_id=partner.pk).first()


def checklist_for_member(*, user: User) -> PartnerChecklist | None:
    membership = membership_for_user(user)
    if membership is None or not user.is_active:
        raise Http404("No such checklist.")
    return _checklists().filter(partner_id=membership.partner_id).first()


def step_get_for_member(*, user: User, pk: int) -> ChecklistStep:
    membership = membership_for_user(user)
    step = (
        ChecklistStep.objects.select_related("checklist__partner")
        .filter(pk=pk, checklist__partner_id=membership.partner_id)
        .first()
        if membership is not None and user.is_active
        else None
    )
    if step is None:
        raise Http404("No such step.")
    return step


def step_get_for_staff(*, user: User, pk: int) -> ChecklistStep:
    step = (
        ChecklistStep.objects.select_related("checklist__partner").filter(pk=pk).first()
        if is_vendor_staff(user)
        else None
    )
    if step is None:
        raise Http404("No such step.")
    return step


def document_get_for_user(*, user: User, pk: int) -> ChecklistDocument:
    """An uploaded document, for vendor staff or a member of the partner that uploaded it."""
    qs = ChecklistDocument.objects.select_related("step__checklist")
    if not is_vendor_staff(user):
        membership = membership_for_user(user)
        if membership is None or not user.is_active:
            raise Http404("No such document.")
        qs = qs.filter(step__checklist__partner_id=membership.partner_id)
    document = qs.filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def checklist_summary(checklist: PartnerChecklist | None, *, now=None) -> dict | None:
    """Progress figures for a checklist whose steps are prefetched (no extra queries)."""
    if checklist is None:
        return None
    now = now or timezone.now()
    steps = list(checklist.steps.all())
    required = [s for s in steps if s.required]
    done = [s for s in steps if s.status == StepStatus.DONE]
    required_done = [s for s in required if s.status == StepStatus.DONE]
    pending = [s for s in steps if s.status != StepStatus.DONE]
    overdue = [s for s in pending if s.due_at < now]
    due_soon = [s for s in pending if now <= s.due_at < now + timedelta(days=7)]
    next_step = next((s for s in pending if s.required), pending[0] if pending else None)
    percent = round(100 * len(required_done) / len(required)) if required else 100
    return {
        "checklist": checklist,
        "steps": steps,
        "done": len(done),
        "total": len(steps),
        "required_total": len(required),
        "required_done": len(required_done),
        "percent": percent,
        "overdue": overdue,
        "due_soon": due_soon,
        "next_step": next_step,
        "newer_version": (
            checklist.template.version
            if checklist.template and checklist.template.version > checklist.version
            else None
        ),
        "now": now,
    }


def stalled_checklists_for_user(
    *, user: User, limit: int = 20, owns_partners: bool | None = None
) -> list[PartnerChecklist]:
    """Stalled onboardings of the partners the channel manager owns (all of them for a vendor
    admin who owns none), most recently stalled first. ``owns_partners``: whether ``user`` owns
    any partner, when the caller knows already (else one query for a vendor admin)."""
    partners = partner_list_for_user(user=user, mine=True)
    if owns_partners is None and user.is_authenticated and user.is_vendor_admin:
        owns_partners = partners.exists()
    if user.is_authenticated and user.is_vendor_admin and not owns_partners:
        partners = partner_list_for_user(user=user)
    return list(
        PartnerChecklist.objects.filter(
            partner__in=partners, completed_at__isnull=True, stalled_since__isnull=False
        )
        .select_related("partner", "partner__owner")
        .order_by("-stalled_since", "pk")[:limit]
    )


# --- Survey ---------------------------------------------------------------------------------------


def survey_open_for_member(*, user: User) -> OnboardingSurvey | None:
    """The unanswered survey of the user's partner, for a partner admin; else None."""
    membership = membership_for_user(user)
    if membership is None or not membership.is_admin or not user.is_active:
        return None
    return OnboardingSurvey.objects.filter(
        partner_id=membership.partner_id, answered_at__isnull=True
    ).first()


def _nps(promoters: int, detractors: int, answered: int) -> int | None:
    return round(100 * (promoters - detractors) / answered) if answered else None


def survey_results(*, user: User, group_by: str = "program") -> list[dict]:
    """Survey results per program or partner type: sent, answered, average CSAT and NPS
    (% promoters 9-10 minus % detractors 0-6). One query."""
    if not is_vendor_staff(user):
        return []
    field = {"program": "partner__program__name", "type": "partner__partner_type__name"}[group_by]
    answered = Q(answered_at__isnull=False)
    rows = (
        OnboardingSurvey.objects.order_by()
        .values(field)
        .annotate(
            sent=Count("id"),
            answered=Count("id", filter=answered),
            csat=Avg("csat", filter=answered),
            promoters=Count("id", filter=answered & Q(nps__gte=9)),
            detractors=Count("id", filter=answered & Q(nps__lte=6)),
        )
        .order_by(field)
    )
    return [
        {
            "group": row[field],
            "sent": row["sent"],
            "answered": row["answered"],
            "csat": row["csat"],
            "nps": _nps(row["promoters"], row["detractors"], row["answered"]),
        }
        for row in rows
    ]


def survey_comments(*, user: User, limit: int = 20) -> list[OnboardingSurvey]:
    if not is_vendor_staff(user):
        return []
    return list(
        OnboardingSurvey.objects.filter(answered_at__isnull=False)
        .exclude(comment="")
        .select_related("partner", "partner__program", "partner__partner_type")
        .order_by("-answered_at")[:limit]
    )


def default_program():
    from partners.models import Program

    return Program.objects.filter(is_active=True).order_by("pk").first()


def summary_for_member(*, user: User) -> dict | None:
    """The checklist summary of the user's partner for the partner home (None: no checklist)."""
    membership = membership_for_user(user)
    if membership is None or not user.is_active:
        return None
    return checklist_summary(_checklists().filter(partner_id=membership.partner_id).first())


def checklist_list_for_user(*, user: User) -> QuerySet[PartnerChecklist]:
    """API list (issue 8): vendor staff see every partner's checklist, a partner member their
    own partner's, anybody else nothing. Steps are prefetched (``checklist_summary`` is free)."""
    if is_vendor_staff(user):
        return _checklists()
    membership = membership_for_user(user)
    if membership is None or not user.is_active:
        return PartnerChecklist.objects.none()
    return _checklists().filter(partner_id=membership.partner_id)


def partner_get_for_owner_change(*, user: User, pk: int) -> Partner:
    """A partner whose owner ``user`` may reassign (``permissions.can_reassign_owner``: vendor
    admins any, a channel manager the partners they own); anybody else gets 404."""
    partner = partner_get_for_user(user=user, pk=pk)
    if not can_reassign_owner(user, partner):
        raise Http404("No such partner.")
    return partner
