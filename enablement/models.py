"""Courses, quizzes, certifications and the resource library.

Partner-side models reference the partners app by string label; nothing here imports its models.
Writes go through enablement.services, reads through enablement.selectors (audience scoping).
"""

import secrets
import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enablement.choices import (
    CertificateStatus,
    Language,
    QuestionKind,
    ReminderKind,
    ResourceKind,
)
from kernel.translations import translations_field
from kernel.uploads import validate_upload

# Unambiguous alphabet for verification codes people may type from a printed certificate.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_verification_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{body[:4]}-{body[4:8]}-{body[8:]}"


def _generated_name(folder: str, filename: str) -> str:
    """A generated storage name: the uploader's file name never reaches the file system."""
    ext = PurePosixPath(filename).suffix.lower()
    return f"enablement/{folder}/{uuid.uuid4().hex}{ext}"


def lesson_upload_to(instance, filename: str) -> str:
    return _generated_name("lessons", filename)


def resource_upload_to(instance, filename: str) -> str:
    return _generated_name("resources", filename)


class Audience(models.Model):
    """Who may see an item. Empty means everybody; a minimum tier means that tier or higher (by
    ``Tier.rank`` within the tier's program)."""

    programs = models.ManyToManyField(
        "partners.Program",
        blank=True,
        related_name="+",
        help_text=gettext_lazy("Empty: every program."),
    )
    partner_types = models.ManyToManyField(
        "partners.PartnerType",
        blank=True,
        related_name="+",
        help_text=gettext_lazy("Empty: every type."),
    )
    min_tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy(
            "Only partners at this tier or higher (of the same program). Empty: any tier."
        ),
    )

    class Meta:
        abstract = True


class Course(Audience):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text=gettext_lazy("Markdown."))
    offerings = models.ManyToManyField(
        "partners.Offering",
        blank=True,
        related_name="+",
        help_text=gettext_lazy("What this course teaches."),
    )
    estimated_minutes = models.PositiveIntegerField(default=30)
    required_for_onboarding = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Shown as required; onboarding checklist steps can rely on it."),
    )
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    translations = translations_field()
    TRANSLATED_FIELDS = ("title", "summary", "description")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("enablement:course_detail", args=[self.slug])


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    body = models.TextField(
        blank=True, help_text=gettext_lazy("Markdown. Raw HTML is removed when shown.")
    )
    video_url = models.URLField(
        blank=True, help_text=gettext_lazy("A link to the lesson's video (https).")
    )
    attachment = models.FileField(
        upload_to=lesson_upload_to, blank=True, validators=[validate_upload], max_length=200
    )
    attachment_name = models.CharField(max_length=200, blank=True, editable=False)
    attachment_type = models.CharField(max_length=100, blank=True, editable=False)
    translations = translations_field()
    TRANSLATED_FIELDS = ("title", "body")

    class Meta:
        ordering = ["course", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"], name="lesson_unique_position_per_course"
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def clean(self):
        if self.video_url and not self.video_url.lower().startswith("https://"):
            raise ValidationError({"video_url": _("Video links must use https://.")})


class Quiz(models.Model):
    """A course's final quiz. Passing it is required to complete the course."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="quiz")
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=gettext_lazy("Percentage of questions that must be answered correctly."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text=gettext_lazy("Attempts allowed per person."),
    )
    translations = translations_field()
    TRANSLATED_FIELDS = ("title", "instructions")

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="quiz_pass_mark_range"
            ),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="quiz_attempts_gte_1"),
        ]

    def __str__(self):
        return self.title


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()
    kind = models.CharField(
        max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    explanation = models.TextField(
        blank=True, help_text=gettext_lazy("Shown after the quiz is passed.")
    )
    translations = translations_field()
    TRANSLATED_FIELDS = ("text", "explanation")

    class Meta:
        ordering = ["quiz", "position", "pk"]

    def __str__(self):
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)
    translations = translations_field()
    TRANSLATED_FIELDS = ("text",)

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self):
        return self.text


class Enrollment(models.Model):
    """One person's progress through one course. ``cycle`` counts restarts (for renewals): quiz
    attempts are limited per cycle."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", null=True
    )
    cycle = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique_user_course")
        ]
        indexes = [models.Index(fields=["partner", "completed_at"], name="enrollment_partner_idx")]

    def __str__(self):
        return f"{self.user} · {self.course}"


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="done")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self):
        return f"{self.enrollment} · lesson {self.lesson_id}"


class QuizAttempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", null=True
    )
    cycle = models.PositiveSmallIntegerField(default=1)
    number = models.PositiveSmallIntegerField()
    answers = models.JSONField(
        default=dict, help_text=gettext_lazy("question id → chosen choice ids")
    )
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(help_text=gettext_lazy("Percent correct."))
    passed = models.BooleanField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # Two tabs submitting at once cannot both be "attempt 2".
            models.UniqueConstraint(
                fields=["quiz", "user", "cycle", "number"], name="quiz_attempt_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.quiz} #{self.number}"


class Certification(Audience):
    """Earned by completing every one of its courses (each course's quiz included)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text=gettext_lazy("Markdown."))
    courses = models.ManyToManyField(Course, related_name="certifications")
    validity_days = models.PositiveIntegerField(
        default=365,
        validators=[MinValueValidator(1)],
        help_text=gettext_lazy("How long a certificate is valid."),
    )
    renewal_window_days = models.PositiveIntegerField(
        default=60,
        help_text=gettext_lazy("How many days before expiry holders may renew (and are reminded)."),
    )
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Certificate(models.Model):
    """One person's certification. Renewal extends the same certificate (same public code)."""

    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    holder_name = models.CharField(
        max_length=150, help_text=gettext_lazy("As printed on the certificate.")
    )
    code = models.CharField(max_length=20, unique=True, default=new_verification_code)
    earned_at = models.DateTimeField(default=timezone.now)
    renewed_at = models.DateTimeField(null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    expired_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-earned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "user"], name="certificate_unique_per_user"
            )
        ]
        indexes = [models.Index(fields=["expires_at"], name="certificate_expires_idx")]

    def __str__(self):
        return f"{self.certification} · {self.holder_name}"

    def get_absolute_url(self):
        return reverse("enablement:certificate_detail", args=[self.code])

    @property
    def status(self) -> str:
        if self.revoked_at:
            return CertificateStatus.REVOKED
        if self.expires_at <= timezone.now():
            return CertificateStatus.EXPIRED
        return CertificateStatus.ACTIVE

    def get_status_display(self) -> str:
        return CertificateStatus(self.status).label

    @property
    def renewal_opens_at(self):
        return self.expires_at - timedelta(days=self.certification.renewal_window_days)

    @property
    def is_renewable(self) -> bool:
        return self.revoked_at is None and timezone.now() >= self.renewal_opens_at


class CertificateReminder(models.Model):
    """What was sent, so a rerun of the reminder task sends nothing twice (one per kind and
    validity period)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    expires_at = models.DateTimeField(help_text=gettext_lazy("The expiry this reminder was about."))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind", "expires_at"], name="certificate_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.certificate} · {self.kind}"


class ResourceCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "resource categories"

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Resource(Audience):
    """A playbook, guide or marketing asset: an uploaded file or a link."""

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text=gettext_lazy("Markdown description."))
    kind = models.CharField(
        max_length=10, choices=ResourceKind.choices, default=ResourceKind.DOCUMENT
    )
    category = models.ForeignKey(
        ResourceCategory, on_delete=models.PROTECT, related_name="resources"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    variant_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
        help_text=gettext_lazy("The original this is a translation of."),
    )
    file = models.FileField(
        upload_to=resource_upload_to, blank=True, validators=[validate_upload], max_length=200
    )
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    file_type = models.CharField(max_length=100, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(default=0, editable=False)
    url = models.URLField(
        blank=True, help_text=gettext_lazy("For links: where the resource lives.")
    )
    marketing_asset = models.BooleanField(
        default=False,
        help_text=gettext_lazy("A through-channel marketing asset partners may co-brand."),
    )
    offerings = models.ManyToManyField("partners.Offering", blank=True, related_name="+")
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant_of", "language"],
                condition=Q(variant_of__isnull=False),
                name="resource_one_variant_per_language",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("enablement:resource_detail", args=[self.pk])

    def clean(self):
        if self.kind == ResourceKind.LINK:
            if not self.url:
                raise ValidationError({"url": _("A link needs its address.")})
            if not self.url.lower().startswith("https://"):
                raise ValidationError({"url": _("Links must use https://.")})
        elif not self.file:
            raise ValidationError({"file": _("Upload the file (or choose the kind 'Link').")})
        if self.variant_of_id and self.variant_of_id == self.pk:
            raise ValidationError({"variant_of": _("A resource cannot be a variant of itself.")})


class LibraryVisit(models.Model):
    """When a person last opened the library, for "new since your last visit"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_visit"
    )
    last_visit_at = models.DateTimeField()
    new_since = models.DateTimeField(
        help_text=gettext_lazy("Resources published after this are 'new'.")
    )

    def __str__(self):
        return f"{self.user} · {self.last_visit_at:%Y-%m-%d %H:%M}"
