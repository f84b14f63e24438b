"""Template helpers for partner pages."""

from django import template

from partners.permissions import can_open

register = template.Library()


@register.filter
def opens_for(url: str, user) -> bool:
    """``{% if row.action_url|opens_for:user %}``: link only to pages this user may open."""
    return bool(url) and can_open(user, url)
