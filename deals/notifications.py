"""Deal emails: who hears about what, and with which words. ``notify`` queues one email in the
outbox (``kernel.outbox.email_queue``) inside the transaction of the change it reports; its key
(deal, kind, key) makes a rerun queue nothing twice. Sending, retries and the sweep are the
outbox's.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import VendorRole
from accounts.models import User
from deals.choices import NoticeKind
from deals.models import Deal
from kernel.outbox import email_queue

SUBJECTS = {
    NoticeKind.SUBMITTED: gettext_lazy("New deal registration to review: {customer}"),
    NoticeKind.APPROVED: gettext_lazy("Deal registration approved: {customer}"),
    NoticeKind.REJECTED: gettext_lazy("Deal registration rejected: {customer}"),
    NoticeKind.EXPIRING: gettext_lazy("Deal protection ends soon: {customer}"),
    NoticeKind.EXPIRED: gettext_lazy("Deal protection expired: {customer}"),
    NoticeKind.WON: gettext_lazy("Deal won: {customer}"),
    NoticeKind.LOST: gettext_lazy("Deal lost: {customer}"),
    NoticeKind.EXTENSION_REQUESTED: gettext_lazy("Extension requested for {customer}"),
    NoticeKind.EXTENSION_DECIDED: gettext_lazy("Extension decision for {customer}"),
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
        **(context or {}),
    }
    email = email_queue(
        key=f"deals.notice:{deal.pk}:{kind}:{key}",
        to=recipients,
        subject=lambda: SUBJECTS[kind].format(customer=deal.customer_name),
        template=f"deals_{kind}",
        context=body_context,
    )
    return email is not None


def notify_help(*, help_request, kind: str) -> int:
    """Co-selling emails (which notifications also shows in-app): a new request to the vendor's
    reviewers (``requested``); an assignment to the vendor person named and to the partner
    person who asked (``assigned``). Keyed by request, kind and assignee: a rerun sends nothing
    twice. Returns how many emails were queued."""
    deal = help_request.deal
    manager_url = settings.SITE_URL.rstrip("/") + reverse("deals:manager_detail", args=[deal.pk])
    partner_url = settings.SITE_URL.rstrip("/") + reverse("deals:detail", args=[deal.pk])
    context = {"deal": deal, "help": help_request, "kind_label": help_request.get_kind_display()}
    sends = []  # (key, template, recipients, url)
    if kind == "requested":
        sends.append(("requested", "deals_help_requested", vendor_recipients(deal), manager_url))
    elif kind == "assigned" and help_request.assignee is not None:
        assignee, asker = help_request.assignee, help_request.requested_by
        if assignee.is_active:
            sends.append(
                (f"assigned:{assignee.pk}", "deals_help_assigned", [assignee.email], manager_url)
            )
        if asker.is_active:
            sends.append(
                (
                    f"assigned-partner:{assignee.pk}",
                    "deals_help_assigned_partner",
                    [asker.email],
                    partner_url,
                )
            )
    queued = 0
    for key, template, to, url in sends:
        email = email_queue(
            key=f"deals.help:{help_request.pk}:{key}",
            to=to,
            subject=lambda: (
                _("Vendor help on %(customer)s: %(kind)s")
                % {"customer": deal.customer_name, "kind": help_request.get_kind_display()}
            ),
            template=template,
            context={**context, "url": url},
        )
        queued += email is not None
    return queued
