"""``{% user_adoption_panel %}``: the user-adoption panel anywhere (dashboards, partner pages)
without their views knowing about customers. Reads through the scoped selector, so a page shows
only what its viewer may see (nothing at all when they may see nothing)."""

from django import template

from customers import selectors

register = template.Library()


@register.inclusion_tag("customers/_user_adoption_panel.html", takes_context=True)
def user_adoption_panel(context, partner=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    adoption = None
    if user is not None and user.is_authenticated:
        adoption = selectors.user_adoption_for_user(
            user=user, partner_id=partner.pk if partner is not None else None
        )
    return {"adoption": adoption, "partner": partner}
