"""Reads of notes and tasks, each one bounded query. Callers have checked that the user is vendor
staff and may see the partner (``partners.selectors.partner_get_for_user``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from accounts.choices import VendorRole
from accounts.models import User
from followup.choices import TaskStatus
from followup.models import Note, Task
from partners.permissions import is_vendor_staff


def active_staff() -> QuerySet[User]:
    """Who a task may be assigned to: active vendor staff, by name."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]) | Q(is_superuser=True)
        )
        .order_by("full_name", "email")
    )


def note_list_for_partner(*, partner, limit: int = 50) -> list[Note]:
    """Pinned first, then newest first."""
    return list(
        Note.objects.filter(partner=partner)
        .select_related("author")
        .order_by("-pinned", "-created_at", "-pk")[:limit]
    )


def task_list_for_partner(*, partner, limit: int = 50) -> list[Task]:
    """Open tasks first (soonest due first), then done ones (latest completed first)."""
    open_tasks = list(
        Task.objects.filter(partner=partner, status=TaskStatus.OPEN)
        .select_related("assignee")
        .order_by("due_on", "pk")[:limit]
    )
    return open_tasks


def task_done_count(*, partner) -> int:
    return Task.objects.filter(partner=partner, status=TaskStatus.DONE).count()


def my_open_tasks(*, user, limit: int = 200) -> list[Task]:
    """Open tasks assigned to ``user``, overdue first (oldest due first), with their partner."""
    return list(
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN)
        .select_related("partner", "created_by")
        .order_by("due_on", "pk")[:limit]
    )


def note_get_for_user(*, user, pk: int) -> Note:
    if not is_vendor_staff(user):
        raise Http404("No such note.")
    note = Note.objects.select_related("partner", "author").filter(pk=pk).first()
    if note is None:
        raise Http404("No such note.")
    return note


def task_get_for_user(*, user, pk: int) -> Task:
    if not is_vendor_staff(user):
        raise Http404("No such task.")
    task = Task.objects.select_related("partner", "assignee", "created_by").filter(pk=pk).first()
    if task is None:
        raise Http404("No such task.")
    return task


# --- Timeline rows (console/partner_page.py merges them with the other apps') --------------------
def notes_for_timeline(*, partner, limit: int) -> list[Note]:
    return list(
        Note.objects.filter(partner=partner)
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )


def tasks_for_timeline(*, partner, limit: int) -> list[Task]:
    """The ``limit`` tasks with the latest moment (created, or completed when later): enough for
    the newest ``limit`` task moments of the timeline (a task left out has every moment older than
    the latest moment of each task kept). One query."""
    latest = Coalesce("completed_at", "created_at")
    return list(
        Task.objects.filter(partner=partner)
        .select_related("created_by", "assignee", "completed_by")
        .annotate(latest=Greatest("created_at", latest))
        .order_by("-latest", "-pk")[:limit]
    )


def tasks_due_for_reminder(*, today=None, limit: int = 500) -> list[int]:
    """Ids of open tasks due today or earlier whose reminder has not been sent."""
    today = today or timezone.localdate()
    return list(
        Task.objects.filter(status=TaskStatus.OPEN, due_on__lte=today, reminded_at__isnull=True)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)[:limit]
    )
