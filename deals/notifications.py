"""Deal emails. Each send is first recorded as a ``DealNotice`` row, unique per (deal, kind, key),
inside the caller's transaction; the email leaves after commit, and only for a new row. A rerun
(a retried request, a redelivered task) finds the row and sends nothing twice."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.choices import VendorRole
from accounts.models import User
from deals.choices import NoticeKind
from deals.models import Deal, DealNotice

logger = logging.getLogger(__name__)

SUBJECTS = {
    NoticeKind.SUBMITTED: "New deal registration to review: {customer}",
    NoticeKind.APPROVED: "Deal registration approved: {customer}",
    NoticeKind.REJECTED: "Deal registration rejected: {customer}",
    NoticeKind.EXPIRING: "Deal protection ends soon: {customer}",
    NoticeKind.EXPIRED: "Deal protection expired: {customer}",
    NoticeKind.WON: "Deal won: {customer}",
    NoticeKind.LOST: "Deal lost: {customer}",
    NoticeKind.EXTENSION_REQUESTED: "Extension requested for {customer}",
    NoticeKind.EXTENSION_DECIDED: "Extension decision for {customer}",
}

# Who hears about what: the partner's people, or the vendor's reviewers.
TO_VENDOR = {NoticeKind.SUBMITTED, NoticeKind.EXTENSION_REQUESTED, NoticeKind.WON, NoticeKind.LOST}


def partner_recipients(deal: Deal) -> list[str]:
    """The registering user and the colleagues the deal is shared with (active accounts)."""
    emails = {deal.created_by.email} if deal.created_by.is_active else set()
    emails |= {u.email for u in deal.shared_with.filter(is_active=True)}
    return sorted(emails)


def vendor_recipients(deal: Deal) -> list[str]:
    """The partner's owning channel manager, else every active channel manager."""
    owner = deal.partner.owner
    if owner is not None and owner.is_active:
        return [owner.email]
    return sorted(
        User.objects.filter(vendor_role=VendorRole.CHANNEL_MANAGER, is_active=True).values_list(
            "email", flat=True
        )
    )


def notify(*, deal: Deal, kind: str, key: str = "", context: dict | None = None) -> bool:
    """Record the notice and send its email after commit; False when it was already sent."""
    recipients = vendor_recipients(deal) if kind in TO_VENDOR else partner_recipients(deal)
    if not recipients:
        return False
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller's work
            DealNotice.objects.create(deal=deal, kind=kind, key=key, recipients=recipients)
    except IntegrityError:
        return False
    vendor_side = kind in TO_VENDOR
    path = reverse("deals:manager_detail" if vendor_side else "deals:detail", args=[deal.pk])
    body_context = {
        "deal": deal,
        "kind": kind,
        "url": settings.SITE_URL.rstrip("/") + path,
        "site_name": settings.SITE_NAME,
        **(context or {}),
    }
    subject = f"[{settings.SITE_NAME}] " + SUBJECTS[kind].format(customer=deal.customer_name)
    message = render_to_string(f"emails/deals_{kind}.txt", body_context)

    def send():
        try:
            send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
        except Exception:  # the transition is committed; a mail outage must not turn into a 500
            logger.exception("could not send %s notice for deal %s", kind, deal.pk)

    transaction.on_commit(send)
    return True
