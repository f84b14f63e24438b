"""Reads of incentives' setup pages (award rules, MDF allocations). Vendor staff only: anyone
else gets nothing (the views answer 404 before asking)."""

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from incentives.choices import MdfStatus
from incentives.models import AwardRule, Badge, MdfAllocation
from partners.models import Partner, Program
from partners.permissions import is_vendor_staff

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def setup_rule_list(*, user) -> QuerySet[AwardRule]:
    """Every rule with how many awards it gave, active ones first."""
    if not is_vendor_staff(user):
        return AwardRule.objects.none()
    return (
        AwardRule.objects.select_related("badge", "program")
        .annotate(awarded=Count("awards"))
        .order_by("-is_active", "event_kind", "name", "pk")
    )


def setup_rule_get(*, user, pk: int) -> AwardRule:
    rule = setup_rule_list(user=user).filter(pk=pk).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


def badge_choices() -> QuerySet[Badge]:
    return Badge.objects.order_by("name")


def program_choices() -> QuerySet[Program]:
    return Program.objects.order_by("name")


def setup_allocation_list(
    *, user, partner_id: int | None = None, period: str = ""
) -> QuerySet[MdfAllocation]:
    """Every allocation with its partner, its fund requests and what is waiting for a decision
    (one query, whatever the number of allocations), newest period first."""
    if not is_vendor_staff(user):
        return MdfAllocation.objects.none()
    qs = MdfAllocation.objects.select_related("partner").annotate(
        request_count=Count("requests"),
        pending=Coalesce(
            Sum("requests__requested_amount", filter=Q(requests__status=MdfStatus.REQUESTED)),
            ZERO,
        ),
    )
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if period:
        qs = qs.filter(period__iexact=period.strip())
    return qs.order_by("-starts_on", "partner__name", "pk")


def setup_allocation_get(*, user, pk: int) -> MdfAllocation:
    allocation = setup_allocation_list(user=user).filter(pk=pk).first()
    if allocation is None:
        raise Http404("No such allocation.")
    return allocation


def allocation_periods() -> list[str]:
    """The period labels in use, newest first (for the filter)."""
    rows = MdfAllocation.objects.order_by("-starts_on").values_list("period", flat=True)
    return list(dict.fromkeys(rows[:500]))


def partner_choices() -> QuerySet[Partner]:
    return Partner.objects.filter(mdf_allocations__isnull=False).distinct().order_by("name")
