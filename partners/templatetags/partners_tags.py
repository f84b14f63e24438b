"""Template helpers for partner pages."""

from django import template

from partners.permissions import can_open, can_override_tier

register = template.Library()


@register.filter
def opens_for(url: str, user) -> bool:
    """``{% if row.action_url|opens_for:user %}``: link only to pages this user may open."""
    return bool(url) and can_open(user, url)


@register.filter
def tier_overridable_by(partner, user) -> bool:
    """``{% if s.partner|tier_overridable_by:user %}``: show the override link only to vendor
    admins and the partner's own channel manager (anyone else would get a 404)."""
    return can_override_tier(user, partner)
