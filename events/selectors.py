"""Reading the log."""

from events.models import Event


def event_list_for_partner(*, partner_id: int, limit: int = 50) -> list[Event]:
    """The newest events of one partner, for a timeline. One indexed query, bounded by ``limit``.

    The caller has already checked that the user may see this partner (partners.selectors).
    """
    return list(
        Event.objects.filter(partner_id=partner_id)
        .select_related("user")
        .order_by("-occurred_at", "-id")[:limit]
    )
