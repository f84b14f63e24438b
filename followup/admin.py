from django.contrib import admin

from followup.models import Note, Task


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("partner", "author", "pinned", "created_at")
    raw_id_fields = ("partner", "author")

    def has_add_permission(self, request):
        return False  # written through followup.services (events, audit)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "partner", "assignee", "due_on", "status")
    list_filter = ("status",)
    raw_id_fields = ("partner", "assignee", "created_by", "completed_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
