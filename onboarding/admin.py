from django.contrib import admin

from onboarding import services
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    ChecklistStep,
    ChecklistTemplate,
    OnboardingSurvey,
    OwnerRule,
    PartnerApplication,
    PartnerChecklist,
    SentReminder,
    TemplateStep,
)


class TemplateStepInline(admin.StackedInline):
    model = TemplateStep
    extra = 0
    fields = [
        ("position", "key", "kind", "required", "due_days"),
        "title",
        "why",
        ("subject_id", "target_count", "event_kind"),
        ("link_url", "match_properties"),
    ]
    prepopulated_fields = {"key": ["title"]}


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "program", "partner_type", "tier", "is_active"]
    list_filter = ["is_active", "program", "partner_type"]
    readonly_fields = ["version", "updated_at"]
    inlines = [TemplateStepInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Partners keep the steps they started with; a new version marks what changed.
        if change and any(fs.has_changed() for fs in formsets):
            services.template_bump_version(template=form.instance)
            self.message_user(
                request,
                f"Steps changed: the template is now version {form.instance.version}. Partners "
                "already onboarding keep their version until you migrate them "
                "(Partner checklists → Migrate).",
            )


class ChecklistStepInline(admin.TabularInline):
    model = ChecklistStep
    extra = 0
    can_delete = False
    fields = ["position", "title", "kind", "required", "due_at", "status", "completed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PartnerChecklist)
class PartnerChecklistAdmin(admin.ModelAdmin):
    list_display = [
        "partner",
        "template_name",
        "version",
        "current_version",
        "started_at",
        "completed_at",
        "stalled_reason",
    ]
    list_filter = ["template", "completed_at"]
    search_fields = ["partner__name"]
    list_select_related = ["partner", "template"]
    readonly_fields = [
        "partner",
        "template",
        "template_name",
        "version",
        "started_at",
        "last_progress_at",
        "completed_at",
        "migrated_at",
        "stalled_reason",
        "stalled_since",
    ]
    inlines = [ChecklistStepInline]
    actions = ["migrate"]

    @admin.display(description="Template now at")
    def current_version(self, obj):
        return obj.template.version if obj.template else "—"

    @admin.action(description="Migrate to the template's current version")
    def migrate(self, request, queryset):
        moved = 0
        for checklist in queryset:
            try:
                services.checklist_migrate(checklist=checklist, actor=request.user)
                moved += 1
            except services.OnboardingError as exc:
                self.message_user(request, f"{checklist.partner}: {exc}", level="warning")
        self.message_user(request, f"{moved} checklist(s) migrated.")

    def has_add_permission(self, request):
        return False


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(admin.ModelAdmin):
    list_display = ["company_name", "domain", "status", "country", "submitted_at"]
    list_filter = ["status", "partner_type", "heard_from"]
    search_fields = ["company_name", "domain", "contact_email"]
    readonly_fields = [f.name for f in PartnerApplication._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Vendor admins write versions on the setup page (manage/setup/agreements/); here, as there,
    a published version is read only: what partners accepted never changes."""

    list_display = ["title", "version", "program", "published_at"]
    list_filter = ["program"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ["program", "version", "title", "body", "published_at"]
        return super().get_readonly_fields(request, obj)


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["partner", "agreement", "accepted_by", "accepted_at"]
    readonly_fields = ["partner", "agreement", "accepted_by", "accepted_at", "ip_address"]

    def has_add_permission(self, request):
        return False


@admin.register(OwnerRule)
class OwnerRuleAdmin(admin.ModelAdmin):
    list_display = ["region", "manager"]
    list_filter = ["region"]
    raw_id_fields = ["manager"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "sent_at"]
    list_filter = ["kind"]
    readonly_fields = ["key", "kind", "checklist", "step", "recipients", "sent_at"]


@admin.register(OnboardingSurvey)
class OnboardingSurveyAdmin(admin.ModelAdmin):
    list_display = ["partner", "sent_at", "answered_at", "csat", "nps"]
    readonly_fields = ["partner", "sent_at", "answered_at", "answered_by", "csat", "nps", "comment"]
