from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    """Where a lead is. ``new``: not routed yet; ``offered``: waiting for a partner's answer;
    ``unrouted``: no partner (left) matches a rule, the vendor's to handle; then the accepting
    partner's own updates (contacted, qualified, lost) and its deal registration (converted)."""

    NEW = "new", _("New")
    OFFERED = "offered", _("Offered")
    UNROUTED = "unrouted", _("No partner found")
    ACCEPTED = "accepted", _("Accepted")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted to a deal")
    LOST = "lost", _("Lost")


#: A partner works on these: it may update them and convert them to a deal registration.
WORKING_STATUSES = frozenset({LeadStatus.ACCEPTED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED})
#: What a partner may set by hand, from which statuses.
PARTNER_MOVES = {
    LeadStatus.CONTACTED: {LeadStatus.ACCEPTED},
    LeadStatus.QUALIFIED: {LeadStatus.ACCEPTED, LeadStatus.CONTACTED},
    LeadStatus.LOST: {LeadStatus.ACCEPTED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED},
}
#: The vendor may (re)route these.
ROUTABLE_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.UNROUTED})


class OfferState(models.TextChoices):
    OFFERED = "offered", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Not answered in time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LeadSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    EVENT = "event", _("Event")
    CAMPAIGN = "campaign", _("Campaign")
    REFERRAL = "referral", _("Referral")
    SALES = "sales", _("Vendor sales")
    OTHER = "other", _("Other")


class LeadSize(models.TextChoices):
    SMALL = "small", _("Small (1-49)")
    MEDIUM = "medium", _("Medium (50-499)")
    LARGE = "large", _("Large (500-4,999)")
    ENTERPRISE = "enterprise", _("Enterprise (5,000+)")


class Strategy(models.TextChoices):
    BEST_MATCH = "best_match", _("Best match")
    ROUND_ROBIN = "round_robin", _("Weighted round-robin")
    FIRST_COME = "first_come", _("Offer to several, first to accept wins")


class DealOutcome(models.TextChoices):
    """How the deal registration a lead became ended (deals' ``deal.won`` / ``deal.lost``)."""

    WON = "won", _("Won")
    LOST = "lost", _("Lost")
