from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the application, never edited by hand."""

    list_display = ["at", "action", "actor_email", "partner", "target_repr", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_email", "target_repr", "partner__name"]
    date_hierarchy = "at"
    list_select_related = ["partner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
