"""Deal panels for pages owned by other apps (partner home, manager home, partner detail): they
include a tag, so their views need not know about deals."""

from django import template
from django.db.models import Count, Window

from deals import selectors
from partners.selectors import owns_partners

register = template.Library()


@register.inclusion_tag("deals/_panel_partner.html", takes_context=True)
def partner_deals_panel(context, limit: int = 5):
    """The partner home's "Your deals": the latest deals the user can see, and how many there are
    (one query: the total is a window count over the scoped set, computed before the LIMIT)."""
    qs = selectors.deal_list_for_user(user=context["request"].user)
    deals = list(qs.annotate(total=Window(Count("id"))).order_by("-created_at", "-pk")[:limit])
    return {"deals": deals, "total": deals[0].total if deals else 0}


@register.inclusion_tag("deals/_panel_review.html", takes_context=True)
def deals_awaiting_review_panel(context, limit: int = 8):
    """The manager home's "Deals awaiting review", oldest first."""
    request = context["request"]
    deals, total, mine = selectors.deals_awaiting_review(
        user=request.user, limit=limit, owns_partners=owns_partners(request.user, request=request)
    )
    return {"deals": deals, "total": total, "mine": mine}


@register.inclusion_tag("deals/_panel_partner_deals.html", takes_context=True)
def partner_deals_for_manager(context, partner, limit: int = 10):
    """A partner's latest registrations on the manager's partner page."""
    qs = selectors.deal_list_for_user(user=context["request"].user).filter(partner=partner)
    return {"deals": list(qs.order_by("-created_at", "-pk")[:limit]), "partner": partner}
