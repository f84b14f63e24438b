"""Read-mostly admin for operators; the product's pages and services are how leads change."""

from django.contrib import admin

from leads.models import Lead, LeadOffer, LeadSla, RoutingRule


class OfferInline(admin.TabularInline):
    model = LeadOffer
    extra = 0
    can_delete = False
    readonly_fields = (
        "partner", "rule", "state", "offered_at", "deadline", "answered_at", "answered_by",
        "decline_reason", "why",
    )  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("company", "program", "status", "partner", "source", "created_at")
    list_filter = ("status", "source", "region", "program")
    search_fields = ("company", "domain", "external_id")
    readonly_fields = ("status", "partner", "deal_id", "created_by", "created_at", "updated_at")
    inlines = [OfferInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "position", "strategy", "is_active")
    list_filter = ("program", "strategy", "is_active")


@admin.register(LeadSla)
class LeadSlaAdmin(admin.ModelAdmin):
    list_display = ("program", "hours")
