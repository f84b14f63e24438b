"""Hand unsent MDF emails to the one outbox (kernel.OutboundEmail). An ``MdfEmail`` row held only
(request, kind), rendered at send time; here each unsent one is rendered as the old sender would
have (same recipients, subject and template, from the historical models), copied, then deleted,
so a worker still running the old code finds nothing left to send. Sent rows stay in
``incentives_mdfemail`` as history; nothing writes that table any more."""

from django.conf import settings
from django.db import migrations
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

# As in incentives/notifications.py when this migration was written (frozen here on purpose).
SUBJECTS = {
    "requested": "Marketing funds requested: {title}",
    "approved": "Marketing funds approved: {title}",
    "rejected": "Marketing funds request rejected: {title}",
    "claimed": "Marketing funds claim to review: {title}",
    "claim_approved": "Marketing funds claim approved: {title}",
    "claim_rejected": "Marketing funds claim rejected: {title}",
}
TO_VENDOR = {"requested", "claimed"}


def recipients(apps, request, kind) -> list[str]:
    User = apps.get_model("accounts", "User")
    if kind in TO_VENDOR:
        owner = request.partner.owner
        if owner is not None and owner.is_active:
            return [owner.email]
        users = User.objects.filter(vendor_role="channel_manager", is_active=True)
    else:
        users = User.objects.filter(
            membership__partner_id=request.partner_id, membership__role="admin", is_active=True
        )
    return sorted(set(users.values_list("email", flat=True)))


def forwards(apps, schema_editor):
    MdfEmail = apps.get_model("incentives", "MdfEmail")
    OutboundEmail = apps.get_model("kernel", "OutboundEmail")
    now = timezone.now()
    unsent = MdfEmail.objects.filter(sent_at__isnull=True).select_related(
        "request__partner__owner", "request__allocation"
    )
    for email in unsent.iterator():
        request, kind = email.request, email.kind
        to = recipients(apps, request, kind) if kind in SUBJECTS else []
        if not to:
            continue  # the old sender would have sent nothing either
        name = "incentives:manager_mdf_detail" if kind in TO_VENDOR else "incentives:mdf_detail"
        context = {
            "r": request,
            "kind": kind,
            "url": settings.SITE_URL.rstrip("/") + reverse(name, args=[request.pk]),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = f"[{settings.SITE_NAME}] " + SUBJECTS[kind].format(title=request.title)
        OutboundEmail.objects.get_or_create(
            key=f"incentives.mdf:{request.pk}:{kind}",
            defaults={
                "template": "incentives_mdf",
                "to": to,
                "subject": " ".join(subject.split())[:255],
                "body": render_to_string("emails/incentives_mdf.txt", context),
                "created_at": email.created_at,
                "next_attempt_at": now,
            },
        )
    MdfEmail.objects.filter(sent_at__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0004_mdf_request_withdrawn"),
        ("kernel", "0001_outbound_email"),
        ("accounts", "0005_user_profile_fields"),
        ("partners", "0005_joined_at_is_the_approval"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
