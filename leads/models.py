"""Vendor leads routed to partners (issue 20). A ``Lead`` is the vendor's; each ``LeadOffer`` is one
partner's chance to take it, with the routing rule and the values that chose that partner
(``why``). Only one offer of a lead can ever be accepted: the database refuses a second
(``lead_one_accepted_offer``), so two partners answering at once cannot both win it.

Writes go through ``leads.services``; scoped reads through ``leads.selectors``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_countries.fields import CountryField

from leads.choices import (
    WORKING_STATUSES,
    DealOutcome,
    LeadSize,
    LeadSource,
    LeadStatus,
    OfferState,
    Strategy,
)
from partners.choices import Region

DEFAULT_SLA_HOURS = 48
MIN_SLA_HOURS, MAX_SLA_HOURS = 1, 24 * 14
MAX_OFFER_COUNT = 10


class Lead(models.Model):
    program = models.ForeignKey("partners.Program", on_delete=models.PROTECT, related_name="+")
    company = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True, db_index=True)  # normalised, no www.
    country = CountryField(blank=True)
    region = models.CharField(max_length=10, choices=Region.choices)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    offerings = models.ManyToManyField("partners.Offering", blank=True, related_name="+")
    size = models.CharField(max_length=12, choices=LeadSize.choices, blank=True)
    source = models.CharField(max_length=12, choices=LeadSource.choices, default=LeadSource.OTHER)
    notes = models.TextField(max_length=4000, blank=True)
    # The sender's own id (a CRM's, a spreadsheet's): importing or posting it again changes
    # nothing twice. Empty for leads typed in by hand.
    external_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW, db_index=True
    )
    # The partner that accepted it (kept with the accepted offer; None before).
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lost_reason = models.TextField(max_length=1000, blank=True)
    deal_id = models.PositiveIntegerField(null=True, blank=True)  # the deal registration it became
    # How that deal ended, learnt from deals' ``deal.won`` / ``deal.lost`` events (their deal id
    # is ``deal_id``): the lead metrics' "won" and "revenue from vendor leads".
    deal_outcome = models.CharField(max_length=4, choices=DealOutcome.choices, blank=True)
    deal_closed_at = models.DateTimeField(null=True, blank=True)
    deal_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    deal_currency = models.CharField(max_length=3, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="lead_external_id_unique"
            ),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="lead_partner_status_idx")]

    def __str__(self):
        return self.company

    @property
    def is_working(self) -> bool:
        return self.status in WORKING_STATUSES


class RoutingRule(models.Model):
    """Which partners a lead may go to, and how one is picked among them. Rules are tried by
    ``position``; the first whose lead criteria match and that finds a partner wins. Empty
    criteria match everything."""

    program = models.ForeignKey("partners.Program", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=10)
    is_active = models.BooleanField(default=True)
    # what the lead must be
    regions = models.JSONField(default=list, blank=True)  # Region values
    countries = models.JSONField(default=list, blank=True)  # ISO 3166 alpha-2 codes
    offerings = models.ManyToManyField("partners.Offering", blank=True, related_name="+")
    # what the partner must be
    same_region = models.BooleanField(default=True)
    partner_types = models.ManyToManyField("partners.PartnerType", blank=True, related_name="+")
    tiers = models.ManyToManyField("partners.Tier", blank=True, related_name="+")
    # an enablement certification a partner's people hold (read through partners.readers)
    certification_id = models.PositiveIntegerField(null=True, blank=True)
    max_open_leads = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    # performance (leads.routing): accepted / answered offers of the last 180 days in % (a partner
    # with fewer than 3 answered offers passes), the latest adoption score (0 to 100)
    min_acceptance_rate = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    min_adoption_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    strategy = models.CharField(
        max_length=12, choices=Strategy.choices, default=Strategy.BEST_MATCH
    )
    # first come: how many partners are offered the lead at once (the best matches)
    offer_count = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_OFFER_COUNT)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "position", "pk"]

    def __str__(self):
        return self.name


class LeadSla(models.Model):
    """How long a partner has to answer an offer, per program (``DEFAULT_SLA_HOURS`` without one)."""

    program = models.OneToOneField("partners.Program", on_delete=models.CASCADE, related_name="+")
    hours = models.PositiveSmallIntegerField(
        default=DEFAULT_SLA_HOURS,
        validators=[MinValueValidator(MIN_SLA_HOURS), MaxValueValidator(MAX_SLA_HOURS)],
    )

    def __str__(self):
        return f"{self.program}: {self.hours} h"


class LeadOffer(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    # The routing's reasons: the rule, the strategy, the lead's and the partner's matched values.
    why = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=OfferState.choices, default=OfferState.OFFERED)
    offered_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    # when the partner's admins are reminded (a quarter of the answer time left), and whether
    # they were: the reminder run claims the offer by setting ``reminded_at`` (a conditional
    # UPDATE), so it is sent once
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            # THE guarantee: two partners cannot both win a lead (a second accept fails here).
            models.UniqueConstraint(
                fields=["lead"], condition=Q(state="accepted"), name="lead_one_accepted_offer"
            ),
            # a lead goes to a partner once; reassignment moves on to the next one
            models.UniqueConstraint(fields=["lead", "partner"], name="lead_offer_once_per_partner"),
        ]
        indexes = [
            models.Index(
                fields=["deadline"], condition=Q(state="offered"), name="lead_offer_due_idx"
            ),
            models.Index(
                fields=["remind_at"],
                condition=Q(state="offered", reminded_at__isnull=True),
                name="lead_offer_remind_idx",
            ),
            models.Index(fields=["partner", "state"], name="lead_offer_partner_idx"),
        ]

    def __str__(self):
        return f"Lead {self.lead_id} → partner {self.partner_id} ({self.state})"
