"""Conversion of a lead into a deal registration, learnt from deals' events (leads never imports
deals): when a partner submits a registration for the customer domain of a lead it accepted, the
lead is converted and linked to the deal. The deal's facts come from the reader deals registers
(``deals.registrations`` in ``partners.readers.readers``). Safe to run twice."""

from events.choices import EventKind
from leads.services import lead_link_deal
from partners.readers import readers

KINDS = frozenset({EventKind.DEAL_SUBMITTED})


def on_deal_events(events) -> None:
    ids = [e.properties.get("deal") for e in events if isinstance(e.properties.get("deal"), int)]
    deals = readers.get("deals.registrations")(ids=ids) if ids else {}
    for event in events:
        deal = deals.get(event.properties.get("deal"))
        if deal is None:
            continue
        lead_link_deal(
            partner_id=deal["partner_id"],
            domain=deal["domain"],
            deal_id=event.properties["deal"],
            at=event.occurred_at,
        )


def protection_of(domains) -> dict[str, dict]:
    """Which of ``domains`` a partner protects with an approved deal registration ({} when deals
    is not installed)."""
    if "deals.protected_customers" not in readers:
        return {}
    return readers.get("deals.protected_customers")(domains=domains)
