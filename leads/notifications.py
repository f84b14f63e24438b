"""Lead emails through the outbox (``kernel.outbox``); notifications turns each into an in-app
notice through its hook. Keys make a rerun queue nothing twice."""

from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.outbox import email_queue
from partners.choices import MemberRole
from partners.models import PartnerMembership


def _partner_admin_emails(partner_id: int) -> list[str]:
    return sorted(
        PartnerMembership.objects.filter(
            partner_id=partner_id, role=MemberRole.ADMIN, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def offer_made(offer) -> None:
    """Tell the partner's admins a lead waits for their answer, and until when."""
    email_queue(
        key=f"leads.offer:{offer.pk}",
        to=_partner_admin_emails(offer.partner_id),
        subject=lambda: _("New lead for you: %(company)s") % {"company": offer.lead.company},
        template="leads_offered",
        context={
            "offer": offer,
            "lead": offer.lead,
            "url": reverse("leads:inbox_detail", args=[offer.lead_id]),
        },
    )


def offer_reminder(offer) -> None:
    """Remind the partner's admins that an offer waits for their answer and ends soon."""
    email_queue(
        key=f"leads.reminder:{offer.pk}",
        to=_partner_admin_emails(offer.partner_id),
        subject=lambda: _("Answer soon: the lead %(company)s") % {"company": offer.lead.company},
        template="leads_reminder",
        context={
            "offer": offer,
            "lead": offer.lead,
            "url": reverse("leads:inbox_detail", args=[offer.lead_id]),
        },
    )


def lead_unrouted(lead) -> None:
    """Tell the vendor person who entered the lead that no partner (left) takes it."""
    if not lead.created_by.is_active:
        return
    email_queue(
        key=f"leads.unrouted:{lead.pk}:{lead.offers.count()}",
        to=[lead.created_by.email],
        subject=lambda: _("No partner found for the lead %(company)s") % {"company": lead.company},
        template="leads_unrouted",
        context={
            "lead": lead,
            "name": lead.created_by.display_name,
            "url": reverse("leads:manage_detail", args=[lead.pk]),
        },
    )
