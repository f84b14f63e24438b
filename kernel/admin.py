from django.contrib import admin

from kernel.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read only: the outbox is written by ``kernel.outbox.email_queue`` and its tasks."""

    list_display = ["key", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["key", "subject"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [f for f in fields if f != "body"] if obj is not None and obj.secret else fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
