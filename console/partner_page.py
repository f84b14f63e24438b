"""Reads for the channel manager's partner detail page: certificates and one timeline (tier
progress comes from ``partners.selectors.tier_progress``; notes and tasks from ``followup``).

Only domain tables and summaries are read (never raw events), each with a bounded query, so the
page costs the same for a partner with ten events or ten million. The caller has already checked
that the user may see the partner (``partners.selectors.partner_get_for_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.choices import DealStatus
from deals.models import DealTransition
from enablement.models import Certificate
from followup import selectors as followup
from kernel.choices import EmailStatus
from kernel.models import OutboundEmail
from kernel.money import format_money
from onboarding.choices import StepStatus
from onboarding.models import ChecklistStep
from partners.models import Partner, PartnerMembership
from plans import selectors as plan_selectors
from plans.progress import plan_on_track, progress_for_plans
from tiers.models import TierHistory

TIMELINE_LIMIT = 50
EMAIL_ADDRESSES_MAX = 200  # recipients matched for the emails line (a very large team: the first)


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
    kind: str = ""  # "note", "task", "email", "tier", "deal", ... (a filter hook for the page)


def timeline(*, partner: Partner, team=None, limit: int = TIMELINE_LIMIT) -> list[Moment]:
    """What happened to the partner lately, newest first, from the domain rows themselves:
    joining and activation, people who joined, checklist steps done, certificates earned, deal
    decisions, tier changes, vendor staff's notes and tasks (created, completed) and the emails
    sent to the partner's people. Seven queries (eight without ``team``, the page's list of the
    partner's memberships with their users, which it shows whole), each bounded by ``limit``.

    Emails: ``kernel.OutboundEmail`` has no partner; an email belongs here when it was sent to
    the address of one of the partner's current people (so an email sent to someone before they
    joined shows too, and one sent to a person who has left does not)."""
    moments = []
    if partner.joined_at:  # an applicant has not joined yet
        moments.append(Moment(partner.joined_at, _("Joined the program"), icon="flag"))
    if partner.activated_at:
        moments.append(Moment(partner.activated_at, _("Activated"), icon="check2-circle"))
    if team is None:
        team = list(PartnerMembership.objects.filter(partner=partner).select_related("user"))
    for m in sorted(team, key=lambda m: m.created_at, reverse=True)[:limit]:
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
                format_money(t.deal.amount, t.deal.currency),
                "briefcase",
                "deal",
            )
        )
    moments += _tier_moments(partner, limit)
    moments += _followup_moments(partner, limit)
    moments += _email_moments(partner, team, limit)
    moments.sort(key=lambda m: m.at, reverse=True)
    return moments[:limit]


def _tier_moments(partner: Partner, limit: int) -> list[Moment]:
    return [
        Moment(
            h.at,
            _("Tier: %(kind)s %(tier)s")
            % {"kind": h.get_kind_display(), "tier": h.to_tier.name if h.to_tier else "—"},
            h.actor.display_name if h.actor else h.reason[:120],
            "ladder",
            "tier",
        )
        for h in TierHistory.objects.filter(partner=partner)
        .select_related("to_tier", "actor")
        .order_by("-at", "-pk")[:limit]
    ]


def _followup_moments(partner: Partner, limit: int) -> list[Moment]:
    moments = [
        Moment(
            n.created_at,
            _("Note: %(text)s") % {"text": _excerpt(n.body)},
            n.author.display_name,
            "sticky",
            "note",
        )
        for n in followup.notes_for_timeline(partner=partner, limit=limit)
    ]
    for t in followup.tasks_for_timeline(partner=partner, limit=limit):
        moments.append(
            Moment(
                t.created_at,
                _("Task set: %(title)s") % {"title": t.title},
                _("%(by)s for %(to)s")
                % {"by": t.created_by.display_name, "to": t.assignee.display_name},
                "clipboard-plus",
                "task",
            )
        )
        if t.completed_at is not None:
            moments.append(
                Moment(
                    t.completed_at,
                    _("Task done: %(title)s") % {"title": t.title},
                    t.completed_by.display_name if t.completed_by else "",
                    "clipboard-check",
                    "task",
                )
            )
    return moments


def _email_moments(partner: Partner, team, limit: int) -> list[Moment]:
    people = {
        m.user.email.lower(): m.user.display_name
        for m in list(team)[:EMAIL_ADDRESSES_MAX]
        if m.user.email
    }
    if not people:
        return []
    to_anyone = Q()
    for email in people:  # the JSON text of the list holds the address in quotes
        to_anyone |= Q(to__icontains=f'"{email}"')
    moments = []
    for row in (
        OutboundEmail.objects.filter(to_anyone, status=EmailStatus.SENT, sent_at__isnull=False)
        .only("subject", "to", "sent_at")
        .order_by("-sent_at", "-pk")[:limit]
    ):
        names = [people[a.lower()] for a in row.to if a.lower() in people]
        moments.append(
            Moment(
                row.sent_at,
                _("Email: %(subject)s") % {"subject": row.subject},
                ", ".join(names),
                "envelope",
                "email",
            )
        )
    return moments


def _excerpt(text: str, size: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def business_plans(*, partner: Partner, limit: int = 3) -> list[dict]:
    """The partner's current business plans (latest periods first) with whether every measured
    goal is on pace: the "Business plan" panel. Two queries, plus one per measure family the
    goals use."""
    plans = plan_selectors.plans_for_partner(partner_id=partner.pk, limit=limit)
    progress = progress_for_plans(plans)
    return [
        {
            "plan": plan,
            "on_track": plan_on_track(plan, progress),
            "goals": [progress[g.pk] for g in plan.goals.all() if g.pk in progress],
        }
        for plan in plans
    ]
