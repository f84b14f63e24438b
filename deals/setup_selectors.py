"""Reads of the registration-policy setup page. Vendor staff only (the views answer 404 to
anyone else before asking)."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from deals.choices import DealStatus
from deals.models import Deal, RegistrationPolicy
from partners.models import Partner, Program, Tier
from partners.permissions import is_vendor_staff


def setup_policy_list(*, user) -> QuerySet[RegistrationPolicy]:
    if not is_vendor_staff(user):
        return RegistrationPolicy.objects.none()
    return RegistrationPolicy.objects.select_related("program", "tier").order_by(
        "program__name", "program_id", "tier__rank", "tier_id"
    )


def setup_policy_get(*, user, pk: int) -> RegistrationPolicy:
    policy = setup_policy_list(user=user).filter(pk=pk).first()
    if policy is None:
        raise Http404("No such policy.")
    return policy


@dataclass(frozen=True)
class Reach:
    """Whom a policy applies to today: partners, registrations awaiting review (they get its
    protection when approved) and protected ones (its warning period applies to them)."""

    partners: int = 0
    submitted: int = 0
    protected: int = 0


def policy_reach(policies) -> dict[int, Reach]:
    """Reach of each policy, keyed by id, in two queries whatever their number. A tier's policy
    covers the partners of that tier; a program's default the program's partners whose tier has
    no policy of its own (and those without a tier)."""
    policies = list(policies)
    program_ids = {p.program_id for p in policies}
    if not program_ids:
        return {}
    own_tiers = {(p.program_id, p.tier_id) for p in policies if p.tier_id is not None}

    def owner(program_id, tier_id):
        return (program_id, tier_id) if (program_id, tier_id) in own_tiers else (program_id, None)

    partners: dict[tuple, int] = {}
    for row in (
        Partner.objects.filter(program_id__in=program_ids)
        .values("program_id", "tier_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = owner(row["program_id"], row["tier_id"])
        partners[key] = partners.get(key, 0) + row["n"]
    deals: dict[tuple, dict[str, int]] = {}
    for row in (
        Deal.objects.filter(
            partner__program_id__in=program_ids,
            status__in=[DealStatus.SUBMITTED, DealStatus.APPROVED],
        )
        .values("partner__program_id", "partner__tier_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = owner(row["partner__program_id"], row["partner__tier_id"])
        counts = deals.setdefault(key, {})
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
    reach = {}
    for policy in policies:
        key = (policy.program_id, policy.tier_id)
        counts = deals.get(key, {})
        reach[policy.pk] = Reach(
            partners=partners.get(key, 0),
            submitted=counts.get(DealStatus.SUBMITTED, 0),
            protected=counts.get(DealStatus.APPROVED, 0),
        )
    return reach


def program_choices() -> QuerySet[Program]:
    return Program.objects.order_by("name")


def tier_choices() -> QuerySet[Tier]:
    return Tier.objects.select_related("program").order_by("program__name", "rank")
