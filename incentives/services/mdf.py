"""Writes for market development funds: one service per transition.

Balances: an allocation's ``committed`` grows when a request is approved and shrinks when a claim
is approved for less than was approved (the rest goes back) or is rejected (all of it goes back);
``paid`` grows by the claimed amount of an approved claim. Every change is a conditional
``UPDATE … WHERE`` whose row count says whether it fitted, backed by CHECK constraints
(``committed ≤ amount``, ``paid ≤ committed``), so no interleaving of transactions can overspend.
Each transition also locks its request row, so one request is decided once.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventKind
from events.services import record_event
from incentives import notifications, permissions, selectors
from incentives.choices import MDF_TRANSITIONS, MdfStatus
from incentives.models import MdfAllocation, MdfRequest
from kernel.setup_log import ADDED, log_setup_change, snapshot
from kernel.uploads import inspect_upload

ALLOCATION_FIELDS = ("partner", "period", "starts_on", "ends_on", "amount", "currency")

MAX_AMOUNT = Decimal("1e12")


class MdfError(Exception):
    """A refused MDF operation; the message is shown to the user as is."""


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _properties(request: MdfRequest, amount: Decimal) -> dict:
    """The ``mdf.*`` event contract: request, allocation, period, amount (string), currency."""
    return {
        "request": request.pk,
        "allocation": request.allocation_id,
        "period": request.allocation.period,
        "amount": _money(amount),
        "currency": request.allocation.currency,
    }


def _record(request: MdfRequest, kind: str, *, actor, at, amount: Decimal) -> None:
    record_event(
        kind=kind,
        key=f"{kind}:{request.pk}",
        partner=request.partner,
        user=actor,
        subject=request,
        occurred_at=at,
        properties=_properties(request, amount),
    )


def _lock(request: MdfRequest) -> MdfRequest:
    return (
        MdfRequest.objects.select_for_update(of=("self",))
        .select_related("allocation", "partner")
        .get(pk=request.pk)
    )


def _require(request: MdfRequest, to_status: str) -> None:
    if to_status not in MDF_TRANSITIONS.get(request.status, set()):
        raise MdfError(
            f"A fund request that is {request.get_status_display().lower()} cannot become "
            f"{MdfStatus(to_status).label.lower()}."
        )


def _check_amount(amount, what: str) -> Decimal:
    if amount is None or not isinstance(amount, Decimal) or not amount.is_finite():
        raise MdfError(f"Enter the {what}.")
    if amount <= 0:
        raise MdfError(f"The {what} must be greater than zero.")
    if amount >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise MdfError(f"The {what} must be below 10¹² with at most two decimals.")
    return amount


# --- allocations -------------------------------------------------------------------------------


@transaction.atomic
def mdf_allocation_create(
    *,
    partner,
    actor,
    period: str,
    starts_on: date,
    ends_on: date,
    amount: Decimal | None,
    currency: str = "",
) -> MdfAllocation:
    """Give a partner funds for a period (the owning channel manager or a vendor admin). Without
    an amount, the partner's tier decides it (its MDF benefit, per quarter)."""
    if not permissions.can_manage_partner_funds(actor, partner):
        raise MdfError("Only the partner's channel manager or a vendor admin can allocate funds.")
    if not selectors.mdf_tier_allows(partner=partner):
        raise MdfError(f"{partner.name}'s tier does not include marketing funds.")
    if amount is None:
        default = selectors.mdf_default_allocation(partner=partner)
        if default is None:
            raise MdfError("Enter the amount: the partner's tier names no MDF allocation.")
        amount, currency = default[0], currency or default[1]
    currency = currency or "USD"
    period = (period or "").strip()
    if not period:
        raise MdfError("Name the period, e.g. 2026-Q4.")
    if ends_on < starts_on:
        raise MdfError("The period cannot end before it starts.")
    if amount is None or amount < 0 or amount >= MAX_AMOUNT:
        raise MdfError("The allocation must be zero or more (below 10¹²).")
    currency = (currency or "").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise MdfError("The currency must be an ISO 4217 code such as USD.")
    try:
        with transaction.atomic():
            allocation = MdfAllocation.objects.create(
                partner=partner,
                period=period,
                starts_on=starts_on,
                ends_on=ends_on,
                amount=amount,
                currency=currency,
                created_by=actor,
            )
    except IntegrityError as exc:  # mdf_allocation_one_per_period
        raise MdfError(f"{partner.name} already has an allocation for {period}.") from exc
    log_setup_change(
        actor=actor, obj=allocation, action=ADDED,
        after=snapshot(allocation, ALLOCATION_FIELDS), summary=_("MDF allocation added"),
    )  # fmt: skip
    record_event(
        kind=EventKind.MDF_ALLOCATED,
        key=f"mdf.allocated:{allocation.pk}",
        partner=partner,
        user=actor,
        subject=allocation,
        properties={
            "allocation": allocation.pk,
            "period": period,
            "amount": _money(amount),
            "currency": currency,
        },
    )
    return allocation


@transaction.atomic
def mdf_allocation_set_amount(*, allocation: MdfAllocation, actor, amount: Decimal):
    """Change an allocation's amount; never below what is already committed."""
    if not permissions.can_manage_partner_funds(actor, allocation.partner):
        raise MdfError("Only the partner's channel manager or a vendor admin can change funds.")
    if amount is None or amount < 0 or amount >= MAX_AMOUNT:
        raise MdfError("The allocation must be zero or more (below 10¹²).")
    updated = MdfAllocation.objects.filter(pk=allocation.pk, committed__lte=amount).update(
        amount=amount
    )
    if not updated:
        raise MdfError("The allocation cannot be less than what is already approved.")
    allocation.refresh_from_db()
    return allocation


# --- requests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    title: str
    description: str
    starts_on: date
    ends_on: date
    amount: Decimal


def _check_within_allocation(amount: Decimal, allocation) -> None:
    if amount > allocation.remaining:
        raise MdfError(
            f"The budget is more than the {_money(allocation.remaining)} {allocation.currency} "
            f"left in your {allocation.period} allocation."
        )


def _check_activity(activity: Activity) -> tuple[str, str, Decimal]:
    """(title, description, amount) of a valid activity; the caller compares the amount with
    what is left of the allocation."""
    title, description = (activity.title or "").strip(), (activity.description or "").strip()
    if not title or not description:
        raise MdfError("Give the activity a title and describe the plan.")
    if activity.ends_on < activity.starts_on:
        raise MdfError("The activity cannot end before it starts.")
    return title[:200], description, _check_amount(activity.amount, "budget")


@transaction.atomic
def mdf_request_create(*, partner, actor, activity: Activity, at=None) -> MdfRequest:
    """An eligible partner's admin asks for funds for one activity from the current allocation."""
    if not permissions.is_partner_admin_of(actor, partner.pk):
        raise MdfError("Only your partner's admins can request marketing funds.")
    eligibility = selectors.mdf_eligibility(partner=partner)
    if not eligibility.eligible:
        raise MdfError(eligibility.reason)
    allocation = eligibility.allocation
    title, description, amount = _check_activity(activity)
    _check_within_allocation(amount, allocation)
    at = at or timezone.now()
    request = MdfRequest.objects.create(
        allocation=allocation,
        partner=partner,
        title=title,
        description=description,
        activity_starts_on=activity.starts_on,
        activity_ends_on=activity.ends_on,
        requested_amount=amount,
        requested_by=actor,
        requested_at=at,
    )
    _record(request, EventKind.MDF_REQUESTED, actor=actor, at=at, amount=amount)
    notifications.notify(request=request, kind="requested")
    return request


def _remaining_precheck(allocation_id: int, amount: Decimal) -> None:
    """Refuse early, with a readable message, what the conditional update would refuse anyway.
    Two approvals racing can both pass this check; the update below is the guarantee."""
    allocation = MdfAllocation.objects.get(pk=allocation_id)
    if amount > allocation.remaining:
        raise MdfError(
            f"Only {_money(allocation.remaining)} {allocation.currency} of the {allocation.period} "
            f"allocation is left; approve a smaller amount or reject the request."
        )


def _commit_funds(allocation_id: int, amount: Decimal) -> bool:
    """Add ``amount`` to the allocation's commitments if it fits. On Postgres the UPDATE waits for
    any other transaction holding the row and re-checks the condition on the row it committed,
    so of two racing approvals only those that still fit succeed."""
    return bool(
        MdfAllocation.objects.filter(pk=allocation_id, committed__lte=F("amount") - amount).update(
            committed=F("committed") + amount
        )
    )


@transaction.atomic
def mdf_request_approve(
    *, request: MdfRequest, actor, amount: Decimal | None = None, note: str = "", at=None
) -> MdfRequest:
    """Requested → approved: commits ``amount`` (default: the requested budget) of the allocation."""
    if not permissions.can_manage_partner_funds(actor, request.partner):
        raise MdfError("Only the partner's channel manager or a vendor admin can decide.")
    request = _lock(request)
    _require(request, MdfStatus.APPROVED)
    amount = _check_amount(
        request.requested_amount if amount is None else amount, "approved amount"
    )
    if amount > request.requested_amount:
        raise MdfError("The approved amount cannot be more than the partner asked for.")
    _remaining_precheck(request.allocation_id, amount)
    if not _commit_funds(request.allocation_id, amount):
        raise MdfError(
            "Another approval used this allocation at the same moment; what is left is no longer "
            "enough. Nothing was approved."
        )
    at = at or timezone.now()
    request.status, request.approved_amount = MdfStatus.APPROVED, amount
    request.decided_by, request.decided_at, request.decision_note = actor, at, note.strip()
    request.save(
        update_fields=[
            "status",
            "approved_amount",
            "decided_by",
            "decided_at",
            "decision_note",
            "updated_at",
        ]
    )
    _record(request, EventKind.MDF_APPROVED, actor=actor, at=at, amount=amount)
    notifications.notify(request=request, kind="approved")
    return request


@transaction.atomic
def mdf_request_reject(*, request: MdfRequest, actor, reason: str, at=None) -> MdfRequest:
    if not permissions.can_manage_partner_funds(actor, request.partner):
        raise MdfError("Only the partner's channel manager or a vendor admin can decide.")
    reason = (reason or "").strip()
    if not reason:
        raise MdfError("Give the partner a reason for the rejection.")
    request = _lock(request)
    _require(request, MdfStatus.REJECTED)
    at = at or timezone.now()
    request.status = MdfStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, at, reason
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    _record(request, EventKind.MDF_REJECTED, actor=actor, at=at, amount=request.requested_amount)
    notifications.notify(request=request, kind="rejected")
    return request


def _require_partner_admin(actor, request: MdfRequest) -> None:
    if not permissions.is_partner_admin_of(actor, request.partner_id):
        raise MdfError(_("Only your partner's admins can change a fund request."))


@transaction.atomic
def mdf_request_withdraw(*, request: MdfRequest, actor, at=None) -> MdfRequest:
    """Requested → withdrawn, by the partner's admin, while no decision has been made. Nothing was
    committed, so the allocation is unchanged."""
    _require_partner_admin(actor, request)
    request = _lock(request)
    _require(request, MdfStatus.WITHDRAWN)
    at = at or timezone.now()
    request.status = MdfStatus.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    _record(request, EventKind.MDF_WITHDRAWN, actor=actor, at=at, amount=request.requested_amount)
    return request


@transaction.atomic
def mdf_request_update(*, request: MdfRequest, actor, activity: Activity, at=None) -> MdfRequest:
    """The partner's admin edits a request that is still waiting for a decision (the row lock
    makes an edit and a decision happen one after the other, never on the same old state)."""
    _require_partner_admin(actor, request)
    request = _lock(request)
    if request.status != MdfStatus.REQUESTED:
        raise MdfError(
            _("A fund request that is %(status)s cannot be edited.")
            % {"status": request.get_status_display().lower()}
        )
    allocation = request.allocation
    title, description, amount = _check_activity(activity)
    _check_within_allocation(amount, allocation)
    at = at or timezone.now()
    request.title, request.description, request.requested_amount = title, description, amount
    request.activity_starts_on, request.activity_ends_on = activity.starts_on, activity.ends_on
    request.save(
        update_fields=[
            "title",
            "description",
            "requested_amount",
            "activity_starts_on",
            "activity_ends_on",
            "updated_at",
        ]
    )
    record_event(
        kind=EventKind.MDF_UPDATED,
        key=f"{EventKind.MDF_UPDATED}:{request.pk}:{at.isoformat()}",  # one per edit
        partner=request.partner,
        user=actor,
        subject=request,
        occurred_at=at,
        properties=_properties(request, amount),
    )
    return request


# --- claims ------------------------------------------------------------------------------------


def max_proof_bytes() -> int:
    return int(settings.PRM_MDF_MAX_UPLOAD_MB) * 1024 * 1024


def _check_proof(proof) -> tuple[str, str]:
    """The upload inspector's checks (extension allowlist, content matches the extension, no
    markup), with the MDF size limit. Returns (display name, content type)."""
    if proof is None:
        raise MdfError("Attach proof of execution (e.g. invoices, photos, a report).")
    try:
        info = inspect_upload(proof, name=proof.name, max_bytes=max_proof_bytes())
    except ValidationError as exc:
        raise MdfError(" ".join(exc.messages)) from exc
    return info.name, info.content_type


@transaction.atomic
def mdf_claim_submit(
    *, request: MdfRequest, actor, amount: Decimal, proof, note: str = "", at=None
) -> MdfRequest:
    """Approved → claimed: the partner reports the actual spend with proof of execution."""
    if not permissions.is_partner_admin_of(actor, request.partner_id):
        raise MdfError("Only your partner's admins can claim marketing funds.")
    amount = _check_amount(amount, "actual amount")
    name, content_type = _check_proof(proof)
    request = _lock(request)
    _require(request, MdfStatus.CLAIMED)
    if amount > request.approved_amount:
        raise MdfError(
            f"The claim cannot be more than the approved {_money(request.approved_amount)} "
            f"{request.allocation.currency}."
        )
    at = at or timezone.now()
    # Stored under a generated name through the configured storage (settings.STORAGES).
    request.proof.save(name, proof, save=False)
    request.proof_name, request.proof_content_type = name, content_type
    request.status, request.claimed_amount, request.claim_note = MdfStatus.CLAIMED, amount, note
    request.claimed_by, request.claimed_at = actor, at
    request.save(
        update_fields=[
            "proof",
            "proof_name",
            "proof_content_type",
            "status",
            "claimed_amount",
            "claim_note",
            "claimed_by",
            "claimed_at",
            "updated_at",
        ]
    )
    _record(request, EventKind.MDF_CLAIMED, actor=actor, at=at, amount=amount)
    notifications.notify(request=request, kind="claimed")
    return request


@transaction.atomic
def mdf_claim_approve(*, request: MdfRequest, actor, note: str = "", at=None) -> MdfRequest:
    """Claimed → paid: the claimed amount is paid; what was approved but not spent goes back."""
    if not permissions.can_manage_partner_funds(actor, request.partner):
        raise MdfError("Only the partner's channel manager or a vendor admin can decide.")
    request = _lock(request)
    _require(request, MdfStatus.PAID)
    released = request.approved_amount - request.claimed_amount
    try:
        with transaction.atomic():
            updated = MdfAllocation.objects.filter(pk=request.allocation_id).update(
                committed=F("committed") - released, paid=F("paid") + request.claimed_amount
            )
    except IntegrityError as exc:  # the CHECK constraints: balances out of line
        raise MdfError("The allocation's balances do not allow this payment.") from exc
    if not updated:
        raise MdfError("The allocation no longer exists.")
    at = at or timezone.now()
    request.status = MdfStatus.PAID
    request.claim_decided_by, request.claim_decided_at = actor, at
    request.claim_decision_note = note.strip()
    request.save(
        update_fields=[
            "status",
            "claim_decided_by",
            "claim_decided_at",
            "claim_decision_note",
            "updated_at",
        ]
    )
    _record(
        request, EventKind.MDF_CLAIM_APPROVED, actor=actor, at=at, amount=request.claimed_amount
    )
    notifications.notify(request=request, kind="claim_approved")
    return request


@transaction.atomic
def mdf_claim_reject(*, request: MdfRequest, actor, reason: str, at=None) -> MdfRequest:
    """Claimed → claim rejected: nothing is paid and the approved funds go back to the
    allocation."""
    if not permissions.can_manage_partner_funds(actor, request.partner):
        raise MdfError("Only the partner's channel manager or a vendor admin can decide.")
    reason = (reason or "").strip()
    if not reason:
        raise MdfError("Give the partner a reason for rejecting the claim.")
    request = _lock(request)
    _require(request, MdfStatus.CLAIM_REJECTED)
    MdfAllocation.objects.filter(pk=request.allocation_id).update(
        committed=F("committed") - request.approved_amount
    )
    at = at or timezone.now()
    request.status = MdfStatus.CLAIM_REJECTED
    request.claim_decided_by, request.claim_decided_at = actor, at
    request.claim_decision_note = reason
    request.save(
        update_fields=[
            "status",
            "claim_decided_by",
            "claim_decided_at",
            "claim_decision_note",
            "updated_at",
        ]
    )
    _record(
        request, EventKind.MDF_CLAIM_REJECTED, actor=actor, at=at, amount=request.claimed_amount
    )
    notifications.notify(request=request, kind="claim_rejected")
    return request
