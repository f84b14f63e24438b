"""Notes and tasks: each validation rule refuses bad input on its field, changes are audited
with before/after, events are recorded (and kept from the partner's own activity list), and the
due-task reminder is sent once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import ChannelManagerFactory
from audit.choices import AuditAction
from audit.models import AuditEntry
from events.models import Event
from events.selectors import event_list_for_partner
from followup import selectors, services
from followup.choices import TaskStatus
from followup.models import NOTE_MAX, TITLE_MAX, Note, Task
from kernel.models import OutboundEmail

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def setup_changes(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=AuditAction.SETUP_CHANGE,
            target_type=obj._meta.model_name,
            target_id=str(obj.pk),
        ).order_by("id")
    )


def errors(exc) -> dict:
    return exc.value.message_dict


@pytest.fixture
def manager(world):
    return world.users["manager_owner"]


def make_task(world, manager, **overrides):
    data = {
        "actor": manager,
        "partner": world.partner_a,
        "title": "Call about the renewal",
        "due_on": timezone.localdate() + datetime.timedelta(days=3),
        "assignee": manager,
    } | overrides
    return services.task_create(**data)


# --- Notes ----------------------------------------------------------------------------------------
def test_a_note_is_added_with_its_event(world, manager):
    note = services.note_add(actor=manager, partner=world.partner_a, body="  Met at the fair  ")
    assert note.body == "Met at the fair" and note.author == manager and not note.pinned
    event = Event.objects.get(kind="partner.note_added")
    assert event.partner_id == world.partner_a.pk and event.user_id == manager.pk
    assert event.properties == {"pinned": False}


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * (NOTE_MAX + 1)])
def test_an_empty_or_too_long_note_is_refused_on_its_body(world, manager, body):
    with pytest.raises(ValidationError) as exc:
        services.note_add(actor=manager, partner=world.partner_a, body=body)
    assert list(errors(exc)) == ["body"]
    assert not Note.objects.exists()


def test_a_note_loses_the_controls_that_reorder_letters(world, manager):
    note = services.note_add(actor=manager, partner=world.partner_a, body="abc\u202edef")
    assert note.body == "abcdef"


def test_pinned_notes_come_first_then_newest(world, manager):
    old = services.note_add(actor=manager, partner=world.partner_a, body="old")
    pinned = services.note_add(actor=manager, partner=world.partner_a, body="pin", pinned=True)
    new = services.note_add(actor=manager, partner=world.partner_a, body="new")
    Note.objects.filter(pk=pinned.pk).update(created_at=timezone.now() - datetime.timedelta(days=9))
    assert selectors.note_list_for_partner(partner=world.partner_a) == [pinned, new, old]


def test_editing_a_note_is_audited_with_before_and_after(world, manager):
    note = services.note_add(actor=manager, partner=world.partner_a, body="first")
    services.note_update(actor=manager, note=note, body="second", pinned=True)
    (entry,) = setup_changes(note)
    assert entry.actor == manager and entry.details["flag"] == "changed"
    assert entry.details["before"] == {"body": "first", "pinned": False}
    assert entry.details["after"] == {"body": "second", "pinned": True}


def test_deleting_a_note_is_audited(world, manager):
    note = services.note_add(actor=manager, partner=world.partner_a, body="gone soon")
    pk = note.pk
    services.note_delete(actor=manager, note=note)
    assert not Note.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.SETUP_CHANGE, target_id=str(pk))
    assert entry.details["flag"] == "deleted" and entry.details["before"]["body"] == "gone soon"


def test_the_partner_never_sees_staff_events_in_its_activity(world, manager):
    services.note_add(actor=manager, partner=world.partner_a, body="private")
    task = make_task(world, manager)
    services.task_complete(actor=manager, task=task)
    kinds = {e.kind for e in Event.objects.filter(partner=world.partner_a)}
    assert {"partner.note_added", "task.created", "task.completed"} <= kinds
    shown = {e.kind for e in event_list_for_partner(partner_id=world.partner_a.pk)}
    assert not shown & {"partner.note_added", "task.created", "task.completed"}


# --- Tasks ----------------------------------------------------------------------------------------
def test_a_task_is_created_with_its_event_and_audit(world, manager):
    other = world.users["manager_other"]
    task = make_task(world, manager, assignee=other, description="  Ask about Q3 ")
    assert task.status == TaskStatus.OPEN and task.created_by == manager
    assert task.description == "Ask about Q3"
    event = Event.objects.get(kind="task.created")
    assert event.properties == {"due_on": task.due_on.isoformat(), "assignee_id": other.pk}
    (entry,) = setup_changes(task)
    assert entry.details["flag"] == "added" and entry.details["after"]["assignee"] == str(other)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * (TITLE_MAX + 1)}, "title"),
        ({"description": "x" * 2001}, "description"),
        ({"due_on": None}, "due_on"),
        ({"due_on": timezone.localdate() - datetime.timedelta(days=1)}, "due_on"),
        ({"due_on": timezone.localdate() + datetime.timedelta(days=4 * 365)}, "due_on"),
        ({"assignee": None}, "assignee"),
    ],
)
def test_a_bad_task_is_refused_on_its_field(world, manager, overrides, field):
    with pytest.raises(ValidationError) as exc:
        make_task(world, manager, **overrides)
    assert list(errors(exc)) == [field]
    assert not Task.objects.exists()


def test_a_task_is_assigned_to_active_vendor_staff_only(world, manager):
    partner_user = world.users["partner_a_user"]
    gone = ChannelManagerFactory(is_active=False)
    for person in (partner_user, gone):
        with pytest.raises(ValidationError) as exc:
            make_task(world, manager, assignee=person)
        assert list(errors(exc)) == ["assignee"]


def test_editing_keeps_an_overdue_date_but_refuses_a_new_past_one(world, manager):
    task = make_task(world, manager)
    Task.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=5))
    task.refresh_from_db()
    services.task_update(
        actor=manager, task=task, title="Renamed", due_on=task.due_on, assignee=manager
    )
    with pytest.raises(ValidationError) as exc:
        services.task_update(
            actor=manager,
            task=task,
            title="Renamed",
            due_on=task.due_on + datetime.timedelta(days=1),
            assignee=manager,
        )
    assert list(errors(exc)) == ["due_on"]
    task.refresh_from_db()
    assert task.title == "Renamed"
    changed = setup_changes(task)[-1]
    assert changed.details["before"] == {"title": "Call about the renewal"}
    assert changed.details["after"] == {"title": "Renamed"}


def test_complete_and_reopen_guard_their_status(world, manager):
    task = make_task(world, manager)
    task = services.task_complete(actor=manager, task=task)
    assert task.status == TaskStatus.DONE and task.completed_by == manager
    with pytest.raises(ValidationError):
        services.task_complete(actor=manager, task=task)
    task = services.task_reopen(actor=manager, task=task)
    assert task.status == TaskStatus.OPEN and task.completed_at is None
    with pytest.raises(ValidationError):
        services.task_reopen(actor=manager, task=task)
    assert Event.objects.filter(kind="task.reopened").count() == 1


def test_my_tasks_are_my_open_ones_overdue_first(world, manager):
    other = world.users["manager_other"]
    later = make_task(world, manager, title="later")
    soon = make_task(world, manager, title="soon", due_on=timezone.localdate())
    overdue = make_task(world, manager, title="overdue")
    Task.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - datetime.timedelta(1))
    make_task(world, manager, title="theirs", assignee=other)
    services.task_complete(actor=manager, task=make_task(world, manager, title="done"))
    assert [t.title for t in selectors.my_open_tasks(user=manager)] == [
        overdue.title,
        soon.title,
        later.title,
    ]


# --- Reminders ------------------------------------------------------------------------------------
def test_a_due_task_reminds_its_assignee_once(world, manager):
    other = world.users["manager_other"]
    other.full_name = "Olga Other"
    other.save(update_fields=["full_name"])
    due = make_task(world, manager, assignee=other, due_on=timezone.localdate())
    make_task(world, manager, title="Not yet")  # due in three days
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0  # a rerun (beat fired twice) sends nothing
    (email,) = OutboundEmail.objects.filter(template="followup_task_due")
    assert email.to == [other.email] and "Call about the renewal" in email.subject
    assert "Hello Olga Other" in email.body and world.partner_a.name in email.body
    due.refresh_from_db()
    assert due.reminded_at is not None


def test_a_done_task_is_not_reminded_and_a_new_date_reminds_again(world, manager):
    task = make_task(world, manager, due_on=timezone.localdate())
    done = make_task(world, manager, title="Done already", due_on=timezone.localdate())
    services.task_complete(actor=manager, task=done)
    assert services.reminders_send() == 1
    task.refresh_from_db()
    services.task_update(
        actor=manager,
        task=task,
        title=task.title,
        due_on=timezone.localdate() + datetime.timedelta(days=1),
        assignee=manager,
    )
    assert services.reminders_send() == 0  # not due yet
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert services.reminders_send(today=tomorrow) == 1
    assert OutboundEmail.objects.count() == 2


def test_a_task_given_to_a_colleague_tells_them_once_and_in_app(world, manager):
    from notifications.models import Notification

    manager.full_name = "Maria Manager"
    manager.save(update_fields=["full_name"])
    other = world.users["manager_other"]
    make_task(world, manager, title="Mine")  # given to myself: nobody is told
    assert not OutboundEmail.objects.exists()
    task = make_task(world, manager, assignee=other)
    (email,) = OutboundEmail.objects.filter(template="followup_task_assigned")
    assert email.to == [other.email] and "Call about the renewal" in email.subject
    assert "Maria Manager gave you a task on " + world.partner_a.name in email.body
    assert Notification.objects.filter(user=other, kind="followup_task_assigned").count() == 1
    services.task_update(  # an edit that keeps the person tells nobody again
        actor=manager, task=task, title="Call them", due_on=task.due_on, assignee=other
    )
    assert OutboundEmail.objects.filter(template="followup_task_assigned").count() == 1
    services.task_update(
        actor=other, task=task, title="Call them", due_on=task.due_on, assignee=manager
    )
    assert (
        OutboundEmail.objects.filter(template="followup_task_assigned", to=[manager.email]).count()
        == 1
    )


def test_the_reminder_task_runs_by_name(world, manager):
    from kernel.enqueue import task_named

    make_task(world, manager, due_on=timezone.localdate())
    assert task_named("followup.tasks.send_task_reminders").apply().get() == 1
    assert task_named("followup.tasks.send_task_reminders").apply().get() == 0
