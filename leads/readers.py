"""Leads' facts for metric definitions, registered in ``partners.readers.readers`` from
``LeadsConfig.ready()`` (the reader contract is in ``partners/readers.py``): metrics reads the
lead metrics through this, never leads' models. Dates are timezone-aware, ``start`` inclusive and
``end`` exclusive."""

from django.db.models import F

from leads.choices import OfferState
from leads.models import LeadOffer
from partners.readers import readers

ANSWERED = (OfferState.ACCEPTED, OfferState.DECLINED)


def answered_offers(*, partners, start, end) -> list[dict]:
    """The offers made to ``partners`` that they answered (accepted or declined) in [start, end),
    one dict each: ``partner_id``, ``partner_name``, ``program_id``, ``program_name`` (the lead's),
    ``accepted`` (bool), ``offered_at``, ``answered_at``, and for an accepted offer what became
    of its lead: ``converted`` (a deal registration was made of it), ``outcome`` (``"won"``,
    ``"lost"`` or ``""``), ``amount`` (Decimal, None unless won) and ``currency``. One query."""
    rows = (
        LeadOffer.objects.filter(
            partner__in=partners,
            state__in=ANSWERED,
            answered_at__gte=start,
            answered_at__lt=end,
        )
        .order_by("partner_id", "pk")
        .values(
            "partner_id",
            "state",
            "offered_at",
            "answered_at",
            partner_name=F("partner__name"),
            program_id=F("lead__program_id"),
            program_name=F("lead__program__name"),
            deal_id=F("lead__deal_id"),
            lead_partner_id=F("lead__partner_id"),
            outcome=F("lead__deal_outcome"),
            amount=F("lead__deal_amount"),
            currency=F("lead__deal_currency"),
        )
    )
    out = []
    for row in rows:
        accepted = row.pop("state") == OfferState.ACCEPTED
        lead_partner_id, deal_id = row.pop("lead_partner_id"), row.pop("deal_id")
        # the lead's deal is this partner's only when this partner holds the lead
        converted = accepted and lead_partner_id == row["partner_id"] and deal_id is not None
        row.update(
            accepted=accepted,
            converted=converted,
            outcome=row["outcome"] if converted else "",
            amount=row["amount"] if converted else None,
            currency=row["currency"] if converted else "",
        )
        out.append(row)
    return out


def register() -> None:
    readers.register("leads.answered_offers", answered_offers)
