"""Reads for the channel manager's partner detail page: certificates and a timeline (tier
progress comes from ``partners.selectors.tier_progress``).

Only domain tables and summaries are read (never raw events), each with a bounded query, so the
page costs the same for a partner with ten events or ten million. The caller has already checked
that the user may see the partner (``partners.selectors.partner_get_for_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from deals.choices import DealStatus
from deals.models import DealTransition
from enablement.models import Certificate
from onboarding.choices import StepStatus
from onboarding.models import ChecklistStep
from partners.models import Partner, PartnerMembership


# --- Certificates ---------------------------------------------------------------------------------
def certificates(*, partner: Partner, limit: int = 20) -> list[Certificate]:
    """Valid certificates held by the partner's current people, newest first."""
    now = timezone.now()
    return list(
        Certificate.objects.filter(
            partner=partner,
            user__membership__partner=partner,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("certification", "user")
        .order_by("-earned_at", "-pk")[:limit]
    )


# --- Timeline -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moment:
    at: datetime
    title: str
    detail: str = ""
    icon: str = "dot"


def timeline(*, partner: Partner, limit: int = 20) -> list[Moment]:
    """What happened to the partner lately, newest first, from the domain rows themselves:
    joining and activation, people who joined, checklist steps done, certificates earned and deal
    transitions. Four queries, each bounded by ``limit``."""
    moments = []
    if partner.joined_at:  # an applicant has not joined yet
        moments.append(Moment(partner.joined_at, "Joined the program", icon="flag"))
    if partner.activated_at:
        moments.append(Moment(partner.activated_at, "Activated", icon="check2-circle"))
    for m in (
        PartnerMembership.objects.filter(partner=partner)
        .select_related("user")
        .order_by("-created_at")[:limit]
    ):
        moments.append(Moment(m.created_at, "Joined the team", m.user.get_full_name(), "person"))
    for step in (
        ChecklistStep.objects.filter(
            checklist__partner=partner, status=StepStatus.DONE, completed_at__isnull=False
        )
        .select_related("completed_by")
        .order_by("-completed_at")[:limit]
    ):
        who = step.completed_by.get_full_name() if step.completed_by else ""
        moments.append(Moment(step.completed_at, f"Checklist: {step.title}", who, "list-check"))
    for cert in (
        Certificate.objects.filter(partner=partner)
        .select_related("certification", "user")
        .order_by("-earned_at")[:limit]
    ):
        moments.append(
            Moment(
                cert.earned_at, f"Certified: {cert.certification.name}", cert.holder_name, "award"
            )
        )
    for t in (
        DealTransition.objects.filter(deal__partner=partner)
        .filter(~Q(to_status=DealStatus.DRAFT))
        .select_related("deal")
        .order_by("-at", "-pk")[:limit]
    ):
        moments.append(
            Moment(
                t.at,
                f"Deal {t.get_to_status_display().lower()}: {t.deal.customer_name}",
                f"{t.deal.currency} {t.deal.amount:,.2f}",
                "briefcase",
            )
        )
    moments.sort(key=lambda m: m.at, reverse=True)
    return moments[:limit]
