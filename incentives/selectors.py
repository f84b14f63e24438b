"""Reads for MDF and awards, scoped to the requesting user. An outsider gets 404 (Http404), never
a 403 that would say the object exists.

Who sees what: vendor staff (channel managers, vendor admins) see every partner's funds and
awards; a partner admin sees their own partner's funds; every partner member sees their own
partner's points, badges and program leaderboard. Partner users do not see the funds.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from incentives.choices import MDF_PENDING
from incentives.models import Award, Badge, MdfAllocation, MdfRequest, PartnerScore
from partners.permissions import is_partner_admin, is_vendor_staff
from partners.selectors import membership_for_user

# --- MDF ---------------------------------------------------------------------------------------


def _partner_admin_partner_id(user) -> int | None:
    if not is_partner_admin(user):
        return None
    return membership_for_user(user).partner_id


def mdf_allocation_list_for_user(*, user, mine: bool = False) -> QuerySet[MdfAllocation]:
    qs = MdfAllocation.objects.select_related("partner")
    if is_vendor_staff(user):
        return qs.filter(partner__owner=user) if mine else qs
    partner_id = _partner_admin_partner_id(user)
    return qs.filter(partner_id=partner_id) if partner_id else qs.none()


def mdf_allocation_current(*, partner, today: date | None = None) -> MdfAllocation | None:
    """The allocation whose period contains ``today`` (the latest-starting one if several)."""
    today = today or timezone.localdate()
    return (
        MdfAllocation.objects.filter(partner=partner, starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    allocation: MdfAllocation | None
    reason: str = ""


def mdf_eligibility(*, partner, today: date | None = None) -> Eligibility:
    """May this partner request funds now? It needs an allocation for the current period (set by
    vendor staff), and its tier must grant MDF where tier benefits say so."""
    allocation = mdf_allocation_current(partner=partner, today=today)
    if not mdf_tier_allows(partner=partner):
        return Eligibility(False, allocation, "Your partner tier does not include marketing funds.")
    if allocation is None:
        return Eligibility(
            False, None, "There is no marketing funds allocation for the current period."
        )
    return Eligibility(True, allocation)


def _benefits(partner):
    """The partner's tier benefits (``partners.selectors.partner_benefits``, issue 9 items 1-3),
    or None where the partners app does not provide them."""
    try:
        from partners.selectors import partner_benefits
    except ImportError:
        return None
    return partner_benefits(partner=partner)


def _tier_grants_mdf(partner) -> bool | None:
    """True/False from the tier benefits (``mdf_eligible``), else None (no opinion: the
    allocation alone decides)."""
    value = getattr(_benefits(partner), "mdf_eligible", None)
    return None if value is None else bool(value)


def mdf_tier_allows(*, partner) -> bool:
    """False only when the partner's tier benefits say it gets no marketing funds."""
    return _tier_grants_mdf(partner) is not False


def mdf_default_allocation(*, partner) -> tuple[Decimal, str] | None:
    """What one quarter's allocation should be by the partner's tier: (amount, currency), from
    the tier's MDF allocation benefit (a yearly amount is split into four quarters); None when
    the tier names no amount."""
    benefits = _benefits(partner)
    amount = getattr(benefits, "mdf_allocation", None)
    if not amount or not getattr(benefits, "mdf_eligible", False):
        return None
    if getattr(benefits, "mdf_period", "") != "quarter":
        amount = (amount / 4).quantize(Decimal("0.01"))
    return amount, (getattr(benefits, "currency", "") or "USD")


def mdf_request_list_for_user(*, user, mine: bool = False) -> QuerySet[MdfRequest]:
    qs = MdfRequest.objects.select_related("partner", "allocation", "requested_by")
    if is_vendor_staff(user):
        return qs.filter(partner__owner=user) if mine else qs
    partner_id = _partner_admin_partner_id(user)
    return qs.filter(partner_id=partner_id) if partner_id else qs.none()


def mdf_request_get_for_user(*, user, pk: int) -> MdfRequest:
    found = mdf_request_list_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such fund request.")
    return found


def mdf_queue_for_user(*, user, mine: bool = False) -> QuerySet[MdfRequest]:
    """Requests and claims waiting for a decision, oldest first."""
    return (
        mdf_request_list_for_user(user=user, mine=mine)
        .filter(status__in=MDF_PENDING)
        .select_related("partner__owner")
        .order_by("updated_at", "pk")
    )


# --- points, badges, leaderboard ---------------------------------------------------------------


def score_for_partner(*, partner) -> PartnerScore:
    """The partner's score row (unsaved with zero points when nothing was awarded yet)."""
    return PartnerScore.objects.filter(partner=partner).first() or PartnerScore(partner=partner)


def award_list_for_partner(*, partner) -> QuerySet[Award]:
    return Award.objects.filter(partner=partner).select_related("rule", "badge", "user")


def award_list_for_user(*, user) -> QuerySet[Award]:
    """API: vendor staff see every award, a partner member their own partner's."""
    qs = Award.objects.select_related("rule", "badge")
    if is_vendor_staff(user):
        return qs
    membership = membership_for_user(user) if getattr(user, "is_active", False) else None
    return qs.filter(partner_id=membership.partner_id) if membership else qs.none()


def badges_for_partner(*, partner) -> list[dict]:
    """Each badge the partner (or one of its people) earned: the badge, how often, first earned."""
    from django.db.models import Min

    rows = (
        Award.objects.filter(partner=partner, badge__isnull=False)
        .values("badge")
        .annotate(times=Count("id"), first=Min("occurred_at"))
        .order_by("first")
    )
    badges = Badge.objects.in_bulk([row["badge"] for row in rows])
    return [
        {"badge": badges[row["badge"]], "times": row["times"], "first": row["first"]}
        for row in rows
    ]


def badge_list_for_user(*, user) -> QuerySet[Badge]:
    if not getattr(user, "is_authenticated", False):
        return Badge.objects.none()
    if is_vendor_staff(user) or membership_for_user(user) is not None:
        return Badge.objects.all()
    return Badge.objects.none()


@dataclass(frozen=True)
class Standing:
    rank: int
    partner_id: int
    partner_name: str
    points: int


def leaderboard(*, program_id: int, limit: int = 20) -> list[Standing]:
    """The program's top partners by points (partners that opted out are left out). Equal points
    share a rank ("1, 2, 2, 4")."""
    rows = list(
        PartnerScore.objects.filter(
            partner__program_id=program_id, leaderboard_opt_out=False, points__gt=0
        )
        .order_by("-points", "partner__name", "partner_id")
        .values_list("partner_id", "partner__name", "points")[:limit]
    )
    standings, rank, previous = [], 0, None
    for position, (partner_id, name, points) in enumerate(rows, start=1):
        if points != previous:
            rank, previous = position, points
        standings.append(Standing(rank, partner_id, name, points))
    return standings


def leaderboard_rank(*, partner) -> int | None:
    """The partner's rank in its program's leaderboard; None when it opted out or has no points."""
    score = PartnerScore.objects.filter(partner=partner).first()
    if score is None or score.leaderboard_opt_out or score.points == 0:
        return None
    ahead = PartnerScore.objects.filter(
        partner__program_id=partner.program_id,
        leaderboard_opt_out=False,
        points__gt=score.points,
    ).count()
    return ahead + 1


def program_points_total(*, program_id: int) -> int:
    total = PartnerScore.objects.filter(partner__program_id=program_id).aggregate(t=Sum("points"))
    return total["t"] or 0
