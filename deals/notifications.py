"""Deal emails, in two steps:

1. ``notify`` renders the email into a ``DealNotice`` row, unique per (deal, kind, key), inside the
   transaction of the change it reports; a rerun finds the row and queues nothing twice.
2. After commit, the ``deals.tasks.send_deal_notice`` task delivers it: it locks the row, sends,
   and sets ``sent_at``. A mail server error is retried by Celery with backoff; if the broker was
   down at commit time, the periodic ``send_pending_notices`` sweep delivers what is left.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.choices import VendorRole
from accounts.models import User
from deals.choices import NoticeKind
from deals.models import Deal, DealNotice
from prm import enqueue

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
    """Record the notice (rendered now) and queue its delivery after commit; False when this
    (deal, kind, key) was already recorded or nobody is there to tell."""
    recipients = vendor_recipients(deal) if kind in TO_VENDOR else partner_recipients(deal)
    if not recipients:
        return False
    path = reverse("deals:manager_detail" if kind in TO_VENDOR else "deals:detail", args=[deal.pk])
    body_context = {
        "deal": deal,
        "kind": kind,
        "url": settings.SITE_URL.rstrip("/") + path,
        "site_name": settings.SITE_NAME,
        **(context or {}),
    }
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller's work
            notice = DealNotice.objects.create(
                deal=deal,
                kind=kind,
                key=key,
                recipients=recipients,
                subject=(
                    f"[{settings.SITE_NAME}] " + SUBJECTS[kind].format(customer=deal.customer_name)
                )[:255],
                body=render_to_string(f"emails/deals_{kind}.txt", body_context),
            )
    except IntegrityError:
        return False

    from deals.tasks import send_deal_notice

    # the notice row is the durable record: if the broker is down, send_pending_notices sends it
    enqueue.send_on_commit(send_deal_notice, notice.pk)
    return True


@transaction.atomic
def notice_send(*, notice_id: int) -> bool:
    """Deliver one notice unless it was already delivered. The row lock makes two workers (a
    redelivered task, the sweep) send it once; a mail error rolls back and propagates."""
    notice = DealNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or notice.sent_at is not None:
        return False
    send_mail(
        subject=notice.subject,
        message=notice.body,
        from_email=None,
        recipient_list=notice.recipients,
    )
    notice.sent_at = timezone.now()
    notice.save(update_fields=["sent_at"])
    return True


def notices_pending(*, older_than: timedelta = timedelta(minutes=5), limit: int = 500) -> list[int]:
    """Ids of notices still unsent some minutes after they were written."""
    return list(
        DealNotice.objects.filter(sent_at__isnull=True, created_at__lte=timezone.now() - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
