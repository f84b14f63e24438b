"""Authoring: vendor admins build courses (lessons inline), quizzes (questions inline, choices on
each question), certifications and resources here. "View on site" opens the portal page as a
preview, drafts included (vendor staff see drafts)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from enablement.models import (
    Certificate,
    CertificateReminder,
    Certification,
    Choice,
    Course,
    Lesson,
    Question,
    Quiz,
    QuizAttempt,
    Resource,
    ResourceCategory,
    Tag,
)
from enablement.rendering import render_markdown
from kernel.uploads import inspect_upload

# Links in lessons and resources must be https (clean() refuses others); say so in the form too.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}
AUDIENCE = ("Audience", {"fields": ["programs", "partner_types", "min_tier"]})


def _describe_upload(obj, field: str, name_attr: str, type_attr: str, size_attr: str | None = None):
    """Store the checked name and type of a newly uploaded file (the validator ran already)."""
    file = getattr(obj, field)
    if file and not getattr(file, "_committed", True):
        info = inspect_upload(file.file, name=file.name)
        setattr(obj, name_attr, info.name)
        setattr(obj, type_attr, info.content_type)
        if size_attr:
            setattr(obj, size_attr, info.size)
    elif not file:
        setattr(obj, name_attr, "")
        setattr(obj, type_attr, "")
        if size_attr:
            setattr(obj, size_attr, 0)


class LessonInline(admin.StackedInline):
    model = Lesson
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["position", "title", "body", "video_url", "attachment"]


class QuizInline(admin.StackedInline):
    model = Quiz
    extra = 0
    fields = ["title", "instructions", "pass_mark", "max_attempts"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "required_for_onboarding", "updated_at"]
    list_filter = ["is_published", "required_for_onboarding"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["offerings", "programs", "partner_types"]
    readonly_fields = ["preview"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "description",
                    "preview",
                    "offerings",
                    "estimated_minutes",
                    "required_for_onboarding",
                    "is_published",
                ]
            },
        ),
        AUDIENCE,
    ]
    inlines = [LessonInline, QuizInline]

    @admin.display(description="Description preview")
    def preview(self, obj):
        return render_markdown(obj.description) if obj and obj.pk else "Save to preview."

    def save_formset(self, request, form, formset, change):
        if formset.model is Lesson:
            for lesson_form in formset.forms:
                if lesson_form.has_changed() and "attachment" in lesson_form.changed_data:
                    lesson = lesson_form.instance
                    _describe_upload(lesson, "attachment", "attachment_name", "attachment_type")
        super().save_formset(request, form, formset, change)


class ChoiceFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        alive = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE", False)
        ]
        if alive and not any(c.get("is_correct") for c in alive):
            raise ValidationError(gettext_lazy("Mark at least one choice as correct."))
        if alive and len(alive) < 2:
            raise ValidationError(gettext_lazy("A question needs at least two choices."))


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 3
    fields = ["position", "text", "is_correct"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["position", "text", "kind", "explanation"]
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "pass_mark", "max_attempts"]
    search_fields = ["title", "course__title"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "quiz", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["text"]
    inlines = [ChoiceInline]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "cycle", "number", "score", "passed", "submitted_at"]
    list_filter = ["passed"]
    search_fields = ["user__email", "quiz__title"]
    readonly_fields = [f.name for f in QuizAttempt._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["name", "validity_days", "renewal_window_days", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["courses", "programs", "partner_types"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "description",
                    "courses",
                    "validity_days",
                    "renewal_window_days",
                    "is_published",
                ]
            },
        ),
        AUDIENCE,
    ]


class ReminderInline(admin.TabularInline):
    model = CertificateReminder
    extra = 0
    readonly_fields = ["kind", "expires_at", "sent_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["holder_name", "certification", "partner", "code", "expires_at", "revoked_at"]
    list_filter = ["certification"]
    search_fields = ["holder_name", "user__email", "code"]
    readonly_fields = ["code", "user", "certification", "partner", "earned_at", "renewed_at"]
    fields = [
        "certification",
        "user",
        "partner",
        "holder_name",
        "code",
        "earned_at",
        "renewed_at",
        "expires_at",
        "revoked_at",
    ]
    inlines = [ReminderInline]

    def has_add_permission(self, request):
        return False  # earned through courses, never typed in


@admin.register(ResourceCategory)
class ResourceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "category", "kind", "language", "is_published", "published_at"]
    list_filter = ["is_published", "kind", "category", "language", "marketing_asset"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["tags", "offerings", "programs", "partner_types"]
    autocomplete_fields = ["variant_of"]
    readonly_fields = ["preview", "stored_file"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "summary",
                    "body",
                    "preview",
                    "kind",
                    "category",
                    "tags",
                    "language",
                    "variant_of",
                    "file",
                    "stored_file",
                    "url",
                    "marketing_asset",
                    "offerings",
                    "is_published",
                    "published_at",
                ]
            },
        ),
        AUDIENCE,
    ]

    @admin.display(description="Body preview")
    def preview(self, obj):
        return render_markdown(obj.body) if obj and obj.pk else "Save to preview."

    @admin.display(description="Stored file")
    def stored_file(self, obj):
        if not obj or not obj.file:
            return "—"
        return format_html("{} · {} · {} bytes", obj.file_name, obj.file_type, obj.file_size)

    def save_model(self, request, obj, form, change):
        _describe_upload(obj, "file", "file_name", "file_type", "file_size")
        super().save_model(request, obj, form, change)
