"""A partner's tier standing (grace period, override) and its tier history.

Written only by tiers (the nightly evaluation and the override service).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.measures import measures
from tiers.choices import TierChangeKind

# The measures a requirement may narrow to one subject: enablement's certified people (to the
# holders of one certification) and metrics' offering adoption (to one offering). Spelled out
# because the database constraint below needs a literal list; the ``tiers.E001`` system check
# fails at start-up when the registered measures with a ``subject`` differ from it.
SUBJECT_MEASURES = ("certified_users", "offering_adopted")  # a certification, an offering


def _has_tier(requirement) -> bool:
    """An inline form sets the (maybe still unsaved) tier before cleaning its requirements."""
    return requirement._meta.get_field("tier").is_cached(requirement)


class TierRequirement(models.Model):
    """What a partner must reach to hold a tier, e.g. "at least 3 certified people".

    ``metric`` is the key of a registered measure (``partners.measures``); evaluated every night
    by tiers.evaluation (all requirements of a tier must be met). ``subject_id`` narrows a measure
    that takes a subject (certified people: to the holders of one certification, by id); a tier
    may ask for several subjects of a measure, each once. Money minimums are in
    ``PRM_TIER_CURRENCY``.
    """

    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, related_name="requirements")
    metric = models.CharField(
        max_length=40, help_text=gettext_lazy("A registered measure (partners.measures).")
    )
    # The column is the one of the foreign key to enablement.Certification this was: the core's
    # schema no longer points at a feature; the measure says what the id names and checks it.
    subject_id = models.BigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        db_column="certification_id",
        help_text=gettext_lazy(
            "Only for a measure that takes a subject (certified people: a certification)."
        ),
    )
    minimum = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "partners_tierrequirement"
        ordering = ["tier", "metric", "subject_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "metric"],
                condition=Q(subject_id__isnull=True),
                name="tier_requirement_unique_metric",
            ),
            models.UniqueConstraint(
                fields=["tier", "metric", "subject_id"],
                condition=Q(subject_id__isnull=False),
                name="tier_requirement_unique_certification",
            ),
            models.CheckConstraint(
                condition=Q(minimum__gte=0), name="tier_requirement_minimum_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(subject_id__isnull=True) | Q(metric__in=SUBJECT_MEASURES),
                name="tier_requirement_subject_only_for_subject_measures",
            ),
        ]

    def __str__(self):
        measure = self.measure
        what = measure.label if measure is not None else self.metric
        if self.subject_id and measure is not None and measure.subjects is not None:
            subject = measure.subjects([self.subject_id]).get(self.subject_id)
            what = f"{what} ({subject if subject is not None else self.subject_id})"
        return f"{what} ≥ {self.minimum.normalize():f}"

    @property
    def measure(self):
        """The registered measure this requirement asks for, or None when none is registered."""
        return measures.get(self.metric) if self.metric in measures else None

    def clean(self):
        measure = self.measure
        if measure is None:
            raise ValidationError({"metric": _("Choose one of the measures on offer.")})
        if self.subject_id and not measure.subject:
            raise ValidationError(
                _("%(measure)s counts everything: it cannot be narrowed.")
                % {"measure": measure.label}
            )
        errors = self.unreachable_errors()
        if errors:
            raise ValidationError(errors)

    def unreachable_errors(self) -> dict[str, str]:
        """Why no partner could ever meet this requirement on its way to the tier, per field
        (``minimum`` or the measure's subject name), as the measure checks it: more courses than
        are open to the program below the tier, a certification it cannot earn, a score above
        100, activation above 1. Empty when it can be met."""
        measure = self.measure
        if measure is None or measure.check is None:
            return {}
        if not (self.tier_id or _has_tier(self)) or self.minimum is None:
            return {}
        return measure.check(tier=self.tier, minimum=self.minimum, subject_id=self.subject_id)


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
        db_table = "partners_tierstanding"
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
        help_text=gettext_lazy("Empty when the nightly evaluation made the change."),
    )
    at = models.DateTimeField(default=timezone.now)
    pinned_until = models.DateTimeField(null=True, blank=True)
    values = models.JSONField(
        default=dict, blank=True, help_text=gettext_lazy("Metric values at the time.")
    )

    class Meta:
        db_table = "partners_tierhistory"
        ordering = ["-at", "-pk"]
        verbose_name_plural = "tier history"
        indexes = [models.Index(fields=["partner", "-at"], name="tier_history_partner_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.get_kind_display()} {self.at:%Y-%m-%d}"
