"""Reads of business plans, scoped: vendor staff see every partner's plans, a partner's members
their own partner's only; anybody else nothing (a plan outside the scope is a 404, so its
existence does not leak)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from partners.selectors import membership_for_user
from plans import periods
from plans.choices import PlanStatus
from plans.models import BusinessPlan, Comment, Goal

CURRENT_STATUSES = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED)


def _base() -> QuerySet[BusinessPlan]:
    return BusinessPlan.objects.select_related(
        "partner__program", "partner__owner", "created_by", "approved_by", "submitted_by"
    )


def plan_list_for_user(*, user) -> QuerySet[BusinessPlan]:
    qs = _base()
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.is_channel_manager:
        return qs
    membership = membership_for_user(user)
    if membership is None:
        return qs.none()
    return qs.filter(partner_id=membership.partner_id)


def plan_get_for_user(*, user, pk: int) -> BusinessPlan:
    plan = (
        plan_list_for_user(user=user)
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("position", "pk")),
            "initiatives__owner",
            "commitments",
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
        )
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    return plan


def versions_of(plan: BusinessPlan) -> list[BusinessPlan]:
    """Every version of the plan's partner and period, newest first. One query."""
    return list(
        BusinessPlan.objects.filter(
            partner_id=plan.partner_id, fiscal_year=plan.fiscal_year, quarter=plan.quarter
        )
        .only("pk", "version", "status", "approved_at", "partner_id", "fiscal_year", "quarter")
        .order_by("-version")
    )


def plan_list_filtered(
    *, user, program_id=None, status: str = "", period: periods.Period | None = None,
    owner_id=None, partner_id=None,
) -> QuerySet[BusinessPlan]:  # fmt: skip
    """The vendor list's plans with its filters. Superseded versions only when asked for."""
    qs = plan_list_for_user(user=user).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("position", "pk"))
    )
    qs = qs.filter(status=status) if status else qs.filter(status__in=CURRENT_STATUSES)
    if program_id:
        qs = qs.filter(partner__program_id=program_id)
    if period is not None:
        qs = qs.filter(fiscal_year=period.fiscal_year, quarter=period.quarter)
    if owner_id:
        qs = qs.filter(partner__owner_id=owner_id)
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    return qs.order_by("-fiscal_year", "-quarter", "partner__name", "-version")


def plans_for_partner(*, partner_id: int, limit: int = 10) -> list[BusinessPlan]:
    """A partner's current plans (not superseded), latest period first, goals loaded: the partner
    360 panel and the partner's own list. The caller has checked that the user may see it."""
    return list(
        _base()
        .filter(partner_id=partner_id, status__in=CURRENT_STATUSES)
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("position", "pk")))
        .order_by("-fiscal_year", "-quarter", "-version")[:limit]
    )


def plans_in_force(*, periods, partner_status=None) -> list[BusinessPlan]:
    """The approved plans of ``periods`` (goals and partner loaded): the program view. Two
    queries."""
    from django.db.models import Q

    match = Q(pk__in=[])
    for period in periods:
        match |= Q(fiscal_year=period.fiscal_year, quarter=period.quarter)
    qs = (
        BusinessPlan.objects.filter(match, status=PlanStatus.APPROVED)
        .select_related("partner__owner")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("position", "pk")))
    )
    if partner_status:
        qs = qs.filter(partner__status=partner_status)
    return list(qs)


def awaiting_approval_count(*, partner_ids=None) -> int:
    qs = BusinessPlan.objects.filter(status=PlanStatus.SUBMITTED)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    return qs.count()


def staff_owners():
    """Vendor staff who can own partners (the list's owner filter), by name."""
    from django.db.models import Q

    from accounts.choices import VendorRole
    from accounts.models import User

    return User.objects.filter(
        Q(vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]) | Q(is_superuser=True),
        is_active=True,
    ).order_by("full_name", "email")


def goal_list_for_user(*, user) -> QuerySet[Goal]:
    """Goals of the plans ``user`` may read (the API's goals)."""
    return Goal.objects.filter(plan__in=plan_list_for_user(user=user).values("pk")).select_related(
        "plan"
    )
