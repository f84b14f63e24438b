"""Deal panels for pages owned by other apps (partner home, manager home, partner detail): they
include a tag, so their views need not know about deals."""

from django import template

from deals import selectors
from deals.choices import DealStatus

register = template.Library()


@register.inclusion_tag("deals/_panel_partner.html", takes_context=True)
def partner_deals_panel(context, limit: int = 5):
    """The partner home's "Your deals": the latest deals the user can see and counts by status."""
    user = context["request"].user
    qs = selectors.deal_list_for_user(user=user)
    counts = selectors.deal_status_counts(qs=qs)
    return {
        "deals": list(qs.order_by("-created_at", "-pk")[:limit]),
        "counts": [
            (s, label, counts.get(s, 0)) for s, label in DealStatus.choices if counts.get(s)
        ],
        "total": sum(counts.values()),
    }


@register.inclusion_tag("deals/_panel_review.html", takes_context=True)
def deals_awaiting_review_panel(context, limit: int = 8):
    """The manager home's "Deals awaiting review", oldest first."""
    deals, total, mine = selectors.deals_awaiting_review(user=context["request"].user, limit=limit)
    return {"deals": deals, "total": total, "mine": mine}


@register.inclusion_tag("deals/_panel_partner_deals.html", takes_context=True)
def partner_deals_for_manager(context, partner, limit: int = 10):
    """A partner's latest registrations on the manager's partner page."""
    qs = selectors.deal_list_for_user(user=context["request"].user).filter(partner=partner)
    return {"deals": list(qs.order_by("-created_at", "-pk")[:limit]), "partner": partner}
