"""A partner's tier standing (grace period, override) and its tier history.

Written only by partners.tiers (the nightly evaluation and the override service).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.choices import TierChangeKind


class TierStanding(models.Model):
    """Where a partner stands against its tier, between two nightly evaluations.

    ``below_since`` is set when the evaluation first finds the partner short of its current
    tier's requirements; it gets a warning then and is demoted at ``demote_after`` unless it
    meets them again. An override pins the tier until ``pinned_until`` (the evaluation leaves a
    pinned partner alone).
    """

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="tier_standing"
    )
    below_since = models.DateTimeField(null=True, blank=True)
    demote_after = models.DateTimeField(null=True, blank=True)
    demote_to = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pinned_until = models.DateTimeField(null=True, blank=True)
    override_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(below_since__isnull=True, demote_after__isnull=True)
                | Q(below_since__isnull=False, demote_after__isnull=False),
                name="tier_standing_grace_has_deadline",
            ),
        ]
        indexes = [models.Index(fields=["demote_after"], name="tier_standing_demote_idx")]

    def __str__(self):
        return f"{self.partner_id}: below since {self.below_since}" if self.below_since else "ok"

    def is_pinned(self, at=None) -> bool:
        return self.pinned_until is not None and self.pinned_until > (at or timezone.now())


class TierHistory(models.Model):
    """One change (or warning) in a partner's tier, with the reason. Never edited."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="tier_history"
    )
    kind = models.CharField(max_length=12, choices=TierChangeKind.choices)
    from_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the nightly evaluation made the change.",
    )
    at = models.DateTimeField(default=timezone.now)
    pinned_until = models.DateTimeField(null=True, blank=True)
    values = models.JSONField(default=dict, blank=True, help_text="Metric values at the time.")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "tier history"
        indexes = [models.Index(fields=["partner", "-at"], name="tier_history_partner_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.get_kind_display()} {self.at:%Y-%m-%d}"
