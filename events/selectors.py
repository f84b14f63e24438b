"""Reading the log."""

from events.choices import STAFF_ONLY_KINDS
from events.models import Event


def event_list_for_partner(*, partner_id: int, limit: int = 50) -> list[Event]:
    """The newest events of one partner, for a timeline. One indexed query, bounded by ``limit``.

    The caller has already checked that the user may see this partner (partners.selectors).
    Vendor staff's own notes and tasks (``STAFF_ONLY_KINDS``) are left out: partners see this.
    """
    return list(
        Event.objects.filter(partner_id=partner_id)
        .exclude(kind__in=STAFF_ONLY_KINDS)
        .select_related("user")
        .order_by("-occurred_at", "-id")[:limit]
    )
