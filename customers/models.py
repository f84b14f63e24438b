"""Customer accounts of partners (the vendor's end customers that a partner sells to or serves),
their licensed seats, and the daily summary of their active users (``customers.rollups``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class CustomerAccount(models.Model):
    """A customer of a partner, known by the id the vendor's own systems give it. Written by
    vendor staff (API, admin) through ``customers.services``; usage events name it by
    ``external_id``."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="customer_accounts"
    )
    external_id = models.CharField(
        max_length=100,
        help_text=gettext_lazy("The account's id in the vendor's systems (CRM, billing)."),
    )
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="customer_account_external_id_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.external_id})"


class SeatLicense(models.Model):
    """Seats licensed to a customer account: account-wide (no offering) or for one offering.
    An account's licensed seats are the sum of its licenses."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="seats")
    offering = models.ForeignKey(
        "partners.Offering",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("Empty: seats for the account as a whole."),
    )
    seats = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "offering"],
                condition=Q(offering__isnull=False),
                name="seat_license_one_per_offering",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(offering__isnull=True),
                name="seat_license_one_account_wide",
            ),
        ]

    def __str__(self):
        return f"{self.account_id}: {self.seats} seats"


# --- Summary tables (customers.rollups only) ---------------------------------------------------


class CustomerDayUser(models.Model):
    """A customer's user who was active on a UTC day (at least one ingested event naming the
    account and the user). Kept per user so distinct counts over any window are exact."""

    account = models.ForeignKey(
        CustomerAccount, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    user = models.CharField(
        max_length=100, help_text=gettext_lazy("The customer's user id (external).")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "user"], name="cdu_unique")
        ]
        indexes = [models.Index(fields=["day", "account"], name="cdu_day_account_idx")]

    def __str__(self):
        return f"{self.account_id} {self.day} {self.user}"


class CustomerAccountDay(models.Model):
    """Distinct active users of one customer account on one UTC day (partner denormalised so the
    per-partner sum reads one index)."""

    account = models.ForeignKey(
        CustomerAccount, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    active_users = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="cad_unique")]
        indexes = [models.Index(fields=["partner", "day"], name="cad_partner_day_idx")]

    def __str__(self):
        return f"{self.account_id} {self.day}: {self.active_users}"


class AdoptionRollupState(models.Model):
    """Where the customer-adoption rollup stands (one row). ``watermark`` is the highest event id
    folded in, only ever set to an id below which no writer can still commit."""

    name = models.CharField(max_length=40, primary_key=True)
    watermark = models.BigIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_events = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name} @ {self.watermark}"
