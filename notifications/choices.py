from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a person wants one kind of notice. Both is the default (no Preference row)."""

    BOTH = "both", _("In-app and email")
    IN_APP = "in_app", _("In-app only")
    EMAIL = "email", _("Email only")
    DIGEST = "digest", _("In-app, and a daily digest email")
    NONE = "none", _("Off")


#: Channels that put the notice in the in-app list, and those that send each email at once.
IN_APP_CHANNELS = frozenset({Channel.BOTH, Channel.IN_APP, Channel.DIGEST})
EMAIL_CHANNELS = frozenset({Channel.BOTH, Channel.EMAIL})

# Staff notices that are not emails (from events: notifications/consumers.py).
APPLICATION_NEW = "staff_application_new"
PARTNER_AT_RISK = "staff_partner_at_risk"
PARTNER_TURNED_AT_RISK = "staff_partner_turned_at_risk"
DIGEST = "notifications_digest"  # the digest email itself: never a notice, never suppressed

#: The channel of a kind nobody set: staff notices stay in-app unless a person asks for email.
DEFAULT_CHANNELS: dict[str, str] = {
    APPLICATION_NEW: Channel.IN_APP,
    PARTNER_AT_RISK: Channel.IN_APP,
    PARTNER_TURNED_AT_RISK: Channel.IN_APP,
}


def default_channel(kind: str) -> str:
    return DEFAULT_CHANNELS.get(kind, Channel.BOTH)


#: Every kind a person can set, by the email template (or staff notice) name, with its label.
#: Kinds are data: a new email template not listed here still becomes a notice (labelled by name).
KINDS: dict[str, str] = {
    APPLICATION_NEW: _("New partner application (staff)"),
    PARTNER_AT_RISK: _("Partner at risk, no owner (staff)"),
    PARTNER_TURNED_AT_RISK: _("A partner turned at risk (staff)"),
    "onboarding_stalled": _("A partner you own stalled in onboarding"),
    "followup_task_assigned": _("A task given to you (staff)"),
    "followup_task_due": _("A task of yours falls due (staff)"),
    "onboarding_application_received": _("Partner application received"),
    "onboarding_application_rejected": _("Partner application declined"),
    "onboarding_partner_activated": _("Partner activated"),
    "onboarding_step_reminder": _("Onboarding step reminders"),
    "onboarding_checkin": _("Onboarding check-ins"),
    "onboarding_survey": _("Onboarding survey"),
    "deals_submitted": _("Deal registered"),
    "deals_approved": _("Deal approved"),
    "deals_rejected": _("Deal rejected"),
    "deals_won": _("Deal won"),
    "deals_lost": _("Deal lost"),
    "deals_expiring": _("Deal protection expiring"),
    "deals_expired": _("Deal protection expired"),
    "deals_extension_requested": _("Deal extension requested"),
    "deals_extension_decided": _("Deal extension decided"),
    "deals_help_requested": _("Vendor help requested on a deal (staff)"),
    "deals_help_assigned": _("Vendor help on a deal given to you (staff)"),
    "deals_help_assigned_partner": _("Vendor help on your deal assigned"),
    "enablement_certificate_earned": _("Certificate earned"),
    "enablement_certificate_renewed": _("Certificate renewed"),
    "enablement_certificate_expiring": _("Certificate expiring"),
    "enablement_certificate_expired": _("Certificate expired"),
    "incentives_mdf": _("Marketing funds"),
    "tier_notice": _("Tier changes"),
    "partner_message": _("Messages from the vendor"),
    "partner_invitation_existing_account": _("Invitations to another partner"),
    "webhooks_endpoint_disabled": _("Webhook endpoint disabled"),
    "leads_offered": _("New lead offered to your partner"),
    "leads_reminder": _("A lead offer ends soon"),
    "leads_unrouted": _("No partner found for a lead you entered"),
    "plans_review_update": _("Business reviews you attend: scheduled, changed, cancelled"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind.replace("_", " ").capitalize()))
