"""Emails to a partner's admins about its tier (after commit, so a rollback sends nothing)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from partners.choices import MemberRole, TierChangeKind

logger = logging.getLogger(__name__)

SUBJECTS = {
    TierChangeKind.PROMOTION: "Welcome to {to}",
    TierChangeKind.DEMOTION: "Your tier is now {to}",
    TierChangeKind.WARNING: "Your {from_} tier is at risk",
    TierChangeKind.OVERRIDE: "Your tier is now {to}",
}


def notify_partners_on_commit(items, *, at) -> None:
    """``items``: (partner id, change kind, from tier, to tier, reason). One query for the admins
    of all partners, then one email per partner, once the transaction has committed."""
    items = [item for item in items if item[1] in SUBJECTS]
    if items:
        transaction.on_commit(lambda: _send(items, at=at))


def _send(items, *, at) -> None:
    from partners.models import PartnerMembership

    admins: dict[int, list[str]] = {}
    for partner_id, email in PartnerMembership.objects.filter(
        partner_id__in=[item[0] for item in items], role=MemberRole.ADMIN, user__is_active=True
    ).values_list("partner_id", "user__email"):
        admins.setdefault(partner_id, []).append(email)
    url = settings.SITE_URL.rstrip("/") + reverse("partners:home")
    for partner_id, kind, from_tier, to_tier, reason in items:
        recipients = admins.get(partner_id)
        if not recipients:
            continue
        names = {
            "from_": from_tier.name if from_tier else "",
            "to": to_tier.name if to_tier else "",
        }
        context = {"kind": kind, "reason": reason, "url": url, "at": at, **names}
        try:
            send_mail(
                subject=f"[{settings.SITE_NAME}] " + SUBJECTS[kind].format(**names),
                message=render_to_string("emails/tier_notice.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
        except Exception:  # one failing address must not stop the others; logged for follow-up
            logger.exception("tier notice to partner %s failed", partner_id)
