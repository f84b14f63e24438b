"""Writes for deal registrations: one service per transition. Each locks the deal row, checks the
current status against ``DEAL_TRANSITIONS``, stores a ``DealTransition``, records the event and
queues its email after commit. Anything refused raises ``DealError`` with a message for the user.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from deals import selectors
from deals.choices import (
    DEAL_TRANSITIONS,
    MAX_EXTENSION_DAYS,
    DealStatus,
    ExtensionStatus,
    HelpKind,
    HelpStatus,
)
from deals.choices import NoticeKind as N
from deals.matching import (
    is_valid_domain,
    is_webmail_domain,
    normalize_company_name,
    normalize_domain,
)
from deals.models import (
    Deal,
    DealExtensionRequest,
    DealHelpNote,
    DealHelpRequest,
    DealLineItem,
    DealTransition,
)
from deals.notifications import notify, notify_help
from events.choices import EventKind
from events.services import record_event
from kernel.text import clean_free_text
from partners.selectors import offering_list_for_partner


class DealError(Exception):
    """A refused deal operation; the message is shown to the user as is."""


@dataclass(frozen=True)
class Line:
    offering: object  # partners.Offering
    quantity: int
    unit_amount: Decimal


DETAIL_FIELDS = (
    "customer_name",
    "customer_domain",
    "customer_country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "currency",
    "expected_close_date",
    "stage",
    "notes",
)


# --- helpers -----------------------------------------------------------------------------------


def _lock(deal: Deal) -> Deal:
    return Deal.objects.select_for_update().select_related("partner", "created_by").get(pk=deal.pk)


def _require(deal: Deal, to_status: str) -> None:
    if to_status not in DEAL_TRANSITIONS.get(deal.status, set()):
        raise DealError(
            f"A deal that is {deal.get_status_display().lower()} cannot become "
            f"{DealStatus(to_status).label.lower()}."
        )


def _move(deal: Deal, to_status: str, *, actor: User | None, at, note: str = "") -> None:
    DealTransition.objects.create(
        deal=deal, from_status=deal.status, to_status=to_status, actor=actor, at=at, note=note
    )
    deal.status = to_status


def _properties(deal: Deal, amount: Decimal | None = None) -> dict:
    """The ``deal.*`` event contract: deal id, amount as a string decimal, currency, offerings."""
    slugs = sorted({line.offering.slug for line in deal.line_items.select_related("offering")})
    return {
        "deal": deal.pk,
        "amount": f"{(amount if amount is not None else deal.amount):.2f}",
        "currency": deal.currency,
        "offerings": slugs,
    }


def _record(deal: Deal, kind: str, *, actor: User | None, at, amount=None, key_suffix="") -> None:
    record_event(
        kind=kind,
        key=f"{kind}:{deal.pk}{key_suffix}",
        partner=deal.partner,
        user=actor,
        subject=deal,
        occurred_at=at,
        properties=_properties(deal, amount),
    )


def _apply_details(deal: Deal, details: dict) -> None:
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise DealError(f"Unknown deal fields: {', '.join(sorted(unknown))}.")
    for name, value in details.items():
        setattr(deal, name, value if value is not None or name == "expected_close_date" else "")
    deal.customer_name = (deal.customer_name or "").strip()
    if not deal.customer_name:
        raise DealError("Name the customer company.")
    deal.customer_name_normalized = normalize_company_name(deal.customer_name)
    deal.customer_domain = normalize_domain(deal.customer_domain)
    deal.customer_domain_normalized = deal.customer_domain
    if deal.customer_domain and not is_valid_domain(deal.customer_domain):
        raise DealError(f"{deal.customer_domain} is not a web domain (e.g. example.com).")


def _replace_lines(deal: Deal, lines: list[Line], *, new: bool = False) -> None:
    for line in lines:
        if not getattr(line.offering, "is_active", False):
            raise DealError(f"{line.offering} is not in the offering catalog.")
    # One query, whichever path (portal form, API) sent the lines: an offering meant for other
    # programs or partner types is refused like one outside the catalog.
    wanted = {ln.offering.pk for ln in lines}
    offered = (
        set(
            offering_list_for_partner(partner=deal.partner)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        if wanted
        else set()
    )
    for line in lines:
        if line.offering.pk not in offered:
            raise DealError(
                _("%(offering)s is not offered to your partner program.")
                % {"offering": line.offering}
            )
    for line in lines:
        if line.quantity < 1:
            raise DealError("Quantities must be at least 1.")
        if line.unit_amount <= 0:
            raise DealError("Unit amounts must be greater than zero.")
    if not new:  # a deal just created has no lines yet: nothing to read and delete
        deal.line_items.all().delete()
    DealLineItem.objects.bulk_create(
        DealLineItem(
            deal=deal, offering=ln.offering, quantity=ln.quantity, unit_amount=ln.unit_amount
        )
        for ln in lines
    )
    deal.amount = sum((ln.unit_amount * ln.quantity for ln in lines), Decimal("0"))
    if deal.amount >= Decimal("1e12"):
        raise DealError("The deal amount is too large.")


def _set_shares(deal: Deal, shared_with, *, new: bool = False) -> None:
    users = list(shared_with)
    if new and not users:  # a deal just created is shared with nobody yet
        return
    allowed = set(
        selectors.colleagues_for_sharing(partner_id=deal.partner_id).values_list("pk", flat=True)
    )
    if any(u.pk not in allowed for u in users):
        raise DealError("Deals can only be shared with colleagues of your own team.")
    deal.shared_with.set([u for u in users if u.pk != deal.created_by_id])


# --- drafts ------------------------------------------------------------------------------------


@transaction.atomic
def deal_create(
    *, partner, created_by: User, details: dict, lines: list[Line], shared_with=()
) -> Deal:
    """Save a new registration as a draft (nothing is checked for completeness yet)."""
    membership = getattr(created_by, "membership", None)
    if membership is None or membership.partner_id != partner.pk:
        raise DealError("Only members of a partner can register its deals.")
    deal = Deal(partner=partner, created_by=created_by, status=DealStatus.DRAFT)
    _apply_details(deal, details)
    deal.save()
    _replace_lines(deal, lines, new=True)
    deal.save(update_fields=["amount"])
    _set_shares(deal, shared_with, new=True)
    DealTransition.objects.create(
        deal=deal, from_status="", to_status=DealStatus.DRAFT, actor=created_by, at=deal.created_at
    )
    return deal


@transaction.atomic
def deal_update(
    *, deal: Deal, actor: User, details: dict, lines: list[Line], shared_with=None
) -> Deal:
    """Change a draft. Once submitted, the registration is what the manager reviews: frozen."""
    deal = _lock(deal)
    if deal.status != DealStatus.DRAFT:
        raise DealError("Only drafts can be changed; this deal was already submitted.")
    _apply_details(deal, details)
    _replace_lines(deal, lines)
    deal.save()
    if shared_with is not None:
        _set_shares(deal, shared_with)
    return deal


@transaction.atomic
def deal_delete_draft(*, deal: Deal, actor: User) -> None:
    """Throw away a draft. Nothing was submitted, so nothing (no event, no email) refers to it."""
    deal = _lock(deal)
    if deal.status != DealStatus.DRAFT:
        raise DealError("Only drafts can be deleted; a submitted registration stays on record.")
    deal.delete()


def _completeness_errors(deal: Deal) -> list[str]:
    errors = []
    if not deal.customer_domain_normalized:
        errors.append("the customer's web domain")
    elif is_webmail_domain(deal.customer_domain_normalized):
        errors.append("the customer's own web domain (not a webmail provider)")
    if not deal.customer_country:
        errors.append("the customer's country")
    if not deal.contact_name or not deal.contact_email:
        errors.append("a customer contact with an email address")
    if not deal.line_items.exists() or deal.amount <= 0:
        errors.append("at least one offering with a quantity and an amount")
    if deal.expected_close_date is None:
        errors.append("an expected close date")
    elif deal.expected_close_date < timezone.localdate():
        errors.append("an expected close date that is not in the past")
    return errors


# --- transitions -------------------------------------------------------------------------------


@transaction.atomic
def deal_submit(*, deal: Deal, actor: User, at=None) -> Deal:
    """Draft → submitted: the registration goes to the channel manager for review."""
    deal = _lock(deal)
    _require(deal, DealStatus.SUBMITTED)
    missing = _completeness_errors(deal)
    if missing:
        raise DealError("Before submitting, add " + "; ".join(missing) + ".")
    _own_protection_check(deal)
    at = at or timezone.now()
    _move(deal, DealStatus.SUBMITTED, actor=actor, at=at)
    deal.submitted_at = at
    deal.save(update_fields=["status", "submitted_at", "updated_at"])
    _record(deal, EventKind.DEAL_SUBMITTED, actor=actor, at=at)
    notify(deal=deal, kind=N.SUBMITTED)
    return deal


def _own_protection_check(deal: Deal) -> None:
    """Refuse a registration of a customer the partner already protects: one domain is protected
    once at a time, so the manager could never approve it. Only the partner's own protection is
    looked at; another partner's is the manager's call (a channel conflict) and stays unsaid.
    A registration still waiting for review does not block (it may be rejected); the manager
    sees both side by side."""
    existing = selectors.own_protected_registration_for_domain(deal=deal)
    if existing is None:
        return
    raise DealError(
        _(
            "Your registration #%(pk)s already protects %(domain)s until %(until)s: this "
            "customer is yours. A second registration could not be approved while that "
            "protection lasts."
        )
        % {
            "pk": existing.pk,
            "domain": deal.customer_domain_normalized,
            "until": date_format(timezone.localtime(existing.protected_until), "DATE_FORMAT"),
        }
    )


def _approval_precheck(deal: Deal) -> None:
    """Refuse early, with a readable message, what the database would refuse anyway. The unique
    constraint remains the guarantee: two approvals racing both pass this check."""
    holder = selectors.protected_registration_for_domain(
        domain=deal.customer_domain_normalized, exclude_pk=deal.pk
    )
    if holder is not None:
        raise DealError(
            f"{deal.customer_domain_normalized} is already protected by {holder.partner.name}'s "
            f"registration #{holder.pk}. Reject this one, or wait until that protection ends."
        )


@transaction.atomic
def deal_approve(
    *, deal: Deal, actor: User, note: str = "", acknowledge_conflicts: bool = False, at=None
) -> Deal:
    """Submitted → approved: the partner's customer is protected for the policy's period."""
    if not actor.is_channel_manager:
        raise DealError("Only channel managers can approve registrations.")
    deal = _lock(deal)
    _require(deal, DealStatus.APPROVED)
    _approval_precheck(deal)
    protected_names = [c for c in selectors.deal_conflicts(deal=deal) if c.is_protected]
    if protected_names and not acknowledge_conflicts:
        names = ", ".join(f"{c.deal.partner.name} (#{c.deal.pk})" for c in protected_names)
        raise DealError(
            f"A similar customer is already protected for {names}. Confirm that this is a "
            f"different customer to approve anyway."
        )
    at = at or timezone.now()
    protection = selectors.protection_for_partner(partner=deal.partner)
    _move(deal, DealStatus.APPROVED, actor=actor, at=at, note=note)
    deal.decided_at, deal.decided_by = at, actor
    deal.protected_until = at + timedelta(days=protection.days)
    try:
        with transaction.atomic():
            deal.save(
                update_fields=[
                    "status",
                    "decided_at",
                    "decided_by",
                    "protected_until",
                    "updated_at",
                ]
            )
    except IntegrityError as exc:
        # deal_one_protected_registration_per_domain: another approval of the same customer
        # committed first (see test_concurrency).
        raise DealError(
            f"Another registration for {deal.customer_domain_normalized} was approved at the same "
            f"moment and now protects this customer. This one was not approved."
        ) from exc
    _record(deal, EventKind.DEAL_APPROVED, actor=actor, at=at)
    notify(deal=deal, kind=N.APPROVED)
    return deal


@transaction.atomic
def deal_reject(*, deal: Deal, actor: User, reason: str, at=None) -> Deal:
    if not actor.is_channel_manager:
        raise DealError("Only channel managers can reject registrations.")
    reason = (reason or "").strip()
    if not reason:
        raise DealError("Give the partner a reason for the rejection.")
    deal = _lock(deal)
    _require(deal, DealStatus.REJECTED)
    at = at or timezone.now()
    _move(deal, DealStatus.REJECTED, actor=actor, at=at, note=reason)
    deal.decided_at, deal.decided_by, deal.rejection_reason = at, actor, reason
    deal.save(
        update_fields=["status", "decided_at", "decided_by", "rejection_reason", "updated_at"]
    )
    _record(deal, EventKind.DEAL_REJECTED, actor=actor, at=at)
    notify(deal=deal, kind=N.REJECTED)
    return deal


@transaction.atomic
def deal_mark_won(*, deal: Deal, actor: User, final_amount: Decimal, note: str = "", at=None):
    """Approved → won, with the amount actually sold (in the deal's currency)."""
    if final_amount is None or final_amount <= 0:
        raise DealError("The final amount must be greater than zero.")
    deal = _lock(deal)
    _require(deal, DealStatus.WON)
    at = at or timezone.now()
    _move(deal, DealStatus.WON, actor=actor, at=at, note=note)
    deal.final_amount, deal.closed_at = final_amount, at
    deal.save(update_fields=["status", "final_amount", "closed_at", "updated_at"])
    _record(deal, EventKind.DEAL_WON, actor=actor, at=at, amount=final_amount)
    notify(deal=deal, kind=N.WON)
    return deal


@transaction.atomic
def deal_mark_lost(*, deal: Deal, actor: User, reason: str, at=None) -> Deal:
    reason = (reason or "").strip()
    if not reason:
        raise DealError("Say why the deal was lost.")
    deal = _lock(deal)
    _require(deal, DealStatus.LOST)
    at = at or timezone.now()
    _move(deal, DealStatus.LOST, actor=actor, at=at, note=reason)
    deal.lost_reason, deal.closed_at = reason, at
    deal.save(update_fields=["status", "lost_reason", "closed_at", "updated_at"])
    _record(deal, EventKind.DEAL_LOST, actor=actor, at=at)
    notify(deal=deal, kind=N.LOST)
    return deal


@transaction.atomic
def deal_expire(*, deal: Deal, at=None) -> bool:
    """Approved → expired once protection has lapsed without an outcome. Returns False (and does
    nothing) when the deal is no longer due: idempotent for the periodic job."""
    at = at or timezone.now()
    deal = _lock(deal)
    if deal.status != DealStatus.APPROVED or deal.protected_until > at:
        return False
    _move(deal, DealStatus.EXPIRED, actor=None, at=at, note="Protection period ended.")
    deal.closed_at = at
    deal.save(update_fields=["status", "closed_at", "updated_at"])
    _record(deal, EventKind.DEAL_EXPIRED, actor=None, at=at)
    notify(deal=deal, kind=N.EXPIRED)
    return True


# --- extensions --------------------------------------------------------------------------------


@transaction.atomic
def deal_extension_request(*, deal: Deal, actor: User, days: int, reason: str, at=None):
    reason = (reason or "").strip()
    if not reason:
        raise DealError("Say why the deal needs more time.")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DealError(f"Ask for 1 to {MAX_EXTENSION_DAYS} more days.")
    deal = _lock(deal)
    if deal.status != DealStatus.APPROVED:
        raise DealError("Only approved (protected) deals can be extended.")
    if deal.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise DealError("An extension request for this deal is already waiting for a decision.")
    at = at or timezone.now()
    try:
        with transaction.atomic():
            extension = DealExtensionRequest.objects.create(
                deal=deal, requested_by=actor, requested_at=at, days=days, reason=reason
            )
    except IntegrityError as exc:  # deal_one_pending_extension: a concurrent request won
        raise DealError("An extension request for this deal is already waiting.") from exc
    record_event(
        kind=EventKind.DEAL_EXTENSION_REQUESTED,
        key=f"deal.extension_requested:{extension.pk}",
        partner=deal.partner,
        user=actor,
        subject=deal,
        occurred_at=at,
        properties=_properties(deal) | {"days": days},
    )
    notify(deal=deal, kind=N.EXTENSION_REQUESTED, key=str(extension.pk), context={"ext": extension})
    return extension


@transaction.atomic
def deal_extension_decide(
    *, extension: DealExtensionRequest, actor: User, grant: bool, note: str = "", at=None
) -> DealExtensionRequest:
    """Grant (protection moves out by the requested days) or decline a pending request."""
    if not actor.is_channel_manager:
        raise DealError("Only channel managers can decide extension requests.")
    deal = _lock(extension.deal)
    extension = DealExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise DealError("This extension request was already decided.")
    at = at or timezone.now()
    if grant and deal.status != DealStatus.APPROVED:
        raise DealError("The deal is no longer protected; its protection cannot be extended.")
    extension.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.DECLINED
    extension.decided_by, extension.decided_at, extension.decision_note = actor, at, note.strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if grant:
        deal.protected_until = max(deal.protected_until, at) + timedelta(days=extension.days)
        deal.save(update_fields=["protected_until", "updated_at"])
        DealTransition.objects.create(
            deal=deal,
            from_status=deal.status,
            to_status=deal.status,
            actor=actor,
            at=at,
            note=f"Protection extended by {extension.days} days"
            + (f": {extension.decision_note}" if extension.decision_note else "."),
        )
        record_event(
            kind=EventKind.DEAL_EXTENDED,
            key=f"deal.extended:{extension.pk}",
            partner=deal.partner,
            user=actor,
            subject=deal,
            occurred_at=at,
            properties=_properties(deal) | {"days": extension.days},
        )
    notify(deal=deal, kind=N.EXTENSION_DECIDED, key=str(extension.pk), context={"ext": extension})
    return extension


# --- the periodic job --------------------------------------------------------------------------


def deal_send_expiry_warnings(*, now=None) -> int:
    """Warn partners whose protection ends within their policy's warning period. One warning per
    protection end date (an extension earns a new one); reruns send nothing twice."""
    now = now or timezone.now()
    table, longest = selectors.warning_days_by_policy()
    candidates = Deal.objects.select_related("partner", "created_by").filter(
        status=DealStatus.APPROVED,
        protected_until__gt=now,
        protected_until__lte=now + timedelta(days=longest),
    )
    sent = 0
    for deal in candidates.iterator(chunk_size=500):
        days = selectors.warning_days_for(
            table, program_id=deal.partner.program_id, tier_id=deal.partner.tier_id
        )
        if deal.protected_until > now + timedelta(days=days):
            continue
        with transaction.atomic():
            sent += notify(
                deal=deal,
                kind=N.EXPIRING,
                key=deal.protected_until.isoformat(),
                context={"days_left": max(0, (deal.protected_until - now).days)},
            )
    return sent


def deal_expire_lapsed(*, now=None) -> int:
    """Expire every approved deal whose protection has ended; each in its own transaction."""
    now = now or timezone.now()
    due = Deal.objects.filter(status=DealStatus.APPROVED, protected_until__lte=now)
    return sum(deal_expire(deal=deal, at=now) for deal in due.only("pk").iterator(chunk_size=500))


# --- Co-selling: vendor help on a deal (issue 20) -------------------------------------------------
HELP_TEXT_MAX = 2000


def _help_event(kind: str, help_request, *, actor, at, key: str, **extra) -> None:
    record_event(
        kind=kind,
        key=key,
        partner=help_request.deal.partner,
        user=actor,
        subject=help_request.deal,
        occurred_at=at,
        properties={"deal": help_request.deal_id, "request": help_request.pk,
                    "kind": help_request.kind} | extra,
    )  # fmt: skip


def _help_text(text: str, empty: str) -> str:
    text = clean_free_text(text or "").strip()
    if not text:
        raise DealError(empty)
    if len(text) > HELP_TEXT_MAX:
        raise DealError(_("Keep it under %(max)s characters.") % {"max": HELP_TEXT_MAX})
    return text


def deal_help_request(*, deal: Deal, actor: User, kind: str, message: str, at=None):
    """The partner asks the vendor for help on its approved deal: one request per kind."""
    if kind not in HelpKind.values:
        raise DealError(_("Choose what you need help with."))
    message = _help_text(message, _("Say what you need."))
    deal = _lock(deal)
    if deal.status != DealStatus.APPROVED:
        raise DealError(_("Vendor help can be requested on approved deals only."))
    at = at or timezone.now()
    try:
        with transaction.atomic():
            help_request = DealHelpRequest.objects.create(
                deal=deal, kind=kind, message=message, requested_by=actor, requested_at=at
            )
    except IntegrityError as exc:  # deal_help_once_per_kind
        raise DealError(_("This help has already been requested for this deal.")) from exc
    _help_event(
        EventKind.DEAL_HELP_REQUESTED, help_request, actor=actor, at=at,
        key=f"deal.help_requested:{help_request.pk}",
    )  # fmt: skip
    notify_help(help_request=help_request, kind="requested")
    return help_request


def deal_help_assign(*, help_request: DealHelpRequest, actor: User, assignee: User, at=None):
    """A channel manager names the vendor person who helps (again: another person)."""
    if not actor.is_channel_manager:
        raise DealError(_("Only channel managers assign vendor help."))
    if not (assignee.is_active and assignee.is_channel_manager):
        raise DealError(_("Choose an active member of the vendor's staff."))
    at = at or timezone.now()
    with transaction.atomic():
        help_request = (
            DealHelpRequest.objects.select_for_update()
            .select_related("deal__partner")
            .get(pk=help_request.pk)
        )
        if help_request.assignee_id == assignee.pk:
            return help_request
        help_request.assignee, help_request.assigned_by, help_request.assigned_at = (
            assignee, actor, at,
        )  # fmt: skip
        help_request.status = HelpStatus.ASSIGNED
        help_request.save(update_fields=["assignee", "assigned_by", "assigned_at", "status"])
        _help_event(
            EventKind.DEAL_HELP_ASSIGNED, help_request, actor=actor, at=at,
            key=f"deal.help_assigned:{help_request.pk}:{assignee.pk}:{at.isoformat()}",
            assignee=assignee.pk,
        )  # fmt: skip
        notify_help(help_request=help_request, kind="assigned")
    return help_request


def deal_help_note(*, help_request: DealHelpRequest, actor: User, body: str, at=None):
    """A note on the request, from either side; both sides see it."""
    body = _help_text(body, _("Write the note."))
    at = at or timezone.now()
    by_vendor = bool(actor.is_channel_manager)
    with transaction.atomic():
        note = DealHelpNote.objects.create(
            request=help_request, author=actor, by_vendor=by_vendor, body=body, created_at=at
        )
        _help_event(
            EventKind.DEAL_HELP_NOTE_ADDED, help_request, actor=actor, at=at,
            key=f"deal.help_note_added:{note.pk}", note=note.pk, by_vendor=by_vendor,
        )  # fmt: skip
    return note
