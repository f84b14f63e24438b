"""MDF emails: an outbox row (``MdfEmail``) written in the change's transaction, queued after
commit (never for a rolled-back change), rendered and sent by a Celery task that reads the
request again, so a retry sends what is true then. A broker outage leaves the row unsent and
``send_pending_mdf_emails`` (every 10 minutes) sends it; the row lock sends it once."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.choices import VendorRole
from accounts.models import User
from incentives.models import MdfEmail, MdfRequest
from partners.choices import MemberRole
from prm import enqueue

SUBJECTS = {
    "requested": "Marketing funds requested: {title}",
    "approved": "Marketing funds approved: {title}",
    "rejected": "Marketing funds request rejected: {title}",
    "claimed": "Marketing funds claim to review: {title}",
    "claim_approved": "Marketing funds claim approved: {title}",
    "claim_rejected": "Marketing funds claim rejected: {title}",
}
TO_VENDOR = {"requested", "claimed"}


def vendor_recipients(request: MdfRequest) -> list[str]:
    owner = request.partner.owner
    if owner is not None and owner.is_active:
        return [owner.email]
    return sorted(
        User.objects.filter(vendor_role=VendorRole.CHANNEL_MANAGER, is_active=True).values_list(
            "email", flat=True
        )
    )


def partner_recipients(request: MdfRequest) -> list[str]:
    admins = User.objects.filter(
        membership__partner_id=request.partner_id,
        membership__role=MemberRole.ADMIN,
        is_active=True,
    ).values_list("email", flat=True)
    return sorted(set(admins))


def notify(*, request: MdfRequest, kind: str) -> None:
    """Write the email's outbox row and queue it once the current transaction commits."""
    from incentives.tasks import send_mdf_email

    email = MdfEmail.objects.create(request=request, kind=kind)
    enqueue.send_on_commit(send_mdf_email, email.pk)


@transaction.atomic
def email_send(*, email_id: int) -> bool:
    """Send one outbox row unless it was already sent. The row lock makes two workers (a
    redelivered task, the sweep) send it once; a mail error rolls back and propagates."""
    email = MdfEmail.objects.select_for_update().filter(pk=email_id).first()
    if email is None or email.sent_at is not None:
        return False
    sent = send(request_id=email.request_id, kind=email.kind)
    email.sent_at = timezone.now()  # also when nobody was there to tell: nothing left to do
    email.save(update_fields=["sent_at"])
    return sent


def emails_pending(*, older_than: timedelta = timedelta(minutes=5), limit: int = 500) -> list[int]:
    """Ids of outbox rows still unsent some minutes after they were written."""
    return list(
        MdfEmail.objects.filter(sent_at__isnull=True, created_at__lte=timezone.now() - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def send(*, request_id: int, kind: str) -> bool:
    request = (
        MdfRequest.objects.select_related("partner__owner", "allocation")
        .filter(pk=request_id)
        .first()
    )
    if request is None or kind not in SUBJECTS:
        return False
    to_vendor = kind in TO_VENDOR
    recipients = vendor_recipients(request) if to_vendor else partner_recipients(request)
    if not recipients:
        return False
    name = "incentives:manager_mdf_detail" if to_vendor else "incentives:mdf_detail"
    url = settings.SITE_URL.rstrip("/") + reverse(name, args=[request.pk])
    body = render_to_string(
        "emails/incentives_mdf.txt",
        {"r": request, "kind": kind, "url": url, "site_name": settings.SITE_NAME},
    )
    subject = f"[{settings.SITE_NAME}] " + SUBJECTS[kind].format(title=request.title)
    send_mail(subject=subject[:255], message=body, from_email=None, recipient_list=recipients)
    return True
