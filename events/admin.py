from django.contrib import admin

from events.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the event log is append-only and written only through events.services."""

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
