"""Emails to a partner's admins about its tier, queued in the outbox (sent after commit, so a
rollback sends nothing)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from kernel.outbox import Email, emails_queue
from partners.choices import MemberRole
from partners.models import PartnerMembership
from tiers.choices import TierChangeKind

SUBJECTS = {
    TierChangeKind.PROMOTION: gettext_lazy("Welcome to {to}"),
    TierChangeKind.DEMOTION: gettext_lazy("Your tier is now {to}"),
    TierChangeKind.WARNING: gettext_lazy("Your {from_} tier is at risk"),
    TierChangeKind.OVERRIDE: gettext_lazy("Your tier is now {to}"),
}


def notify_partners_on_commit(items, *, at) -> None:
    """``items``: (partner id, change kind, from tier, to tier, reason). One query for the admins
    of all partners, then one outbox email per partner and change, queued in one batch (sent once
    committed)."""
    items = [item for item in items if item[1] in SUBJECTS]
    if not items:
        return
    admins: dict[int, list[str]] = {}
    for partner_id, email in PartnerMembership.objects.filter(
        partner_id__in=[item[0] for item in items], role=MemberRole.ADMIN, user__is_active=True
    ).values_list("partner_id", "user__email"):
        admins.setdefault(partner_id, []).append(email)
    url = settings.SITE_URL.rstrip("/") + reverse("partners:home")
    emails = []
    for partner_id, kind, from_tier, to_tier, reason in items:
        names = {
            "from_": from_tier.name if from_tier else "",
            "to": to_tier.name if to_tier else "",
        }
        emails.append(
            Email(
                key=f"partners.tier:{partner_id}:{kind}:{at.isoformat()}",
                to=admins.get(partner_id, []),
                subject=lambda kind=kind, names=names: SUBJECTS[kind].format(**names),
                template="tier_notice",
                context={"kind": kind, "reason": reason, "url": url, "at": at, **names},
            )
        )
    emails_queue(emails)
