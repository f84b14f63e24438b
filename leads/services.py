"""Writes of leads: keyword-only, atomic, refusing bad input with ValidationError (keyed by field
where there is one). Roles are the views' business (``leads.permissions``); these check what makes
the data valid and the moves allowed.

Routing: ``lead_route`` reads the facts (``leads.facts``) and asks the pure ``leads.routing``
which partner gets the lead; the offer keeps the answer's ``why``. An offer waits ``sla_hours``
(per program); declined or expired, the lead goes to the next partner (never one offered it
before). ``offers_expire`` (a periodic task) claims each overdue offer with a conditional UPDATE,
so two workers or a rerun expire and reassign it once. Accepting is guarded by the database: one
accepted offer per lead (``lead_one_accepted_offer``); the loser of a race is told it was taken.

Every action records its event (``lead.*``, ``events.choices``).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventKind
from events.services import record_event
from kernel.text import clean_free_text
from leads import facts, notifications, routing
from leads.choices import (
    PARTNER_MOVES,
    ROUTABLE_STATUSES,
    WORKING_STATUSES,
    DealOutcome,
    LeadSize,
    LeadSource,
    LeadStatus,
    OfferState,
)
from leads.models import DEFAULT_SLA_HOURS, Lead, LeadOffer, LeadSla
from partners.choices import Region
from partners.models import Offering
from partners.services import normalize_domain

REASON_MAX = 1000
EXTERNAL_ID_MAX = 100
DOMAIN_MAX = 253


class LeadError(ValidationError):
    """A refused lead action; its message is shown to the user as is."""


def sla_hours(program_id: int) -> int:
    row = LeadSla.objects.filter(program_id=program_id).values_list("hours", flat=True).first()
    return row or DEFAULT_SLA_HOURS


def _event(kind, *, lead, key, partner=None, user=None, at=None, **properties) -> None:
    record_event(
        kind=kind,
        key=key,
        partner=partner,
        user=user,
        subject=lead,
        occurred_at=at,
        properties={"lead": lead.pk, **properties},
    )


# --- Intake ---------------------------------------------------------------------------------------
def _outside_program(offerings, program) -> bool:
    """Whether an offering is archived or meant for other programs only (no programs: every
    program). One query."""
    if any(not o.is_active for o in offerings):
        return True
    return (
        Offering.objects.filter(pk__in=[o.pk for o in offerings], programs__isnull=False)
        .exclude(programs=program)
        .exists()
    )


def lead_clean(data: dict) -> dict:
    """The lead's fields checked and tidied; ValidationError keyed by field."""
    errors: dict[str, str] = {}
    out = dict(data)
    out["company"] = " ".join(clean_free_text(data.get("company") or "").split())
    if not out["company"]:
        errors["company"] = _("Name the company.")
    elif len(out["company"]) > 200:
        errors["company"] = _("Keep the company name under 200 characters.")
    domain = normalize_domain(data.get("domain") or "")
    if domain and (len(domain) > DOMAIN_MAX or "." not in domain or " " in domain):
        errors["domain"] = _("Give a web domain such as example.com.")
    out["domain"] = domain
    if data.get("region") not in Region.values:
        errors["region"] = _("Choose a region.")
    email = (data.get("contact_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = _("Give a valid email address.")
    out["contact_email"] = email
    for name, limit in (("contact_name", 150), ("contact_phone", 40), ("notes", 4000)):
        value = clean_free_text(data.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("Keep this under %(max)s characters.") % {"max": limit}
        out[name] = value
    if (data.get("size") or "") not in ("", *LeadSize.values):
        errors["size"] = _("Choose a company size.")
    out["size"] = data.get("size") or ""
    if (data.get("source") or LeadSource.OTHER) not in LeadSource.values:
        errors["source"] = _("Choose a source.")
    out["source"] = data.get("source") or LeadSource.OTHER
    external_id = (data.get("external_id") or "").strip()
    if len(external_id) > EXTERNAL_ID_MAX:
        errors["external_id"] = _("Keep the external id under 100 characters.")
    out["external_id"] = external_id
    program = data.get("program")
    if program is None or not program.is_active:
        errors["program"] = _("Choose an active program.")
    offerings = list(data.get("offerings") or ())
    if program is not None and offerings and _outside_program(offerings, program):
        errors["offerings"] = _("Choose offerings of the lead's program.")
    out["offerings"] = offerings
    if errors:
        raise ValidationError(errors)
    return out


FIELDS = (
    "program", "company", "domain", "country", "region", "contact_name", "contact_email",
    "contact_phone", "size", "source", "notes", "external_id",
)  # fmt: skip


def lead_create(
    *, actor, via: str = "form", route: bool = True, now=None, **data
) -> tuple[Lead, bool]:
    """A new lead (routed at once unless ``route`` is False). With an ``external_id`` seen before,
    the lead that has it is returned untouched and ``created`` is False: importing a file or
    posting a lead twice makes one lead."""
    clean = lead_clean(data)
    if clean["external_id"]:
        known = Lead.objects.filter(external_id=clean["external_id"]).first()
        if known is not None:
            return known, False
    try:
        with transaction.atomic():
            at = now or timezone.now()
            lead = Lead.objects.create(
                created_at=at,
                updated_at=at,
                created_by=actor,
                **{name: clean.get(name) or "" for name in FIELDS if name != "program"},
                program=clean["program"],
            )
            lead.offerings.set(clean["offerings"])
            _event(
                EventKind.LEAD_CREATED, lead=lead, key=f"lead.created:{lead.pk}", user=actor,
                at=lead.created_at, source=lead.source, via=via,
            )  # fmt: skip
    except IntegrityError:  # the same external id posted at the same moment: theirs won
        known = Lead.objects.filter(external_id=clean["external_id"]).first()
        if known is None or not clean["external_id"]:
            raise
        return known, False
    if route:
        lead_route(lead=lead, actor=actor, now=now)
        lead.refresh_from_db()
    return lead, True


# --- Routing --------------------------------------------------------------------------------------
def _readable(why: dict, names: dict[int, str]) -> dict:
    """The why with offering ids as names (it is read by people)."""
    if "offerings" not in why.get("lead", {}):
        return why
    offerings = [names.get(i, str(i)) for i in why["lead"]["offerings"]]
    return why | {"lead": why["lead"] | {"offerings": offerings}}


def _offer_next(lead: Lead, *, now, actor=None, only=None) -> LeadOffer | None:
    """Offer the locked ``lead`` to the next partner(s) routing picks (or mark it unrouted); the
    first offer is returned. ``only``: the partner ids the vendor allows (its pick); the rules
    still decide among them."""
    tried = set(lead.offers.values_list("partner_id", flat=True))
    rules = facts.rule_facts(lead.program_id)
    lead_facts = facts.lead_facts(lead)
    partners = facts.partner_facts(lead.program_id, rules, lead_facts) if rules else []
    if only is not None:
        allowed = set(only)
        partners = [p for p in partners if p.id in allowed]
    choice = routing.route(lead_facts, partners, rules, exclude=tried)
    if choice is None:
        lead.status = LeadStatus.UNROUTED
        lead.updated_at = now
        lead.save(update_fields=["status", "updated_at"])
        _event(
            EventKind.LEAD_UNROUTED, lead=lead, key=f"lead.unrouted:{lead.pk}:{len(tried)}",
            user=actor, at=now, tried=len(tried),
        )  # fmt: skip
        notifications.lead_unrouted(lead)
        return None
    names = {o.pk: o.name for o in lead.offerings.all()}
    answer_time = timedelta(hours=sla_hours(lead.program_id))
    deadline, remind_at = now + answer_time, now + answer_time * 3 / 4
    offers = [
        LeadOffer.objects.create(
            lead=lead,
            partner_id=partner_id,
            rule_id=choice.rule_id,
            why=_readable(why, names),
            offered_at=now,
            deadline=deadline,
            remind_at=remind_at,
        )
        for partner_id, why in ((choice.partner_id, choice.why), *choice.also)
    ]
    lead.status = LeadStatus.OFFERED
    lead.updated_at = now
    lead.save(update_fields=["status", "updated_at"])
    for offer in offers:
        _event(
            EventKind.LEAD_OFFERED, lead=lead, key=f"lead.offered:{offer.pk}",
            partner=offer.partner, user=actor, at=now, offer=offer.pk, rule=choice.rule_id,
            deadline=offer.deadline.isoformat(),
        )  # fmt: skip
        notifications.offer_made(offer)
    return offers[0]


@transaction.atomic
def lead_route(*, lead: Lead, actor=None, now=None, only=None) -> LeadOffer | None:
    """Route a new or unrouted lead (the vendor's "route again" after changing the rules).
    ``only``: route among these partner ids alone (a named account the vendor wants with one
    partner); the rules must still match it, and the why says which did."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status not in ROUTABLE_STATUSES:
        raise LeadError(_("This lead is already with a partner."))
    return _offer_next(lead, now=now or timezone.now(), actor=actor, only=only)


# --- A partner's answer ---------------------------------------------------------------------------
def _lock(offer: LeadOffer, now) -> tuple[Lead, LeadOffer]:
    """Lock the lead, then its offer (always in that order, here and in the expiry job, so two
    answers or an answer and the job never wait on each other crosswise), and check the offer
    is still open."""
    lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
    offer = LeadOffer.objects.select_for_update().select_related("partner").get(pk=offer.pk)
    if offer.state != OfferState.OFFERED:
        raise LeadError(_("This offer was already answered or has ended."))
    if offer.deadline <= now:
        raise LeadError(_("The time to answer this offer has run out."))
    return lead, offer


def _pass_on_if_nobody_left(lead: Lead, *, now) -> None:
    """After an offer ends without a winner: when no other offer of the lead is open (offered to
    several, the others may still accept), it goes to the next partner."""
    if (
        lead.status == LeadStatus.OFFERED
        and not lead.offers.filter(state=OfferState.OFFERED).exists()
    ):
        _offer_next(lead, now=now)


def offer_accept(*, offer: LeadOffer, actor, now=None) -> LeadOffer:
    """The partner takes the lead. A lead is won once: the lead's row lock serialises answers,
    and the database refuses a second accepted offer (``lead_one_accepted_offer``) should anything
    slip past it; the loser is told the lead is taken."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            lead, offer = _lock(offer, now)
            if lead.status != LeadStatus.OFFERED:
                raise LeadError(_("This lead is no longer on offer."))
            offer.state, offer.answered_at, offer.answered_by = OfferState.ACCEPTED, now, actor
            offer.save(update_fields=["state", "answered_at", "answered_by"])
            lead.status, lead.partner_id, lead.updated_at = (
                LeadStatus.ACCEPTED,
                offer.partner_id,
                now,
            )
            lead.save(update_fields=["status", "partner", "updated_at"])
            # the other open offers of the lead (offered to several) end here
            LeadOffer.objects.filter(lead=lead, state=OfferState.OFFERED).exclude(
                pk=offer.pk
            ).update(state=OfferState.WITHDRAWN, answered_at=now)
            hours = int((now - offer.offered_at).total_seconds() // 3600)
            _event(
                EventKind.LEAD_ACCEPTED, lead=lead, key=f"lead.accepted:{offer.pk}",
                partner=offer.partner, user=actor, at=now, offer=offer.pk, hours_to_accept=hours,
            )  # fmt: skip
    except IntegrityError as exc:
        raise LeadError(_("Another partner has already accepted this lead.")) from exc
    return offer


@transaction.atomic
def offer_decline(*, offer: LeadOffer, actor, reason: str, now=None) -> LeadOffer:
    """The partner passes, saying why; the lead goes to the next partner at once."""
    now = now or timezone.now()
    reason = clean_free_text(reason or "").strip()
    if not reason:
        raise LeadError({"reason": _("Say why you decline the lead.")})
    if len(reason) > REASON_MAX:
        raise LeadError(
            {"reason": _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}}
        )
    lead, offer = _lock(offer, now)
    offer.state, offer.answered_at, offer.answered_by = OfferState.DECLINED, now, actor
    offer.decline_reason = reason
    offer.save(update_fields=["state", "answered_at", "answered_by", "decline_reason"])
    _event(
        EventKind.LEAD_DECLINED, lead=lead, key=f"lead.declined:{offer.pk}",
        partner=offer.partner, user=actor, at=now, offer=offer.pk,
    )  # fmt: skip
    _pass_on_if_nobody_left(lead, now=now)
    return offer


def offers_expire(*, now=None, limit: int = 500) -> int:
    """Expire the offers not answered by their deadline and pass each lead on. Each offer is
    claimed by one conditional UPDATE (state offered → expired) under its lead's lock, so a rerun
    or a second worker finds nothing left to do: a lead is reassigned at most once per
    deadline."""
    now = now or timezone.now()
    due = list(
        LeadOffer.objects.filter(state=OfferState.OFFERED, deadline__lte=now)
        .order_by("deadline", "pk")
        .values_list("pk", "lead_id")[:limit]
    )
    expired = 0
    for pk, lead_id in due:
        with transaction.atomic():
            lead = Lead.objects.select_for_update().get(pk=lead_id)
            claimed = LeadOffer.objects.filter(
                pk=pk, state=OfferState.OFFERED, deadline__lte=now
            ).update(state=OfferState.EXPIRED, answered_at=now)
            if not claimed:
                continue  # answered meanwhile, or another run took it
            expired += 1
            offer = LeadOffer.objects.select_related("partner").get(pk=pk)
            _event(
                EventKind.LEAD_OFFER_EXPIRED, lead=lead, key=f"lead.offer_expired:{offer.pk}",
                partner=offer.partner, at=now, offer=offer.pk,
            )  # fmt: skip
            _pass_on_if_nobody_left(lead, now=now)
    return expired


def offers_remind(*, now=None, limit: int = 500) -> int:
    """Remind the partners whose offers have a quarter of their answer time left (once each:
    the run claims an offer by setting ``reminded_at`` with a conditional UPDATE)."""
    now = now or timezone.now()
    due = list(
        LeadOffer.objects.filter(
            state=OfferState.OFFERED, reminded_at__isnull=True, remind_at__lte=now, deadline__gt=now
        )
        .order_by("remind_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            claimed = LeadOffer.objects.filter(
                pk=pk, state=OfferState.OFFERED, reminded_at__isnull=True
            ).update(reminded_at=now)
            if claimed:
                notifications.offer_reminder(LeadOffer.objects.select_related("lead").get(pk=pk))
                sent += 1
    return sent


# --- The accepting partner's updates --------------------------------------------------------------
@transaction.atomic
def lead_set_status(*, lead: Lead, actor, status: str, reason: str = "", now=None) -> Lead:
    now = now or timezone.now()
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    allowed_from = PARTNER_MOVES.get(status)
    if allowed_from is None:
        raise LeadError({"status": _("Choose contacted, qualified or lost.")})
    if lead.status not in allowed_from:
        raise LeadError(
            _("A lead that is %(now)s cannot become %(to)s.")
            % {"now": lead.get_status_display().lower(), "to": LeadStatus(status).label.lower()}
        )
    reason = clean_free_text(reason or "").strip()
    if status == LeadStatus.LOST:
        if not reason:
            raise LeadError({"reason": _("Say why the lead was lost.")})
        if len(reason) > REASON_MAX:
            raise LeadError(
                {"reason": _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}}
            )
        lead.lost_reason = reason
    before = lead.status
    lead.status, lead.updated_at = status, now
    lead.save(update_fields=["status", "lost_reason", "updated_at"])
    _event(
        EventKind.LEAD_STATUS_CHANGED, lead=lead, key=f"lead.status_changed:{lead.pk}:{status}",
        partner=lead.partner, user=actor, at=now, **{"from": before, "to": status},
    )  # fmt: skip
    return lead


def lead_link_deal(*, partner_id: int, domain: str, deal_id: int, at=None) -> Lead | None:
    """A deal registration the partner submitted for a customer of a lead it works on: the lead
    is converted and points to the deal. Safe to run twice (the consumer may be retried)."""
    if not domain:
        return None
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update()
            .filter(partner_id=partner_id, domain=domain, status__in=WORKING_STATUSES)
            .order_by("-created_at", "-pk")
            .first()
        )
        if lead is None:
            return None
        lead.status, lead.deal_id, lead.updated_at = LeadStatus.CONVERTED, deal_id, timezone.now()
        lead.save(update_fields=["status", "deal_id", "updated_at"])
        _event(
            EventKind.LEAD_CONVERTED, lead=lead, key=f"lead.converted:{lead.pk}",
            partner=lead.partner, at=at, deal=deal_id,
        )  # fmt: skip
    return lead


def lead_record_deal_outcome(
    *, deal_id: int, outcome: str, amount=None, currency: str = "", at=None
) -> int:
    """The deal a lead became was won or lost (deals' ``deal.won`` / ``deal.lost``): kept on the
    lead for the lead metrics (won, revenue from vendor leads). Safe to run twice: the last
    outcome of the deal wins (a deal reopened and closed again). How many leads it changed (0
    when the deal came from no lead). One query."""
    if outcome not in DealOutcome.values:
        raise LeadError(_("Unknown deal outcome."))
    return Lead.objects.filter(deal_id=deal_id).update(
        deal_outcome=outcome,
        deal_closed_at=at or timezone.now(),
        deal_amount=amount if outcome == DealOutcome.WON else None,
        deal_currency=(currency or "")[:3] if outcome == DealOutcome.WON else "",
    )
