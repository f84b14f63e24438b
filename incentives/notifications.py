"""MDF emails: who hears about what. ``notify`` queues one email in the outbox
(``kernel.outbox.email_queue``) in the transaction of the change it reports, rendered from the
request as it is then; the key (request, kind) queues each step's email once (the workflow passes
each step once). Sending, retries and the sweep are the outbox's."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.choices import VendorRole
from accounts.models import User
from incentives.models import MdfRequest
from kernel.outbox import email_queue
from partners.choices import MemberRole

SUBJECTS = {
    "requested": gettext_lazy("Marketing funds requested: {title}"),
    "approved": gettext_lazy("Marketing funds approved: {title}"),
    "rejected": gettext_lazy("Marketing funds request rejected: {title}"),
    "claimed": gettext_lazy("Marketing funds claim to review: {title}"),
    "claim_approved": gettext_lazy("Marketing funds claim approved: {title}"),
    "claim_rejected": gettext_lazy("Marketing funds claim rejected: {title}"),
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


def notify(*, request: MdfRequest, kind: str) -> bool:
    """Queue the email of this step once the current transaction commits; False when it was
    queued before or nobody is there to tell."""
    to_vendor = kind in TO_VENDOR
    recipients = vendor_recipients(request) if to_vendor else partner_recipients(request)
    name = "incentives:manager_mdf_detail" if to_vendor else "incentives:mdf_detail"
    email = email_queue(
        key=f"incentives.mdf:{request.pk}:{kind}",
        to=recipients,
        subject=lambda: SUBJECTS[kind].format(title=request.title),
        template="incentives_mdf",
        context={
            "r": request,
            "kind": kind,
            "url": settings.SITE_URL.rstrip("/") + reverse(name, args=[request.pk]),
        },
    )
    return email is not None
