"""Conversion of a lead into a deal registration, learnt from deals' events (leads never imports
deals): when a partner submits a registration for the customer domain of a lead it accepted, the
lead is converted and linked to the deal. The deal's facts come from the reader deals registers
(``deals.registrations`` in ``partners.readers.readers``). Then the deal's outcome
(``deal.won`` with its amount and currency, ``deal.lost``) is kept on the lead it came from: the
lead metrics' won and revenue. Both are safe to run twice."""

from decimal import Decimal, InvalidOperation

from events.choices import EventKind
from leads.choices import DealOutcome
from leads.services import lead_link_deal, lead_record_deal_outcome
from partners.readers import readers

KINDS = frozenset({EventKind.DEAL_SUBMITTED})
OUTCOME_KINDS = {EventKind.DEAL_WON: DealOutcome.WON, EventKind.DEAL_LOST: DealOutcome.LOST}


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


def _amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and abs(amount) < Decimal("1e12") else None


def on_deal_outcomes(events) -> None:
    """``deal.won`` / ``deal.lost`` events, oldest first: one UPDATE each (a deal from no lead
    changes nothing)."""
    for event in sorted(events, key=lambda e: (e.occurred_at, e.pk)):
        deal_id = event.properties.get("deal")
        if not isinstance(deal_id, int) or event.kind not in OUTCOME_KINDS:
            continue
        lead_record_deal_outcome(
            deal_id=deal_id,
            outcome=OUTCOME_KINDS[event.kind],
            amount=_amount(event.properties.get("amount")),
            currency=str(event.properties.get("currency") or ""),
            at=event.occurred_at,
        )


def protection_of(domains) -> dict[str, dict]:
    """Which of ``domains`` a partner protects with an approved deal registration ({} when deals
    is not installed)."""
    if "deals.protected_customers" not in readers:
        return {}
    return readers.get("deals.protected_customers")(domains=domains)
