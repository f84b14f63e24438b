"""Applications, checklist templates (versioned), per-partner checklists, agreements, reminders and
the onboarding survey. State changes go through onboarding.services, never a plain save."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.fields import CountryField

from kernel.translations import translations_field
from onboarding.choices import (
    STEP_KIND_EVENTS,
    ApplicationStatus,
    CompletedVia,
    HeardFrom,
    ReminderKind,
    StepKind,
    StepStatus,
)
from partners.choices import Region
from partners.readers import StepSubject, step_subjects


class PartnerApplication(models.Model):
    """A company asking to join, from the public form. Reviewed by a channel manager."""

    company_name = models.CharField(max_length=200)
    website = models.URLField(max_length=300)
    domain = models.CharField(
        max_length=253, db_index=True, help_text=gettext_lazy("From the website.")
    )
    country = CountryField()
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_title = models.CharField(max_length=120, blank=True)
    sells = models.TextField("what the company sells", max_length=2000)
    heard_from = models.CharField(max_length=20, choices=HeardFrom.choices)
    heard_detail = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
        db_index=True,
    )
    # Flagged, not duplicated: the same domain as an existing partner or an earlier application.
    duplicate_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    duplicate_application = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    partner = models.OneToOneField(
        "partners.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        help_text=gettext_lazy("The partner created on approval."),
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.REJECTED) | ~Q(rejection_reason=""),
                name="application_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.company_name} ({self.domain})"

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_partner_id is not None or self.duplicate_application_id is not None


class OwnerRule(models.Model):
    """New partners of ``region`` go to these channel managers (least recently assigned first)."""

    region = models.CharField(max_length=10, choices=Region.choices)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owner_rules"
    )

    class Meta:
        ordering = ["region", "manager__email"]
        constraints = [
            models.UniqueConstraint(fields=["region", "manager"], name="owner_rule_unique"),
        ]

    def __str__(self):
        return f"{self.get_region_display()} → {self.manager}"


class Agreement(models.Model):
    """A version of the partner agreement, for one program or (no program) for every program.

    A partner accepts the newest published version of its program's agreement, or of the
    every-program one when its program has none (``onboarding.selectors.agreement_for_partner``).
    ``published_at`` empty: a draft; in the future: scheduled. Once published a version is
    immutable (what partners accepted never changes): the setup pages edit only unpublished ones.
    """

    program = models.ForeignKey(
        "partners.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("Empty: the agreement of every program that has none of its own."),
    )
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200, default="Partner agreement")
    body = models.TextField()
    published_at = models.DateTimeField(default=timezone.now, null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "version"],
                condition=Q(program__isnull=False),
                name="agreement_version_unique_per_program",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(program__isnull=True),
                name="agreement_version_unique_for_every_program",
            ),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()


class AgreementAcceptance(models.Model):
    """Who accepted which agreement version for their partner, and when (the click-through)."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "agreement"], name="agreement_accepted_once_per_partner"
            ),
        ]

    def __str__(self):
        return f"{self.partner} accepted {self.agreement}"


class ChecklistTemplate(models.Model):
    """An activation path for a segment of partners. Empty targeting fields match everything; the
    most specific active template wins. Editing steps bumps ``version``; partners keep the steps
    they started with (their own snapshot) until an admin migrates them."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    program = models.ForeignKey(
        "partners.Program", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The checklist builder edits a draft of the steps (``draft_steps``) and publishes it as a
    # new version; set while a draft exists (None: the draft is the published steps).
    draft_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def specificity(self) -> int:
        return sum(x is not None for x in (self.program_id, self.partner_type_id, self.tier_id))


class StepDefinition(models.Model):
    """Fields shared by a template's step and a partner's snapshot of it."""

    key = models.SlugField(
        max_length=60,
        help_text=gettext_lazy("Stable name of the step; kept across versions when migrating."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=150)
    why = models.TextField("why it matters", blank=True)
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    required = models.BooleanField(default=True)
    due_days = models.PositiveSmallIntegerField(
        default=30, help_text=gettext_lazy("Due this many days after the checklist starts.")
    )
    event_kind = models.CharField(
        max_length=64,
        blank=True,
        help_text=gettext_lazy(
            "The event that completes the step. Blank: the usual one for the kind."
        ),
    )
    subject_id = models.CharField(
        max_length=64,
        blank=True,
        help_text=gettext_lazy("Which course / certification (its id). Blank: any."),
    )
    match_properties = models.JSONField(
        default=dict,
        blank=True,
        help_text=gettext_lazy('Extra event properties to match, e.g. {"level": 2}.'),
    )
    target_count = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text=gettext_lazy(
            "How many matching events complete the step (e.g. colleagues to invite)."
        ),
    )
    link_url = models.CharField(
        max_length=300,
        blank=True,
        help_text=gettext_lazy("Where the partner does this step (a path or URL)."),
    )
    # The step's title and why in other languages; copied with the step like every definition
    # field, so a version's translations stay with that version.
    translations = translations_field()
    TRANSLATED_FIELDS = ("title", "why")

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.title

    @property
    def waits_for(self) -> str:
        """The event kind that completes this step ('' for steps a person verifies)."""
        if self.event_kind:
            return self.event_kind
        return STEP_KIND_EVENTS.get(self.kind, ("", ""))[0]

    @property
    def subject_property(self) -> str:
        return STEP_KIND_EVENTS.get(self.kind, ("", ""))[1]

    def clean(self):
        """Refuse a step that could never complete or that points nowhere: what it names must
        exist (and be something a partner can do), its event kind be well formed, its extra
        properties an object and its link a path or a web address. The admin runs this; a course,
        certification or agreement may be named by id or by slug/version and is stored by id
        (the events that complete the step carry the id)."""
        errors = {}
        self.subject_id = (self.subject_id or "").strip()
        self.event_kind = (self.event_kind or "").strip()
        self.link_url = (self.link_url or "").strip()
        subject_error = self._clean_subject()
        if subject_error:
            errors["subject_id"] = subject_error
        if self.kind == StepKind.EVENT and not self.event_kind:
            errors["event_kind"] = _("Name the event that completes this step.")
        elif self.event_kind and not _is_event_kind(self.event_kind):
            errors["event_kind"] = _(
                "An event kind looks like area.verb in lower case, e.g. webinar.attended."
            )
        if not isinstance(self.match_properties, dict):
            errors["match_properties"] = _(
                'Extra properties are an object of names and values, e.g. {"level": 2}.'
            )
        if self.link_url and not _is_step_link(self.link_url):
            errors["link_url"] = _(
                "Give a path of this site (/portal/…) or a web address (https://…)."
            )
        if errors:
            raise ValidationError(errors)

    def _clean_subject(self) -> str:
        """Check (and store by id) the object the step names; the error message, or ''."""
        if self.kind in SUBJECTLESS_KINDS or (self.kind == StepKind.CUSTOM and not self.event_kind):
            if self.subject_id:
                return _("This kind of step names no object: leave the subject empty.")
            return ""
        if not self.subject_id or self.kind not in REFERENCED_KINDS:
            return ""  # any course / certification / agreement, or a free event subject
        found = _find_subject(self.kind, self.subject_id, audience=self._subject_audience())
        if found is None:
            return REFERENCED_KINDS[self.kind]() % {"value": self.subject_id}
        if not found.published:
            return _("“%(name)s” is not published: partners cannot complete it.") % {
                "name": found.name
            }
        self.subject_id = str(found.pk)
        if found.open_to_audience is False:
            return _(
                "“%(name)s” is not open to the partners this template is for (its program, "
                "partner type or minimum tier): they could never complete this step."
            ) % {"name": found.name}
        return ""

    def _subject_audience(self) -> dict | None:
        """The partners the step is for, when a template aimed at a program, partner type or tier
        must name a course or certification those partners can see (a partner's snapshot is not
        re-checked); None: not checked."""
        return None

    DEFINITION_FIELDS = (
        "key",
        "position",
        "title",
        "why",
        "kind",
        "required",
        "due_days",
        "event_kind",
        "subject_id",
        "match_properties",
        "target_count",
        "link_url",
        "translations",
    )


# Kinds whose completing event has nothing a subject could narrow (a document step matches the
# partner's own upload for that step).
SUBJECTLESS_KINDS = frozenset(
    [StepKind.PROFILE, StepKind.FIRST_DEAL, StepKind.INVITE, StepKind.DOCUMENT]
)
# Kinds whose subject names an object, with the message when nothing has that name.
REFERENCED_KINDS = {
    StepKind.COURSE: lambda: _("No course has the id or slug “%(value)s”."),
    StepKind.CERTIFICATION: lambda: _("No certification has the id or slug “%(value)s”."),
    StepKind.AGREEMENT: lambda: _("No agreement has the id or version “%(value)s”."),
}


def _find_subject(kind: str, reference: str, *, audience: dict | None) -> StepSubject | None:
    """A step's subject, None when nothing has that name. Courses and certifications are
    enablement's: it registers their reader under the step kind (``partners.readers``), which
    also says whether ``audience`` can see the subject."""
    if kind == StepKind.AGREEMENT:
        agreements = Agreement.objects.all()
        found = (
            agreements.filter(pk=int(reference)).first()
            if reference.isdigit() and len(reference) < 19
            else None
        ) or agreements.filter(version=reference).first()
        if found is None:
            return None
        # a scheduled version counts (the step completes once partners can accept it); a draft not
        return StepSubject(pk=found.pk, name=str(found), published=found.published_at is not None)
    return step_subjects.get(kind)(reference, audience=audience)


def _template_cached(step) -> bool:
    """The admin's inline sets the (maybe still unsaved) template before cleaning its steps."""
    return step._meta.get_field("template").is_cached(step)


def _is_event_kind(value: str) -> bool:
    from events.services import KIND_PATTERN

    return len(value) <= 64 and bool(KIND_PATTERN.match(value))


def _is_step_link(value: str) -> bool:
    """A path of this site, or an http(s) address: never ``javascript:`` or a scheme-relative
    ``//host`` (the link is an ``href`` on the partner's checklist)."""
    if value.startswith("/"):
        return not value.startswith("//") and "\\" not in value
    lowered = value.lower()
    return lowered.startswith(("https://", "http://")) and len(value) > len("https://")


class TemplateStep(StepDefinition):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="steps")

    class Meta(StepDefinition.Meta):
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_step_unique_key"),
        ]

    def _subject_audience(self) -> dict | None:
        template = self.template if self.template_id or _template_cached(self) else None
        if template is None or self.kind == StepKind.AGREEMENT:
            return None
        return {
            "program_id": template.program_id,
            "partner_type_id": template.partner_type_id,
            "tier": template.tier,
        }


class TemplateDraftStep(StepDefinition):
    """A step of a template's draft in the checklist builder (``onboarding.builder``): edits land
    here and reach ``TemplateStep`` (what partners get) only when the draft is published."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="draft_steps"
    )

    class Meta(StepDefinition.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["template", "key"], name="template_draft_step_unique_key"
            ),
        ]

    _subject_audience = TemplateStep._subject_audience


class PartnerChecklist(models.Model):
    """One partner's activation checklist: a snapshot of a template version."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="checklist"
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.SET_NULL, null=True, related_name="checklists"
    )
    template_name = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_progress_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    migrated_at = models.DateTimeField(null=True, blank=True)
    # Set by the stall job: why the owner should look at this partner ('' when on track).
    stalled_reason = models.CharField(max_length=300, blank=True)
    stalled_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["completed_at", "stalled_since"], name="checklist_open_idx")
        ]

    def __str__(self):
        return f"{self.partner} · {self.template_name} v{self.version}"


class ChecklistStep(StepDefinition):
    checklist = models.ForeignKey(PartnerChecklist, on_delete=models.CASCADE, related_name="steps")
    template_step = models.ForeignKey(
        TemplateStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # What was counted towards target_count (e.g. ids of colleagues who joined), so a replayed
    # event never counts twice.
    counted = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_via = models.CharField(max_length=10, choices=CompletedVia.choices, blank=True)

    class Meta(StepDefinition.Meta):
        constraints = [
            models.UniqueConstraint(fields=["checklist", "key"], name="checklist_step_unique_key"),
            models.CheckConstraint(
                condition=Q(status=StepStatus.PENDING) | Q(completed_at__isnull=False),
                name="checklist_step_done_has_date",
            ),
        ]
        indexes = [
            # When each partner last completed a step (onboarding.readers.last_step_done, the
            # at-risk stall rule): one index-only probe per checklist, not its steps' rows.
            models.Index(
                fields=["checklist", "completed_at"],
                condition=Q(status=StepStatus.DONE),
                name="checklist_step_done_idx",
            )
        ]

    @property
    def is_done(self) -> bool:
        return self.status == StepStatus.DONE

    def is_overdue(self, now=None) -> bool:
        return not self.is_done and self.due_at < (now or timezone.now())


def _document_path(instance, filename):
    return f"onboarding/{instance.step.checklist.partner_id}/{instance.step_id}/{filename}"


class ChecklistDocument(models.Model):
    """A file a partner uploaded for a document step (e.g. a signed tax form)."""

    step = models.ForeignKey(ChecklistStep, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_document_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class SentReminder(models.Model):
    """One reminder or alert that went out. The unique key is what makes rerunning a job send
    nothing twice: a job inserts the row first and sends only if the insert was new."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    checklist = models.ForeignKey(
        PartnerChecklist, on_delete=models.CASCADE, related_name="reminders"
    )
    step = models.ForeignKey(
        ChecklistStep, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return self.key


class OnboardingSurvey(models.Model):
    """The short survey a partner admin gets after activation."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="onboarding_survey"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    csat = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    nps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(csat__gte=1, csat__lte=5, nps__gte=0, nps__lte=10),
                name="survey_answer_in_range",
            ),
        ]

    def __str__(self):
        return f"Survey · {self.partner}"


# Activation experiments (issue 22) keep their models in their own module; imported here so
# Django registers them with onboarding.
from onboarding.experiments.models import (  # noqa: E402, F401
    Experiment,
    ExperimentAssignment,
    ExperimentStatus,
    ExperimentStratum,
    ExperimentVariant,
    Verdict,
)
