"""Writes of notes and tasks: keyword-only, atomic, refusing bad input with ValidationError keyed
by field. Permission (author / creator / assignee / vendor admin) is the views' business through
``followup.permissions``; the services check what makes the data valid.

Events: ``partner.note_added``, ``task.created``, ``task.completed`` and ``task.reopened`` are
staff-only kinds (``events.choices.STAFF_ONLY_KINDS``: the partner's own activity list leaves them
out). Edits and deletions are written to the audit trail (``kernel.setup_log``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventKind
from events.services import record_event
from followup import selectors
from followup.choices import TaskStatus
from followup.models import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, Note, Task
from kernel import outbox
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from kernel.text import clean_free_text

NOTE_FIELDS = ("body", "pinned")
TASK_FIELDS = ("title", "description", "due_on", "assignee", "status")
DUE_MAX_DAYS = 3 * 366  # a due date at most about three years ahead


# --- Validation -----------------------------------------------------------------------------------
def _clean_body(body: str) -> str:
    body = clean_free_text(body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something in the note.")})
    if len(body) > NOTE_MAX:
        raise ValidationError(
            {"body": _("Keep a note under %(max)s characters.") % {"max": NOTE_MAX}}
        )
    return body


def due_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today, today + datetime.timedelta(days=DUE_MAX_DAYS)


def _check_task(*, title: str, description: str, due_on, assignee, due_changed: bool) -> dict:
    errors = {}
    title = " ".join(clean_free_text(title or "").split())
    description = clean_free_text(description or "").strip()
    if not title:
        errors["title"] = _("Give the task a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(max)s characters.") % {"max": TITLE_MAX}
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep the description under %(max)s characters.") % {
            "max": DESCRIPTION_MAX
        }
    if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
        errors["due_on"] = _("Give a due date.")
    elif due_changed:
        first, last = due_range()
        if not first <= due_on <= last:
            errors["due_on"] = _("Give a due date from today to %(last)s.") % {
                "last": last.isoformat()
            }
    if assignee is None or not selectors.active_staff().filter(pk=assignee.pk).exists():
        errors["assignee"] = _("Assign the task to an active member of the vendor staff.")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "description": description}


# --- Notes ----------------------------------------------------------------------------------------
@transaction.atomic
def note_add(*, actor, partner, body: str, pinned: bool = False) -> Note:
    note = Note.objects.create(partner=partner, author=actor, body=_clean_body(body), pinned=pinned)
    record_event(
        kind=EventKind.PARTNER_NOTE_ADDED,
        key=f"partner.note_added:{note.pk}",
        partner=partner,
        user=actor,
        subject=note,
        occurred_at=note.created_at,
        properties={"pinned": bool(pinned)},
    )
    return note


@transaction.atomic
def note_update(*, actor, note: Note, body: str, pinned: bool) -> Note:
    note = Note.objects.select_for_update().get(pk=note.pk)
    before = snapshot(note, NOTE_FIELDS)
    note.body, note.pinned = _clean_body(body), bool(pinned)
    if snapshot(note, NOTE_FIELDS) == before:
        return note
    note.updated_at = timezone.now()
    note.save(update_fields=["body", "pinned", "updated_at"])
    log_setup_change(
        actor=actor,
        obj=note,
        action=CHANGED,
        before=before,
        after=snapshot(note, NOTE_FIELDS),
        summary=_("Note on %(partner)s edited") % {"partner": note.partner.name},
    )
    return note


@transaction.atomic
def note_delete(*, actor, note: Note) -> None:
    note = Note.objects.select_for_update().select_related("partner").get(pk=note.pk)
    log_setup_change(
        actor=actor,
        obj=note,
        action=DELETED,
        before=snapshot(note, NOTE_FIELDS),
        summary=_("Note on %(partner)s deleted") % {"partner": note.partner.name},
    )
    note.delete()


# --- Tasks ----------------------------------------------------------------------------------------
@transaction.atomic
def task_create(*, actor, partner, title: str, due_on, assignee, description: str = "") -> Task:
    clean = _check_task(
        title=title, description=description, due_on=due_on, assignee=assignee, due_changed=True
    )
    task = Task.objects.create(
        partner=partner, due_on=due_on, assignee=assignee, created_by=actor, **clean
    )
    record_event(
        kind=EventKind.TASK_CREATED,
        key=f"task.created:{task.pk}",
        partner=partner,
        user=actor,
        subject=task,
        occurred_at=task.created_at,
        properties={"due_on": due_on.isoformat(), "assignee_id": assignee.pk},
    )
    log_setup_change(
        actor=actor,
        obj=task,
        action=ADDED,
        after=snapshot(task, TASK_FIELDS),
        summary=_("Task on %(partner)s created") % {"partner": partner.name},
    )
    _tell_assignee(task=task, actor=actor)
    return task


@transaction.atomic
def task_update(*, actor, task: Task, title: str, due_on, assignee, description: str = "") -> Task:
    task = Task.objects.select_for_update().select_related("partner").get(pk=task.pk)
    before = snapshot(task, TASK_FIELDS)
    clean = _check_task(
        title=title,
        description=description,
        due_on=due_on,
        assignee=assignee,
        due_changed=due_on != task.due_on,
    )
    reassigned = assignee.pk != task.assignee_id
    if due_on != task.due_on or reassigned:
        task.reminded_at = None  # a new date or person: remind again when it falls due
    task.title, task.description = clean["title"], clean["description"]
    task.due_on, task.assignee = due_on, assignee
    task.save()
    log_setup_change(
        actor=actor,
        obj=task,
        action=CHANGED,
        before=before,
        after=snapshot(task, TASK_FIELDS),
        summary=_("Task on %(partner)s edited") % {"partner": task.partner.name},
    )
    if reassigned:
        _tell_assignee(task=task, actor=actor)
    return task


def _tell_assignee(*, task: Task, actor) -> None:
    """Email (and so, through notifications' outbox hook, notify in-app) the person a task was
    just given to, unless they gave it to themselves. Sent after the commit, once per task and
    assignee (the outbox key)."""
    if task.assignee_id == getattr(actor, "pk", None) or not task.assignee.is_active:
        return
    outbox.email_queue(
        key=f"followup.task_assigned:{task.pk}:{task.assignee_id}",
        to=[task.assignee.email],
        subject=lambda: (
            _("New task: %(title)s (%(partner)s)")
            % {"title": task.title, "partner": task.partner.name}
        ),
        template="followup_task_assigned",
        context={
            "task": task,
            "assignee_name": task.assignee.display_name,
            "creator_name": actor.display_name,
            "partner_name": task.partner.name,
            "url": reverse("partners:manager_partner", args=[task.partner_id]) + "#tasks",
        },
    )


def _task_event(kind: str, *, task: Task, actor, at) -> None:
    record_event(
        kind=kind,
        key=f"{kind}:{task.pk}:{at.isoformat()}",
        partner=task.partner,
        user=actor,
        subject=task,
        occurred_at=at,
        properties={},
    )


@transaction.atomic
def task_complete(*, actor, task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("partner").get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise ValidationError({"status": _("This task is already done.")})
    task.status, task.completed_at, task.completed_by = TaskStatus.DONE, timezone.now(), actor
    task.save(update_fields=["status", "completed_at", "completed_by"])
    _task_event(EventKind.TASK_COMPLETED, task=task, actor=actor, at=task.completed_at)
    return task


@transaction.atomic
def task_reopen(*, actor, task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("partner").get(pk=task.pk)
    if task.status != TaskStatus.DONE:
        raise ValidationError({"status": _("This task is already open.")})
    task.status, task.completed_at, task.completed_by = TaskStatus.OPEN, None, None
    task.reminded_at = None
    task.save(update_fields=["status", "completed_at", "completed_by", "reminded_at"])
    _task_event(EventKind.TASK_REOPENED, task=task, actor=actor, at=timezone.now())
    return task


@transaction.atomic
def task_delete(*, actor, task: Task) -> None:
    task = Task.objects.select_for_update().select_related("partner").get(pk=task.pk)
    log_setup_change(
        actor=actor,
        obj=task,
        action=DELETED,
        before=snapshot(task, TASK_FIELDS),
        summary=_("Task on %(partner)s deleted") % {"partner": task.partner.name},
    )
    task.delete()


# --- Reminders ------------------------------------------------------------------------------------
@transaction.atomic
def task_remind(*, task_id: int, today: datetime.date | None = None) -> bool:
    """Email the assignee that the task is due, once: a conditional UPDATE claims the task's
    sent-reminder marker (the row count says who won), and the outbox key is unique per task and
    due date. False when the task is gone, done, not due yet or already reminded."""
    today = today or timezone.localdate()
    claimed = Task.objects.filter(
        pk=task_id, status=TaskStatus.OPEN, due_on__lte=today, reminded_at__isnull=True
    ).update(reminded_at=timezone.now())
    if claimed != 1:
        return False
    task = Task.objects.select_related("partner", "assignee", "created_by").get(pk=task_id)
    if not task.assignee.is_active:
        return False  # the marker stays: nobody to tell (reassigning clears it)
    outbox.email_queue(
        key=f"followup.task_due:{task.pk}:{task.due_on.isoformat()}",
        to=[task.assignee.email],
        subject=lambda: (
            _("Task due: %(title)s (%(partner)s)")
            % {"title": task.title, "partner": task.partner.name}
        ),
        template="followup_task_due",
        context={
            "task": task,
            "assignee_name": task.assignee.display_name,
            "creator_name": task.created_by.display_name,
            "partner_name": task.partner.name,
            "overdue": task.due_on < today,
            "url": reverse("partners:manager_partner", args=[task.partner_id]) + "#tasks",
        },
    )
    return True


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind every assignee of a task that fell due (each in its own transaction)."""
    return sum(
        task_remind(task_id=pk, today=today) for pk in selectors.tasks_due_for_reminder(today=today)
    )
