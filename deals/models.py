"""Deal registrations. Status changes go through deals.services (one service per transition)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_countries.fields import CountryField

from deals.choices import (
    DEFAULT_PROTECTION_DAYS,
    DEFAULT_WARNING_DAYS,
    Currency,
    DealStage,
    DealStatus,
    ExtensionStatus,
    HelpKind,
    HelpStatus,
    NoticeKind,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class RegistrationPolicy(models.Model):
    """How long an approved registration is protected, per program with an optional tier override.

    Lookup order for a partner: (program, partner's tier), then (program, no tier), then the
    built-in default of 90 days.
    """

    program = models.ForeignKey(
        "partners.Program", on_delete=models.CASCADE, related_name="deal_policies"
    )
    tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.CASCADE,
        related_name="deal_policies",
        null=True,
        blank=True,
        help_text=gettext_lazy("Leave empty for the program's default."),
    )
    protection_days = models.PositiveSmallIntegerField(
        default=DEFAULT_PROTECTION_DAYS, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    warning_days = models.PositiveSmallIntegerField(
        default=DEFAULT_WARNING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=gettext_lazy("Email the partner this many days before protection ends."),
    )

    class Meta:
        verbose_name_plural = "registration policies"
        ordering = ["program", "tier__rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "tier"],
                condition=Q(tier__isnull=False),
                name="deal_policy_unique_tier",
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(tier__isnull=True),
                name="deal_policy_unique_program_default",
            ),
            models.CheckConstraint(
                condition=Q(protection_days__gte=1), name="deal_policy_protection_positive"
            ),
        ]

    def __str__(self):
        scope = self.tier.name if self.tier_id else "all tiers"
        return f"{self.program} · {scope}: {self.protection_days} days"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.tier_id and self.program_id and self.tier.program_id != self.program_id:
            raise ValidationError({"tier": gettext_lazy("This tier belongs to another program.")})


class Deal(models.Model):
    """A partner's registration of a sales opportunity with a named customer."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="deals")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_deals"
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="shared_deals",
        help_text=gettext_lazy("Colleagues who may see and work on this registration."),
    )
    status = models.CharField(
        max_length=12, choices=DealStatus.choices, default=DealStatus.DRAFT, db_index=True
    )

    customer_name = models.CharField("customer company", max_length=200)
    customer_name_normalized = models.CharField(max_length=200, editable=False, db_index=True)
    customer_domain = models.CharField(
        "customer web domain",
        max_length=253,
        blank=True,
        help_text=gettext_lazy("e.g. example.com"),
    )
    customer_domain_normalized = models.CharField(
        max_length=253, editable=False, blank=True, db_index=True
    )
    customer_country = CountryField(blank=True)
    contact_name = models.CharField("customer contact", max_length=150, blank=True)
    contact_email = models.EmailField("contact email", blank=True)
    contact_phone = models.CharField("contact phone", max_length=40, blank=True)

    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    amount = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        help_text=gettext_lazy("Sum of the line items; kept by the services."),
    )
    expected_close_date = models.DateField(null=True, blank=True)
    stage = models.CharField(
        max_length=12, choices=DealStage.choices, default=DealStage.PROSPECTING
    )
    notes = models.TextField(blank=True, max_length=5000)

    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(blank=True)
    protected_until = models.DateTimeField(null=True, blank=True, db_index=True)
    final_amount = models.DecimalField(**MONEY, null=True, blank=True)
    lost_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # THE guarantee against double protection: among approved registrations a customer
            # domain appears once, whoever commits second gets an IntegrityError (no Python race).
            models.UniqueConstraint(
                fields=["customer_domain_normalized"],
                condition=Q(status=DealStatus.APPROVED) & ~Q(customer_domain_normalized=""),
                name="deal_one_protected_registration_per_domain",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status=DealStatus.DRAFT) | Q(amount__gt=0),
                name="deal_registered_amount_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status=DealStatus.APPROVED) | Q(protected_until__isnull=False),
                name="deal_approved_has_protection",
            ),
            models.CheckConstraint(
                condition=~Q(status=DealStatus.REJECTED) | ~Q(rejection_reason=""),
                name="deal_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=DealStatus.WON) | Q(final_amount__gt=0),
                name="deal_won_has_final_amount",
            ),
            models.CheckConstraint(
                condition=Q(final_amount__isnull=True) | Q(final_amount__gt=0),
                name="deal_final_amount_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "status"], name="deal_partner_status_idx"),
            # The dashboard's deal figures (deals.readers): deals registered in a range, won in a
            # range (counts, the won leaderboard, ROI revenue; index-only counts) and each
            # partner's first registration (time to first deal: its first entry, one probe).
            models.Index(fields=["submitted_at"], name="deal_submitted_idx"),
            models.Index(
                fields=["closed_at", "partner"],
                condition=Q(status=DealStatus.WON),
                name="deal_won_closed_idx",
            ),
            models.Index(fields=["partner", "submitted_at"], name="deal_partner_submitted_idx"),
            models.Index(fields=["status", "protected_until"], name="deal_status_protection_idx"),
            # The conflict check (selectors.deal_conflicts) reads the names of the open deals
            # whose length can reach the match threshold: an index-only scan of this range
            # instead of visiting every open deal's row (10k partners: 70-99 ms -> 1.5-13 ms).
            models.Index(
                Length("customer_name_normalized"),
                F("customer_name_normalized"),
                F("id"),
                condition=Q(status__in=[DealStatus.SUBMITTED, DealStatus.APPROVED]),
                name="deal_open_name_length_idx",
            ),
        ]

    def __str__(self):
        return f"{self.customer_name} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == DealStatus.DRAFT

    @property
    def is_protected(self) -> bool:
        return (
            self.status == DealStatus.APPROVED
            and self.protected_until is not None
            and self.protected_until > timezone.now()
        )

    @property
    def days_of_protection_left(self) -> int | None:
        if self.status != DealStatus.APPROVED or self.protected_until is None:
            return None
        return max(0, (self.protected_until - timezone.now()).days)


class DealLineItem(models.Model):
    """One offering sold in the deal: quantity x unit amount, in the deal's currency."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    offering = models.ForeignKey("partners.Offering", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["deal", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="deal_line_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(unit_amount__gt=0), name="deal_line_unit_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.offering}"

    @property
    def total(self) -> Decimal:
        return (self.unit_amount or Decimal("0")) * (self.quantity or 0)


class DealTransition(models.Model):
    """One step of a deal's workflow: who moved it, when, from what to what, and why."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=DealStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=DealStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["deal", "at", "pk"]

    def __str__(self):
        return f"{self.deal_id}: {self.from_status or '∅'} → {self.to_status}"


class DealExtensionRequest(models.Model):
    """A partner's request for more protection time, decided by a channel manager."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    reason = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="deal_one_pending_extension",
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="deal_extension_days_positive"),
        ]

    def __str__(self):
        return f"+{self.days} days for deal {self.deal_id} ({self.get_status_display()})"


class DealNotice(models.Model):
    """History only since issue 17: every email now goes through ``kernel.OutboundEmail``, nothing
    writes this table (migration 0003 moved its unsent rows there); a later release may drop it.
    An email about a deal: written (rendered) in the transaction of what it reports, sent by a
    task after commit, ``sent_at`` set once delivered. Unique per (deal, kind, key): reruns send
    nothing twice (``key`` tells occurrences apart, e.g. the protection end a warning was about)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    key = models.CharField(max_length=64, blank=True)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deal", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "kind", "key"], name="deal_notice_once"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="deal_notice_unsent_idx",
            )
        ]

    def __str__(self):
        return f"{self.kind} for deal {self.deal_id}"


class DealHelpRequest(models.Model):
    """Co-selling (issue 20): a partner asks the vendor for help on an approved deal (pre-sales,
    pricing, an executive sponsor); a channel manager assigns a vendor person; both sides add
    notes (``DealHelpNote``). One request per deal and kind."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="help_requests")
    kind = models.CharField(max_length=10, choices=HelpKind.choices)
    message = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=HelpStatus.choices, default=HelpStatus.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "kind"], name="deal_help_once_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on deal {self.deal_id}"


class DealHelpNote(models.Model):
    """A note on a help request, written by the partner's people or vendor staff; both see it."""

    request = models.ForeignKey(DealHelpRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_vendor = models.BooleanField(default=False)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Note on help request {self.request_id}"
