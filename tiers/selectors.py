"""Reads of the tier pages, scoped to the user (``partners.selectors.partner_list_for_user``)."""

from django.http import Http404
from django.utils import timezone

from accounts.models import User
from partners.models import Partner
from partners.permissions import can_override_tier
from partners.selectors import partner_get_for_user, partner_list_for_user
from tiers.models import TierHistory, TierStanding


def tier_review_for_user(*, user: User, limit: int = 100) -> dict:
    """For the vendor's tier review page: partners warned of a demotion (soonest first), partners
    pinned by an override, and the latest tier changes, among the partners ``user`` may see.
    Three queries."""
    visible = partner_list_for_user(user=user).values("pk")
    now = timezone.now()
    standings = TierStanding.objects.filter(partner_id__in=visible).select_related(
        "partner", "partner__tier", "partner__owner", "demote_to"
    )
    return {
        "at_risk": list(
            standings.filter(below_since__isnull=False).order_by("demote_after")[:limit]
        ),
        "pinned": list(standings.filter(pinned_until__gt=now).order_by("pinned_until")[:limit]),
        "history": list(
            TierHistory.objects.filter(partner_id__in=visible)
            .select_related("partner", "from_tier", "to_tier", "actor")
            .order_by("-at", "-pk")[:limit]
        ),
    }


def partner_get_for_tier_override(*, user: User, pk: int) -> Partner:
    """A partner whose tier ``user`` may override: vendor admins any, a channel manager the
    partners they own; anybody else gets 404."""
    partner = partner_get_for_user(user=user, pk=pk)
    if not can_override_tier(user, partner):
        raise Http404("No such partner.")
    return partner
