"""MDF emails: queued after commit (never for a rolled-back change), rendered and sent by a
Celery task that reads the request again, so a retry sends what is true then."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.choices import VendorRole
from accounts.models import User
from incentives.models import MdfRequest
from partners.choices import MemberRole

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
    """Queue the email for ``kind`` once the current transaction commits."""

    def enqueue():
        from incentives.tasks import send_mdf_email

        send_mdf_email.delay(request.pk, kind)

    # robust: the change is committed; a broker outage must not turn into a 500
    transaction.on_commit(enqueue, robust=True)


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
