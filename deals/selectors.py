"""Reads of deals, scoped to the requesting user. An outsider gets 404, never a 403."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Length
from django.http import Http404

from accounts.models import User
from deals.choices import DEFAULT_PROTECTION_DAYS, DEFAULT_WARNING_DAYS, OPEN_STATUSES, DealStatus
from deals.matching import NAME_MATCH_THRESHOLD, length_window, name_similarity, similar_names
from deals.models import Deal, DealHelpNote, DealHelpRequest, DealLineItem, RegistrationPolicy
from kernel import money
from partners.selectors import membership_for_user

LIST_RELATED = ("partner", "partner__tier", "created_by")


def deal_list_for_user(*, user: User, mine: bool = False) -> QuerySet[Deal]:
    """Vendor staff see every submitted deal (``mine``: of the partners they own; never drafts);
    a partner admin sees all of their partner's deals; a partner user the ones they registered or
    that were shared with them; anybody else nothing."""
    qs = Deal.objects.select_related(*LIST_RELATED)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_channel_manager:
        # a draft is the partner's work in progress: the vendor sees registrations once submitted
        qs = qs.exclude(status=DealStatus.DRAFT)
        return qs.filter(partner__owner=user) if mine else qs
    membership = membership_for_user(user)
    if membership is None:
        return qs.none()
    qs = qs.filter(partner_id=membership.partner_id)
    if membership.is_admin:
        return qs
    shared = Deal.shared_with.through.objects.filter(deal_id=OuterRef("pk"), user_id=user.pk)
    return qs.filter(Q(created_by=user) | Exists(shared))


def deal_get_for_user(*, user: User, pk: int) -> Deal:
    deal = (
        deal_list_for_user(user=user)
        .prefetch_related(
            Prefetch("line_items", queryset=DealLineItem.objects.select_related("offering")),
            "shared_with",
        )
        .select_related("decided_by", "partner__owner", "partner__program")
        .filter(pk=pk)
        .first()
    )
    if deal is None:
        raise Http404("No such deal.")
    return deal


def deal_timeline(*, deal: Deal):
    return deal.transitions.select_related("actor").order_by("at", "pk")


def deal_extension_requests(*, deal: Deal):
    return deal.extension_requests.select_related("requested_by", "decided_by")


def deal_help_requests(*, deal: Deal) -> list[DealHelpRequest]:
    """The deal's requests for vendor help with their notes (authors), oldest first. Two queries.
    The caller has the deal from ``deal_get_for_user`` (scoped)."""
    return list(
        deal.help_requests.select_related("requested_by", "assignee").prefetch_related(
            Prefetch("notes", queryset=DealHelpNote.objects.select_related("author"))
        )
    )


def deal_help_request_get(*, deal: Deal, pk) -> DealHelpRequest:
    """One help request of ``deal`` (already scoped); 404 for another deal's."""
    found = deal.help_requests.filter(pk=pk).select_related("deal__partner").first()
    if found is None:
        raise Http404("No such help request.")
    return found


def deal_status_counts(*, qs: QuerySet[Deal]) -> dict[str, int]:
    rows = qs.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def deals_awaiting_review(
    *, user: User, limit: int = 10, owns_partners: bool | None = None
) -> tuple[list[Deal], int, bool]:
    """Submitted deals, oldest first: of the partners the manager owns when they own any, else all
    (``owns_partners``: when the caller knows already). Returns (deals, total, mine)."""
    mine = user.owned_partners.exists() if owns_partners is None else owns_partners
    qs = deal_list_for_user(user=user, mine=mine).filter(status=DealStatus.SUBMITTED)
    return list(qs.order_by("submitted_at", "pk")[:limit]), qs.count(), mine


def colleagues_for_sharing(*, partner_id: int, exclude_user: User | None = None):
    """The active members of a partner a deal may be shared with."""
    qs = User.objects.filter(membership__partner_id=partner_id, is_active=True).order_by("email")
    if exclude_user is not None:
        qs = qs.exclude(pk=exclude_user.pk)
    return qs


# --- Protection policy -------------------------------------------------------------------------


@dataclass(frozen=True)
class Protection:
    days: int
    warning_days: int


def protection_for_partner(*, partner) -> Protection:
    """The partner's (program, tier) policy, else the program default, else 90 days. The days
    of the tier's "deal protection" benefit (partners.selectors.partner_benefits) win over the
    policy's: they are what the partner was promised for its tier."""
    from partners.selectors import partner_benefits

    promised = partner_benefits(partner).deal_protection_days
    policies = {
        p.tier_id: p
        for p in RegistrationPolicy.objects.filter(
            Q(tier_id=partner.tier_id) | Q(tier__isnull=True), program_id=partner.program_id
        )
    }
    policy = policies.get(partner.tier_id) if partner.tier_id else None
    policy = policy or policies.get(None)
    if policy is None:
        return Protection(
            days=promised or DEFAULT_PROTECTION_DAYS, warning_days=DEFAULT_WARNING_DAYS
        )
    return Protection(days=promised or policy.protection_days, warning_days=policy.warning_days)


def warning_days_by_policy() -> tuple[dict[tuple[int, int | None], int], int]:
    """All policies' warning periods keyed by (program, tier), and the longest one (so the expiry
    job can select candidates in one query)."""
    table = {
        (p.program_id, p.tier_id): p.warning_days
        for p in RegistrationPolicy.objects.only("program_id", "tier_id", "warning_days")
    }
    return table, max([DEFAULT_WARNING_DAYS, *table.values()])


def warning_days_for(table: dict, *, program_id: int, tier_id: int | None) -> int:
    if tier_id is not None and (program_id, tier_id) in table:
        return table[(program_id, tier_id)]
    return table.get((program_id, None), DEFAULT_WARNING_DAYS)


# --- Conflicts ---------------------------------------------------------------------------------


@dataclass
class Conflict:
    deal: Deal
    same_domain: bool
    name_score: float  # 0..1
    of_partner_id: int | None = None  # the partner of the registration under review

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.same_domain:
            reasons.append(f"same domain {self.deal.customer_domain_normalized}")
        if self.name_score >= NAME_MATCH_THRESHOLD:
            reasons.append(f"similar name ({round(self.name_score * 100)}% match)")
        return reasons

    @property
    def is_protected(self) -> bool:
        return self.deal.status == DealStatus.APPROVED

    @property
    def same_partner(self) -> bool:
        """A registration of the same partner: a duplicate, not a channel conflict; with the
        same domain only one of the two can ever be approved (one protection per domain)."""
        return self.deal.partner_id == self.of_partner_id


def deal_conflicts(*, deal: Deal) -> list[Conflict]:
    """Other open registrations (submitted or approved), the partner's own included, that name
    the same customer: the same normalized domain, or a company name at least
    ``NAME_MATCH_THRESHOLD`` similar. Protected (approved) ones first. Three queries whatever the
    number of deals: the names are compared in Python (difflib) over one narrow column list."""
    others = Deal.objects.filter(status__in=OPEN_STATUSES).exclude(pk=deal.pk)
    shortest, longest = length_window(deal.customer_name_normalized)
    names = (
        others.annotate(name_length=Length("customer_name_normalized"))
        .filter(name_length__gte=shortest, name_length__lte=longest)
        .values_list("pk", "customer_name_normalized")
        # unordered (the hits are sorted below): an index-only scan of
        # deal_open_name_length_idx, no visit of each deal's row to sort by the model's order
        .order_by()
    )
    scores = similar_names(deal.customer_name_normalized, names.iterator(chunk_size=2000))
    match = Q(pk__in=list(scores))
    if deal.customer_domain_normalized:
        match |= Q(customer_domain_normalized=deal.customer_domain_normalized)
    hits = (
        others.filter(match)
        .select_related(*LIST_RELATED, "decided_by")
        .prefetch_related(
            Prefetch("line_items", queryset=DealLineItem.objects.select_related("offering"))
        )
    )
    conflicts = [
        Conflict(
            deal=hit,
            same_domain=bool(deal.customer_domain_normalized)
            and hit.customer_domain_normalized == deal.customer_domain_normalized,
            name_score=scores.get(hit.pk)
            or name_similarity(deal.customer_name_normalized, hit.customer_name_normalized),
            of_partner_id=deal.partner_id,
        )
        for hit in hits
    ]
    conflicts.sort(key=lambda c: (not c.is_protected, not c.same_domain, -c.name_score, c.deal.pk))
    return conflicts


def own_protected_registration_for_domain(*, deal: Deal) -> Deal | None:
    """The partner's own approved registration of ``deal``'s domain, if any: what it is told at
    submit time. Never another partner's (that would tell who protects which customer)."""
    if not deal.customer_domain_normalized:
        return None
    return (
        Deal.objects.filter(
            partner_id=deal.partner_id,
            status=DealStatus.APPROVED,
            customer_domain_normalized=deal.customer_domain_normalized,
        )
        .exclude(pk=deal.pk)
        .first()
    )


def protected_registration_for_domain(*, domain: str, exclude_pk: int) -> Deal | None:
    """The approved registration holding ``domain``, if any (the database allows at most one)."""
    if not domain:
        return None
    return (
        Deal.objects.select_related("partner")
        .filter(status=DealStatus.APPROVED, customer_domain_normalized=domain)
        .exclude(pk=exclude_pk)
        .first()
    )


# --- Tier measures (deals.measures) ---------------------------------------------------------


def won_totals_by_partner(
    *, partner_ids, since, until, rates: dict[str, float], target: str
) -> dict:
    """Won deals closed in (since, until], per partner: (count, final amount converted to
    ``target`` with ``rates`` (value of one unit in a common base)). One grouped query; deals in
    a currency without a rate count in the number but not in the amount."""
    converted = money.converted("final_amount", rates=rates, target=target)
    rows = (
        Deal.objects.filter(
            partner_id__in=partner_ids,
            status=DealStatus.WON,
            closed_at__gt=since,
            closed_at__lte=until,
        )
        .order_by()
        .values("partner_id")
        .annotate(n=Count("id"), amount=Sum(converted))
    )
    return {r["partner_id"]: (r["n"], Decimal(r["amount"] or 0).quantize(money.CENT)) for r in rows}
