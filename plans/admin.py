from django.contrib import admin

from plans.models import BusinessPlan


@admin.register(BusinessPlan)
class BusinessPlanAdmin(admin.ModelAdmin):
    """Read-only: plans change through their pages (plans.services), which audit and notify."""

    list_display = ("partner", "fiscal_year", "quarter", "version", "status", "approved_at")
    list_filter = ("status", "fiscal_year", "quarter")
    search_fields = ("partner__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
