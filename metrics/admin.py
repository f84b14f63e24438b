from django.contrib import admin

from metrics.models import Event, OfferingAdoptionRule, RollupState


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the event log is append-only and written only through metrics.services."""

    list_display = ["occurred_at", "kind", "partner", "user", "subject_type", "subject_id"]
    list_filter = ["kind"]
    list_select_related = ["partner", "user"]
    search_fields = ["idempotency_key", "subject_id"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # counting millions of rows on every page load is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OfferingAdoptionRule)
class OfferingAdoptionRuleAdmin(admin.ModelAdmin):
    """How each offering counts as adopted (docs/metrics.md). Offerings without rules use the
    defaults in metrics.definitions.DEFAULT_OFFERING_RULES."""

    list_display = ["offering", "description", "kinds", "window_days", "min_events"]
    list_filter = ["offering"]
    list_select_related = ["offering"]


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    """When the rollups last succeeded and how big their last run was (read-only)."""

    list_display = ["name", "watermark", "last_success_at", "last_events", "last_duration_ms"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
