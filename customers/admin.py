from django.contrib import admin

from customers.models import CustomerAccount, SeatLicense


class SeatLicenseInline(admin.TabularInline):
    model = SeatLicense
    extra = 0


@admin.register(CustomerAccount)
class CustomerAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "partner", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "external_id", "partner__name"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    inlines = [SeatLicenseInline]
