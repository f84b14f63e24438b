from django.contrib import admin

from deals.models import (
    Deal,
    DealExtensionRequest,
    DealLineItem,
    DealNotice,
    DealTransition,
    RegistrationPolicy,
)


@admin.register(RegistrationPolicy)
class RegistrationPolicyAdmin(admin.ModelAdmin):
    """Protection periods per program, with optional per-tier overrides (default 90 days)."""

    list_display = ["program", "tier", "protection_days", "warning_days"]
    list_filter = ["program"]


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineItemInline(_ReadOnlyInline):
    model = DealLineItem
    fields = ["offering", "quantity", "unit_amount"]


class TransitionInline(_ReadOnlyInline):
    model = DealTransition
    fields = ["at", "from_status", "to_status", "actor", "note"]


class ExtensionInline(_ReadOnlyInline):
    model = DealExtensionRequest
    fields = ["requested_at", "days", "status", "reason", "decided_by", "decision_note"]


class NoticeInline(_ReadOnlyInline):
    model = DealNotice
    fields = ["created_at", "kind", "key", "recipients"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    """Read-only: the workflow (and its events and emails) runs through the portal's services."""

    list_display = [
        "customer_name",
        "partner",
        "status",
        "amount",
        "currency",
        "protected_until",
        "created_at",
    ]
    list_filter = ["status", "currency", "partner__program", "partner__tier"]
    search_fields = ["customer_name", "customer_domain", "partner__name", "contact_email"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    inlines = [LineItemInline, TransitionInline, ExtensionInline, NoticeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
