"""Vendor staff's notes and tasks on a partner. Partners never see them (every route is vendor
staff only, and their events are staff-only kinds the partner's activity list leaves out)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from followup.choices import TaskStatus

NOTE_MAX = 4000  # characters of a note's body
TITLE_MAX = 200
DESCRIPTION_MAX = 2000


class Note(models.Model):
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="staff_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=NOTE_MAX)
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pinned", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="followup_note_partner_idx")
        ]

    def __str__(self):
        return f"Note {self.pk} on partner {self.partner_id}"


class Task(models.Model):
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="staff_tasks"
    )
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    due_on = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The sent-reminder marker: set by the one reminder run that claims the task (a conditional
    # UPDATE), cleared when the due date moves or the task is reopened.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="followup_task_partner_idx"),
            models.Index(
                fields=["assignee", "due_on"],
                condition=Q(status=TaskStatus.OPEN),
                name="followup_task_open_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()
