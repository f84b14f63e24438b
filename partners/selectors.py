"""Reads scoped to the requesting user. An outsider gets 404 (Http404), never a 403 that would
tell them the object exists."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from kernel.registry import Registry
from partners.choices import MemberRole, PartnerStatus
from partners.list_query import apply_partner_list_query, owns_partners  # noqa: F401 (used by the panels)
from partners.models import (
    Offering,
    Partner,
    PartnerInvitation,
    PartnerMembership,
    SavedPartnerView,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def membership_for_user(user: User) -> PartnerMembership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except PartnerMembership.DoesNotExist:
        return None


def languages_for_addresses(addresses: list[str]) -> dict[str, str]:
    """The language each known address reads (kernel.outbox.recipient_languages): the person's
    profile language, else their partner's program default; blank (the site's) for neither.
    One query, however many addresses."""
    if not addresses:
        return {}
    rows = User.objects.filter(email__in=addresses).values_list(
        "email", "language", "membership__partner__program__default_language"
    )
    return {email: language or program_default or "" for email, language, program_default in rows}


def partner_list_for_user(*, user: User, mine: bool = False) -> QuerySet[Partner]:
    """Vendor staff see every partner (``mine``: only those they own); a partner user sees their own
    partner; anybody else sees nothing."""
    qs = Partner.objects.select_related("program", "partner_type", "tier", "owner")
    if user.is_authenticated and user.is_channel_manager:
        return qs.filter(owner=user) if mine else qs
    membership = membership_for_user(user)
    if membership is None or not user.is_active:
        return qs.none()
    return qs.filter(pk=membership.partner_id)


def partner_get_for_user(*, user: User, pk: int) -> Partner:
    partner = partner_list_for_user(user=user).filter(pk=pk).first()
    if partner is None:
        raise Http404("No such partner.")
    return partner


def partner_list_for_manager_home(
    *, user: User, mine: bool, status: str = "", params: dict[str, str] | None = None
) -> QuerySet[Partner]:
    """The channel managers' partner list (``/manage/``) with its filters: ``mine`` (only the
    partners ``user`` owns), a lifecycle ``status`` (an unknown value filters nothing) and the
    list's other parameters ``params``, already checked by
    ``partners.list_query.parse_partner_list_query`` (filters, search, ``sort``). Default
    order: newest first, applicants (not joined yet) last. The bulk actions and the exports
    resolve "all matching" with it, so the selection is exactly what the list shows."""
    params = dict(params or {})
    if status in PartnerStatus.values:
        params["status"] = status
    elif params.get("status") not in PartnerStatus.values:
        params.pop("status", None)
    partners = partner_list_for_user(user=user, mine=mine)
    return apply_partner_list_query(partners, params, user=user)


def partner_status_counts(*, user: User, mine: bool = False) -> dict[str, int]:
    rows = (
        partner_list_for_user(user=user, mine=mine)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def team_list_for_partner(*, partner: Partner) -> QuerySet[PartnerMembership]:
    return (
        PartnerMembership.objects.filter(partner=partner)
        .select_related("user")
        .order_by("-role", "user__email")
    )


def colleague_join_dates(*, partner_id: int) -> list:
    """When each colleague joined, oldest first: the partner's active team members except the
    first one (the person the partnership was set up with), however they were added (invitation,
    the Django admin, an import). Onboarding's colleagues step and its funnel count these."""
    dates = list(
        PartnerMembership.objects.filter(partner_id=partner_id, user__is_active=True)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
    )
    return dates[1:]


def membership_get_for_admin(*, user: User, pk: int) -> PartnerMembership:
    """A membership of the requesting partner admin's own partner, else 404."""
    own = membership_for_user(user)
    if own is None or not own.is_admin:
        raise Http404("No such team member.")
    membership = (
        PartnerMembership.objects.select_related("user", "partner")
        .filter(pk=pk, partner_id=own.partner_id)
        .first()
    )
    if membership is None:
        raise Http404("No such team member.")
    return membership


def invitation_list_open_for_partner(*, partner: Partner) -> QuerySet[PartnerInvitation]:
    return PartnerInvitation.objects.filter(
        Q(partner=partner, accepted_at__isnull=True, revoked_at__isnull=True)
        & Q(expires_at__gt=timezone.now())
    ).select_related("invited_by")


def invitation_get_for_admin(*, user: User, pk: int) -> PartnerInvitation:
    own = membership_for_user(user)
    invitation = (
        PartnerInvitation.objects.filter(pk=pk, partner_id=own.partner_id).first()
        if own is not None and own.is_admin
        else None
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def invitation_get_open(*, token: str) -> PartnerInvitation | None:
    invitation = (
        PartnerInvitation.objects.select_related("partner")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_open else None


def partner_find_by_domain(*, domain: str) -> Partner | None:
    """The partner that already uses this web domain (normalized, e.g. ``example.com``), if any."""
    if not domain:
        return None
    return Partner.objects.filter(domain=domain).first()


def channel_manager_least_recently_assigned(*, candidates: QuerySet[User] | None = None):
    """Round-robin without a counter: the active channel manager (among ``candidates``, default all)
    whose most recent partner is the oldest; one who owns nobody goes first. Ties go to the
    lowest id, so the order is stable."""
    from django.db.models import Max

    from accounts.choices import VendorRole

    qs = candidates if candidates is not None else User.objects.all()
    return (
        qs.filter(is_active=True, vendor_role=VendorRole.CHANNEL_MANAGER)
        .annotate(last_assigned=Max("owned_partners__created_at"))
        .order_by(F("last_assigned").asc(nulls_first=True), "pk")
        .first()
    )


# --- API lists (issue 8): same scoping rules as the pages ----------------------------------------


def program_list_for_user(*, user: User) -> QuerySet:
    """Vendor staff see every program; a partner member their own partner's program."""
    from partners.models import Program

    if user.is_authenticated and user.is_channel_manager:
        return Program.objects.all()
    membership = membership_for_user(user)
    if membership is None or not user.is_active:
        return Program.objects.none()
    return Program.objects.filter(partners__pk=membership.partner_id)


def tier_list_for_user(*, user: User) -> QuerySet:
    """The tiers of the programs the user may see, with their benefits."""
    from partners.models import Tier

    return (
        Tier.objects.filter(program__in=program_list_for_user(user=user))
        .select_related("program")
        .prefetch_related("benefits")
    )


def membership_list_for_user(*, user: User) -> QuerySet[PartnerMembership]:
    """Vendor staff see every partner's team; a partner admin their own team (as on the team
    page); anybody else nothing."""
    qs = PartnerMembership.objects.select_related("user", "partner")
    if user.is_authenticated and user.is_channel_manager:
        return qs
    membership = membership_for_user(user)
    if membership is None or not membership.is_admin or not user.is_active:
        return qs.none()
    return qs.filter(partner_id=membership.partner_id)


# --- Tiers (issue 9) ------------------------------------------------------------------------
# The tier mechanics are the tiers app's, a feature the core does not import: tiers registers
# its progress reader here from ``TiersConfig.ready()``. What a tier gives is program
# configuration and stays here (``partners.benefits``).

tier_readers: Registry = Registry("tier reader")


def tier_progress(partner: Partner, *, at=None):
    """Progress of ``partner`` to its next tier (``tiers.progress.TierProgress``, read through
    the reader tiers registers): rows like "2 of 3 certified people" with what to do next, and
    any pending demotion warning. The caller has already checked that the user may see this
    partner."""
    return tier_readers.get("progress")(partner, at=at)


def partner_benefits(partner: Partner):
    """The typed benefits of ``partner``'s current tier
    (``partners.benefits.PartnerBenefits``: ``deal_protection_days``,
    ``discount_percent``, ``mdf_eligible``, ``mdf_allocation`` + ``mdf_period`` + ``currency``,
    ``content_access``, and ``items`` for display). One query."""
    from partners.benefits import partner_benefits as benefits

    return benefits(partner)


# --- Offerings: their audience ------------------------------------------------------------------


@dataclass(frozen=True)
class OfferingAudience:
    """The programs and partner types an offering is meant for (ids); empty: every one. A
    partner is in the audience when both its program and its type are (the course rule)."""

    programs: frozenset[int] = frozenset()
    partner_types: frozenset[int] = frozenset()

    @property
    def everyone(self) -> bool:
        return not self.programs and not self.partner_types

    def includes(self, *, program_id: int, partner_type_id: int) -> bool:
        return (not self.programs or program_id in self.programs) and (
            not self.partner_types or partner_type_id in self.partner_types
        )

    def partners(self, qs: QuerySet[Partner]) -> QuerySet[Partner]:
        """``qs`` narrowed to the partners in this audience."""
        if self.programs:
            qs = qs.filter(program_id__in=sorted(self.programs))
        if self.partner_types:
            qs = qs.filter(partner_type_id__in=sorted(self.partner_types))
        return qs


def offering_audiences(offerings) -> dict[int, OfferingAudience]:
    """Offering id → its audience, for these offerings (objects or ids). Two queries."""
    ids = [getattr(o, "pk", o) for o in offerings]
    programs: dict[int, set[int]] = defaultdict(set)
    types: dict[int, set[int]] = defaultdict(set)
    if ids:
        for offering_id, program_id in Offering.programs.through.objects.filter(
            offering_id__in=ids
        ).values_list("offering_id", "program_id"):
            programs[offering_id].add(program_id)
        for offering_id, type_id in Offering.partner_types.through.objects.filter(
            offering_id__in=ids
        ).values_list("offering_id", "partnertype_id"):
            types[offering_id].add(type_id)
    return {
        pk: OfferingAudience(frozenset(programs.get(pk, ())), frozenset(types.get(pk, ())))
        for pk in ids
    }


def offerings_for_partner(qs: QuerySet[Offering], *, partner: Partner | int) -> QuerySet[Offering]:
    """``qs`` narrowed to the offerings whose audience includes ``partner`` (its program and
    type; an offering with no program or no type listed is meant for every one). Given an id,
    the partner's program and type are read in the same query."""
    if isinstance(partner, Partner):
        program_id, type_id = partner.program_id, partner.partner_type_id
    else:
        row = Partner.objects.filter(pk=partner)
        program_id = Subquery(row.values("program_id")[:1])
        type_id = Subquery(row.values("partner_type_id")[:1])
    programs = Offering.programs.through.objects.filter(offering_id=OuterRef("pk"))
    types = Offering.partner_types.through.objects.filter(offering_id=OuterRef("pk"))
    return qs.filter(
        ~Exists(programs) | Exists(programs.filter(program_id=program_id)),
        ~Exists(types) | Exists(types.filter(partnertype_id=type_id)),
    )


def offering_list_for_partner(*, partner: Partner) -> QuerySet[Offering]:
    """The active offerings a partner may sell and adopt (its audience), by name."""
    return offerings_for_partner(Offering.objects.filter(is_active=True), partner=partner)


def partner_admins_by_partner(*, partner_ids) -> dict[int, list[User]]:
    """The active partner admins of each partner in ``partner_ids`` (one query), by name: whom a
    vendor writes to on a partner's behalf (the bulk email of the partner list)."""
    admins: dict[int, list[User]] = defaultdict(list)
    rows = (
        PartnerMembership.objects.filter(
            partner_id__in=list(partner_ids), role=MemberRole.ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    for membership in rows:
        admins[membership.partner_id].append(membership.user)
    return dict(admins)


# --- Saved views of the partner list ---------------------------------------------------------------


def saved_view_list_for_user(*, user: User):
    """The views ``user`` may open: their own and the ones other vendor staff shared (vendor
    staff only; anybody else none). Owner's views first, then by name."""
    if not (user.is_authenticated and user.is_channel_manager):
        return SavedPartnerView.objects.none()
    return (
        SavedPartnerView.objects.filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "pk")
    )


def saved_view_get_for_user(*, user: User, pk: int):
    view = saved_view_list_for_user(user=user).filter(pk=pk).first()
    if view is None:
        raise Http404("No such view.")
    return view
