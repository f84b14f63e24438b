from django.contrib import admin

from metrics.models import OfferingAdoptionRule, RollupState


@admin.register(OfferingAdoptionRule)
class OfferingAdoptionRuleAdmin(admin.ModelAdmin):
    """How each offering counts as adopted (docs/metrics.md). Offerings without rules use the
    defaults in metrics.adoption_rules.DEFAULT_OFFERING_RULES."""

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
