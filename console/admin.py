from django.contrib import admin

from console.models import WeeklyDigest


@admin.register(WeeklyDigest)
class WeeklyDigestAdmin(admin.ModelAdmin):
    """Read only: which manager got which week's digest (written by console.digest)."""

    list_display = ["user", "week", "partners", "sent_at"]
    list_filter = ["week"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "week", "partners", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
