"""An activation experiment, its variants (each a checklist template at its published version),
the permuted-block state per stratum, and one assignment per partner (never changes)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.choices import Region


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")  # planned sample reached: the verdict holds
    STOPPED = "stopped", _("Stopped early")  # no verdict is valid


class Verdict(models.TextChoices):
    NONE = "", _("No verdict")
    WINNER = "winner", _("A variant activates more partners")
    NO_DIFFERENCE = "no_difference", _("No difference detected")


class Experiment(models.Model):
    """New partners of ``program`` (optionally one partner type and/or region) are split between
    the variants. The design (baseline rate, minimum detectable difference, alpha, power, window)
    fixes the sample size per variant at creation; the verdict is read only once that many
    partners per variant have completed their window (fixed-horizon design, docs/metrics.md)."""

    name = models.CharField(max_length=120)
    hypothesis = models.TextField(blank=True, max_length=2000)
    program = models.ForeignKey("partners.Program", on_delete=models.PROTECT, related_name="+")
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.CharField(max_length=10, choices=Region.choices, blank=True)
    # "program:type:region" (empty parts: any); one running experiment per scope (constraint),
    # and overlapping scopes of a program are refused by experiment_start.
    scope_key = models.CharField(max_length=60, editable=False)
    status = models.CharField(
        max_length=10, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    window_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(7), MaxValueValidator(365)]
    )
    baseline_rate = models.DecimalField(
        max_digits=5, decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )  # fmt: skip
    min_difference = models.DecimalField(
        max_digits=5, decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )  # fmt: skip
    alpha = models.DecimalField(
        max_digits=4, decimal_places=3, default="0.050",
        validators=[MinValueValidator(0.001), MaxValueValidator(0.2)],
    )  # fmt: skip
    power = models.DecimalField(
        max_digits=4, decimal_places=3, default="0.800",
        validators=[MinValueValidator(0.5), MaxValueValidator(0.99)],
    )  # fmt: skip
    # Partners per variant whose window must close before a verdict (variant weights scale it:
    # stored per variant in ExperimentVariant.sample_size; this is the largest).
    sample_size = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verdict = models.CharField(max_length=15, choices=Verdict.choices, blank=True)
    verdict_summary = models.TextField(blank=True)
    winner = models.ForeignKey(
        "onboarding.ExperimentVariant",
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )  # fmt: skip
    # Set when the winner is rolled out: new partners of the scope get its checklist.
    rolled_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key"],
                condition=Q(status="running"),
                name="experiment_one_running_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(rolled_out_at__isnull=True) | Q(winner__isnull=False),
                name="experiment_rollout_has_winner",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_running(self) -> bool:
        return self.status == ExperimentStatus.RUNNING


class ExperimentVariant(models.Model):
    """One arm: a checklist template (built in the checklist builder) and its allocation weight.
    ``version`` is the template's published version when the experiment started; assignments
    record the version each partner actually got."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveSmallIntegerField(default=0)  # 0: the control
    template = models.ForeignKey(
        "onboarding.ChecklistTemplate", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    sample_size = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "template"], name="experiment_variant_unique_template"
            ),
        ]

    def __str__(self):
        return self.template.name if self.template_id else f"variant {self.pk}"


class ExperimentStratum(models.Model):
    """The permuted block of one stratum (partner type x region): the variants still to hand out
    in the current block. Locked FOR UPDATE while a partner is assigned."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="strata")
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.CASCADE, related_name="+"
    )
    region = models.CharField(max_length=10, choices=Region.choices)
    block = models.JSONField(default=list, blank=True)  # variant ids left in the current block
    blocks_started = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "partner_type", "region"], name="experiment_stratum_unique"
            ),
        ]

    def __str__(self):
        return f"{self.experiment_id}:{self.partner_type_id}:{self.region}"


class ExperimentAssignment(models.Model):
    """A partner's variant: made once at approval, never changed (one per partner)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="assignments")
    variant = models.ForeignKey(
        ExperimentVariant, on_delete=models.PROTECT, related_name="assignments"
    )
    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="experiment_assignment"
    )
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.PROTECT, related_name="+"
    )
    region = models.CharField(max_length=10, choices=Region.choices)
    version = models.PositiveIntegerField()
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assigned_at", "id"]
        indexes = [models.Index(fields=["experiment", "variant"], name="experiment_assign_idx")]

    def __str__(self):
        return f"{self.partner_id} -> variant {self.variant_id}"
