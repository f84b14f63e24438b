"""Joint business plans: a partner's goals for a fiscal period, its initiatives, the vendor's
commitments and the conversation about them. Writes go through ``plans.services``.

A plan is a version: editable while a draft, locked once submitted, approved by the other side.
Changing an approved plan makes a new draft version (``version + 1``, ``previous`` the approved
one); the approved version stays in force until the new one is approved, then it is superseded.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from plans import periods
from plans.choices import (
    ActionConversion,
    CommitmentKind,
    InitiativeStatus,
    PlanStatus,
    ReviewStatus,
    Side,
)

TEXT_MAX = 300
NOTE_MAX = 2000
COMMENT_MAX = 4000
OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.SUBMITTED)


class BusinessPlan(models.Model):
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="business_plans"
    )
    fiscal_year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=periods.YEAR)  # 0: the whole year
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_side = models.CharField(max_length=8, choices=Side.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "-quarter", "partner_id", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__lte=4), name="plan_quarter_0_to_4"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100), name="plan_year_sane"
            ),
            models.UniqueConstraint(
                fields=["partner", "fiscal_year", "quarter", "version"],
                name="plan_unique_version",
            ),
            # one version in the works and one in force per partner and period
            models.UniqueConstraint(
                fields=["partner", "fiscal_year", "quarter"],
                condition=Q(status__in=OPEN_STATUSES),
                name="plan_one_open_version",
            ),
            models.UniqueConstraint(
                fields=["partner", "fiscal_year", "quarter"],
                condition=Q(status=PlanStatus.APPROVED),
                name="plan_one_approved_version",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanStatus.APPROVED) | Q(approved_at__isnull=False),
                name="plan_approved_has_approved_at",
            ),
        ]
        indexes = [
            models.Index(fields=["fiscal_year", "quarter", "status"], name="plan_period_idx")
        ]

    def __str__(self):
        return f"{self.partner} · {self.period.label} · v{self.version}"

    @property
    def period(self) -> periods.Period:
        return periods.period_of(self.fiscal_year, self.quarter)

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_locked(self) -> bool:
        return self.status in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED)


class Goal(models.Model):
    """A measured goal (``measure`` is a key of ``partners.measures``, ``subject_id`` narrows it
    like a tier requirement's) with a target for the plan's period, or a free-text goal
    (``measure`` empty) that someone marks done by hand."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="goals")
    measure = models.CharField(max_length=40, blank=True)
    subject_id = models.PositiveIntegerField(null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.CharField(max_length=TEXT_MAX, blank=True)
    done = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(measure="") & ~Q(text="")) | (~Q(measure="") & Q(target__gt=0)),
                name="goal_measured_or_text",
            ),
        ]

    def __str__(self):
        return self.text or self.measure

    @property
    def is_measured(self) -> bool:
        return bool(self.measure)


class Initiative(models.Model):
    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=TEXT_MAX)
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.PARTNER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.PLANNED
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title


class Commitment(models.Model):
    """What the vendor commits to: MDF planned (an amount in ``PRM_TIER_CURRENCY``), enablement
    sessions (a number), or anything else in words."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(max_length=12, choices=CommitmentKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.text or self.get_kind_display()


class Comment(models.Model):
    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=COMMENT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment {self.pk} on plan {self.plan_id}"


# --- Quarterly business reviews (issue 21) ----------------------------------------------------------
REVIEW_NOTES_MAX = 20000
REVIEW_DURATION_MAX = 8 * 60  # minutes


class QuarterlyReview(models.Model):
    """A quarterly business review (QBR) of a partner, optionally tied to one of its plans. Its
    start is stored in UTC and shown in each viewer's time zone. When it is held (marked held, or
    notes first taken at or after the start) the partner's scorecard is frozen into ``snapshot``
    (``plans.snapshot``): the page shows that, never live data, and nothing changes it after."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="business_reviews"
    )
    plan = models.ForeignKey(
        BusinessPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    title = models.CharField(max_length=TEXT_MAX)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=TEXT_MAX, blank=True)
    meeting_url = models.URLField(max_length=500, blank=True)
    agenda = models.TextField(max_length=NOTE_MAX, blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SCHEDULED
    )
    notes = models.TextField(max_length=REVIEW_NOTES_MAX, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_at = models.DateTimeField(null=True, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    sequence = models.PositiveIntegerField(default=0)  # the .ics SEQUENCE: + 1 on every change
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.HELD)
                | Q(snapshot__isnull=False, snapshot_at__isnull=False),
                name="review_held_has_snapshot",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=REVIEW_DURATION_MAX),
                name="review_duration_sane",
            ),
        ]
        indexes = [models.Index(fields=["partner", "-starts_at"], name="review_partner_idx")]

    def __str__(self):
        return f"{self.title} ({self.partner})"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_frozen(self) -> bool:
        return self.snapshot_at is not None


class ReviewComment(models.Model):
    """An agenda point proposed or a comment on a review, from either side."""

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=COMMENT_MAX)
    is_agenda_point = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment {self.pk} on review {self.review_id}"


class ActionItem(models.Model):
    """Something to do agreed at a review. A manager converts it once into a plan initiative
    (``initiative``) or a vendor staff task (``task_id``, a followup task, by id: the feature apps
    do not import each other; console composes the conversion)."""

    review = models.ForeignKey(
        QuarterlyReview, on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.CharField(max_length=TEXT_MAX)
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.PARTNER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    converted_to = models.CharField(
        max_length=12, choices=ActionConversion.choices, blank=True, default=""
    )
    initiative = models.OneToOneField(
        Initiative, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_item"
    )
    task_id = models.PositiveIntegerField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(converted_to="") | Q(converted_at__isnull=False),
                name="action_item_converted_has_time",
            ),
        ]

    def __str__(self):
        return self.text
