"""Market development funds (allocations and requests) and points, badges and awards.

MDF balances are guarded by the database, not only by Python: an allocation's ``committed`` (funds
promised to approved requests, or paid on approved claims) can never exceed its ``amount`` and
``paid`` can never exceed ``committed`` (CHECK constraints). Services change them with conditional
``UPDATE … WHERE`` statements (see incentives.services.mdf), so two approvals racing cannot
overspend: the database refuses the second.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from incentives.choices import AwardScope, MdfStatus

ZERO = Decimal("0")


class MdfAllocation(models.Model):
    """The funds one partner may request in one period (e.g. a fiscal quarter)."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="mdf_allocations"
    )
    period = models.CharField(max_length=20, help_text=gettext_lazy("A label such as 2026-Q4."))
    starts_on = models.DateField()
    ends_on = models.DateField()
    currency = models.CharField(
        max_length=3, default="USD", help_text=gettext_lazy("ISO 4217, e.g. USD.")
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    committed = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=ZERO,
        editable=False,
        help_text=gettext_lazy(
            "Approved for activities (or paid on approved claims); never above the amount."
        ),
    )
    paid = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=ZERO,
        editable=False,
        help_text=gettext_lazy("Paid out on approved claims; never above what was committed."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "period"], name="mdf_allocation_one_per_period"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="mdf_allocation_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("amount")),
                name="mdf_allocation_committed_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=F("committed")),
                name="mdf_allocation_paid_within_committed",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="mdf_allocation_dates_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.partner} · {self.period}: {self.amount} {self.currency}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


def mdf_proof_upload_to(instance, filename: str) -> str:
    # A generated name: the uploader's name is kept in ``proof_name`` for the download only.
    import uuid

    return f"mdf/proofs/{instance.partner_id}/{uuid.uuid4().hex}"


class MdfRequest(models.Model):
    """A partner's request for funds for one marketing activity, and its claim."""

    allocation = models.ForeignKey(MdfAllocation, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="mdf_requests"
    )
    status = models.CharField(
        max_length=20, choices=MdfStatus.choices, default=MdfStatus.REQUESTED, db_index=True
    )
    title = models.CharField(max_length=200)
    description = models.TextField(
        max_length=5000, help_text=gettext_lazy("The plan: audience, channels, goals.")
    )
    activity_starts_on = models.DateField()
    activity_ends_on = models.DateField()
    requested_amount = models.DecimalField(max_digits=14, decimal_places=2)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    # the decision on the request
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    # the claim, with proof of execution
    claimed_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    claim_note = models.TextField(blank=True, max_length=2000)
    proof = models.FileField(upload_to=mdf_proof_upload_to, blank=True, max_length=200)
    proof_name = models.CharField(max_length=150, blank=True)
    proof_content_type = models.CharField(max_length=120, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim_decided_at = models.DateTimeField(null=True, blank=True)
    claim_decision_note = models.TextField(blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__gt=0), name="mdf_request_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | (Q(approved_amount__gt=0) & Q(approved_amount__lte=F("requested_amount"))),
                name="mdf_request_approved_within_requested",
            ),
            models.CheckConstraint(
                condition=Q(claimed_amount__isnull=True)
                | (Q(claimed_amount__gt=0) & Q(claimed_amount__lte=F("approved_amount"))),
                name="mdf_request_claimed_within_approved",
            ),
            models.CheckConstraint(
                condition=Q(activity_ends_on__gte=F("activity_starts_on")),
                name="mdf_request_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="mdf_request_partner_status")]

    def __str__(self):
        return f"{self.title} ({self.partner})"

    @property
    def currency(self) -> str:
        return self.allocation.currency


class Badge(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)
    icon = models.CharField(
        max_length=40,
        default="award",
        help_text=gettext_lazy("A Bootstrap icon name, e.g. award, trophy, star."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AwardRule(models.Model):
    """Points and/or a badge for an event kind, e.g. 50 points for every deal won, or the
    "First deal" badge for a partner's first ``deal.submitted``."""

    name = models.CharField(max_length=120)
    # No ``choices`` here: EventKind grows with every app, which would mean a migration each time;
    # the admin form offers the kinds (incentives.admin).
    event_kind = models.CharField(max_length=64)
    points = models.PositiveIntegerField(default=0)
    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, null=True, blank=True)
    scope = models.CharField(max_length=10, choices=AwardScope.choices, default=AwardScope.PARTNER)
    first_only = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Only the first such event (per partner or per user) counts."),
    )
    cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("At most this many awards per partner or per user."),
    )
    program = models.ForeignKey(
        "partners.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=gettext_lazy("Only partners of this program (empty: every program)."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gt=0) | Q(badge__isnull=False),
                name="award_rule_gives_something",
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=1), name="award_rule_cap_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def limit(self) -> int | None:
        """How many awards one partner (or user) may get from this rule; None: no limit."""
        if self.first_only:
            return 1
        return self.cap


class Award(models.Model):
    """Points and/or a badge given by one rule for one event. The unique (rule, event) pair is
    what makes evaluation idempotent: the signal, the catch-up task and a backfill may all see
    the same event, and only one award is stored."""

    rule = models.ForeignKey(AwardRule, on_delete=models.CASCADE, related_name="awards")
    event_id = models.BigIntegerField(help_text=gettext_lazy("The metrics event that earned it."))
    event_kind = models.CharField(max_length=64)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="awards")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    points = models.PositiveIntegerField(default=0)
    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, null=True, blank=True)
    occurred_at = models.DateTimeField(help_text=gettext_lazy("When the event happened."))
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "event_id"], name="award_once_per_rule_event"),
        ]
        indexes = [
            models.Index(fields=["partner", "occurred_at"], name="award_partner_time"),
            models.Index(fields=["rule", "partner", "user"], name="award_rule_scope"),
        ]

    def __str__(self):
        return f"{self.rule} → {self.partner}"


class PartnerScore(models.Model):
    """A partner's points total and leaderboard choice. Its row is locked while awards for the
    partner are evaluated, so "first only" and caps hold when events arrive concurrently."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="score", primary_key=True
    )
    points = models.PositiveIntegerField(default=0)
    leaderboard_opt_out = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-points"], name="score_points_desc")]

    def __str__(self):
        return f"{self.partner_id}: {self.points}"


class AwardCursor(models.Model):
    """How far the catch-up task has scanned the event log: every event with an id at or below
    ``watermark`` was evaluated; it only moves to a safe bound (``events.cursor``)."""

    name = models.CharField(max_length=40, primary_key=True)
    watermark = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} @ {self.watermark}"


class MdfEmail(models.Model):
    """History only since issue 17: every email now goes through ``kernel.OutboundEmail``, nothing
    writes this table (migration 0005 moved its unsent rows there); a later release may drop it.
    An MDF email to send (the outbox row): written in the transaction of the change it reports,
    sent by ``send_mdf_email`` after commit, ``sent_at`` set once sent. The row survives a broker
    outage; ``send_pending_mdf_emails`` sends what is still unsent (row lock: never twice)."""

    request = models.ForeignKey(MdfRequest, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=24)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="mdf_email_unsent_idx",
            )
        ]

    def __str__(self):
        return f"{self.request_id} {self.kind}"
