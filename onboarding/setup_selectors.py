"""Reads of onboarding's setup pages (agreement versions, owner rules). Vendor staff only: anyone
else gets nothing (the views answer 404 before asking)."""

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.choices import VendorRole
from accounts.models import User
from onboarding.models import Agreement, OwnerRule
from partners.choices import Region
from partners.models import Program
from partners.permissions import is_vendor_staff


def setup_agreement_list(*, user, program_id: int | None = None, every: bool = False):
    """Every version with its acceptance count, newest first within each program; narrowed to
    one program's versions (``program_id``) or the every-program ones (``every``)."""
    if not is_vendor_staff(user):
        return Agreement.objects.none()
    qs = Agreement.objects.select_related("program").annotate(accepted=Count("acceptances"))
    if every:
        qs = qs.filter(program__isnull=True)
    elif program_id is not None:
        qs = qs.filter(program_id=program_id)
    return qs.order_by("program__name", "program_id", "-published_at", "-id")


def setup_agreement_get(*, user, pk: int) -> Agreement:
    agreement = (
        setup_agreement_list(user=user).filter(pk=pk).first()
        if isinstance(pk, int) and 0 < pk < 2**63
        else None
    )
    if agreement is None:
        raise Http404("No such agreement.")
    return agreement


def current_agreement_ids() -> dict[int | None, int]:
    """Which version partners accept today, by program (None: programs without their own). One
    query: the published versions newest first, the first of each program wins (the rule of
    ``onboarding.selectors.agreement_for_program``)."""
    current: dict[int | None, int] = {}
    rows = (
        Agreement.objects.filter(published_at__lte=timezone.now())
        .order_by("-published_at", "-id")
        .values_list("program_id", "pk")
    )
    for program_id, pk in rows:
        current.setdefault(program_id, pk)
    return current


def program_choices() -> QuerySet[Program]:
    return Program.objects.order_by("name")


# --- Owner rules --------------------------------------------------------------------------------


def setup_owner_rule_list(*, user) -> QuerySet[OwnerRule]:
    """Every rule with its manager and how many partners that manager owns in the rule's region
    and in all (one query, whatever the number of rules)."""
    if not is_vendor_staff(user):
        return OwnerRule.objects.none()
    return (
        OwnerRule.objects.select_related("manager")
        .annotate(
            partners_in_region=Count(
                "manager__owned_partners",
                filter=Q(manager__owned_partners__region=F("region")),
                distinct=True,
            ),
            partners_owned=Count("manager__owned_partners", distinct=True),
        )
        .order_by("region", "manager__full_name", "manager__email")
    )


def setup_owner_rule_get(*, user, pk: int) -> OwnerRule:
    rule = setup_owner_rule_list(user=user).filter(pk=pk).first()
    if rule is None:
        raise Http404("No such owner rule.")
    return rule


def owner_rules_by_region(*, user) -> list[dict]:
    """The rules grouped by region, every region listed (an empty one says who gets its new
    partners: every channel manager in turn)."""
    rules = list(setup_owner_rule_list(user=user))
    return [
        {"region": value, "label": label, "rules": [r for r in rules if r.region == value]}
        for value, label in Region.choices
    ]


def owner_rule_manager_choices() -> QuerySet[User]:
    """Whom a rule may name: active channel managers (the ones new partners are given to)."""
    return User.objects.filter(is_active=True, vendor_role=VendorRole.CHANNEL_MANAGER).order_by(
        "full_name", "email"
    )
