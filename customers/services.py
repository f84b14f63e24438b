"""Writes of customer accounts and seat licenses (vendor staff: API and admin). Each records an
event with a deterministic key."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import CustomerAccount, SeatLicense
from events.choices import EventKind
from events.services import record_event

MAX_SEATS = 10_000_000


class CustomerError(ValueError):
    """A refused write; the message says why."""


def _clean_external_id(external_id: str) -> str:
    external_id = (external_id or "").strip()
    if not external_id:
        raise CustomerError("Give the account's id in your systems (external_id).")
    return external_id


@transaction.atomic
def customer_account_create(
    *, partner, external_id: str, name: str, by=None, at: datetime | None = None
) -> CustomerAccount:
    """Create a partner's customer account. ``at``: when it happened (default now; the demo data
    is anchored in the past)."""
    external_id = _clean_external_id(external_id)
    name = (name or "").strip() or external_id
    if CustomerAccount.objects.filter(partner=partner, external_id=external_id).exists():
        raise CustomerError(f"{partner} already has a customer account {external_id!r}.")
    try:
        with transaction.atomic():
            account = CustomerAccount.objects.create(
                partner=partner, external_id=external_id, name=name[:200]
            )
    except IntegrityError as exc:  # a concurrent create of the same id won
        raise CustomerError(f"{partner} already has a customer account {external_id!r}.") from exc
    record_event(
        kind=EventKind.CUSTOMER_ACCOUNT_CREATED,
        key=f"customer.account_created:{account.pk}",
        partner=partner,
        user=by,
        subject=account,
        occurred_at=at,
        properties={"external_id": external_id},
    )
    return account


@transaction.atomic
def customer_account_update(
    *, account: CustomerAccount, name: str | None = None, is_active: bool | None = None, by=None
) -> CustomerAccount:
    account = CustomerAccount.objects.select_for_update().get(pk=account.pk)
    changed = {}
    if name is not None and name.strip() and name.strip() != account.name:
        account.name = changed["name"] = name.strip()[:200]
    if is_active is not None and is_active != account.is_active:
        account.is_active = changed["is_active"] = is_active
    if not changed:
        return account
    account.save(update_fields=list(changed))
    now = timezone.now()
    record_event(
        kind=EventKind.CUSTOMER_ACCOUNT_UPDATED,
        key=f"customer.account_updated:{account.pk}:{now.isoformat()}",
        partner=account.partner,
        user=by,
        subject=account,
        properties=changed,
    )
    return account


@transaction.atomic
def seat_license_set(
    *, account: CustomerAccount, seats: int, offering=None, by=None, at: datetime | None = None
) -> SeatLicense:
    """Set the seats of an account (account-wide, or for one offering): creates the license or
    changes its number. Zero seats is allowed (a lapsed license). ``at``: when (default now)."""
    if not 0 <= int(seats) <= MAX_SEATS:
        raise CustomerError(f"Seats must be between 0 and {MAX_SEATS:,}.")
    account = CustomerAccount.objects.select_for_update().get(pk=account.pk)
    license_, created = SeatLicense.objects.get_or_create(
        account=account, offering=offering, defaults={"seats": seats}
    )
    before = None if created else license_.seats
    if not created and license_.seats != seats:
        license_.seats = seats
        license_.save(update_fields=["seats", "updated_at"])
    if before != seats:
        record_event(
            kind=EventKind.CUSTOMER_SEATS_CHANGED,
            key=f"customer.seats_changed:{license_.pk}:{license_.updated_at.isoformat()}",
            partner=account.partner,
            user=by,
            subject=account,
            occurred_at=at,
            properties={
                "license": license_.pk,
                "offering": offering.slug if offering is not None else None,
                "before": before,
                "seats": seats,
            },
        )
    return license_


@transaction.atomic
def seat_license_delete(*, license_: SeatLicense, by=None) -> None:
    license_ = (
        SeatLicense.objects.select_for_update()
        .select_related("account__partner")
        .get(pk=license_.pk)
    )
    record_event(
        kind=EventKind.CUSTOMER_SEATS_CHANGED,
        key=f"customer.seats_changed:{license_.pk}:deleted",
        partner=license_.account.partner,
        user=by,
        subject=license_.account,
        properties={"license": license_.pk, "before": license_.seats, "seats": 0},
    )
    license_.delete()
