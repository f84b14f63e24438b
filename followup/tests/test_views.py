"""The pages: who may do what (author / creator / assignee / vendor admin; partners 404), bad
input answers 400 and loses nothing, deletes ask first, and My tasks holds a fixed number of
queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followup import services
from followup.models import Note, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(world):
    return services.note_add(
        actor=world.users["manager_owner"], partner=world.partner_a, body="Owner's note"
    )


@pytest.fixture
def task(world):
    owner = world.users["manager_owner"]
    return services.task_create(
        actor=owner,
        partner=world.partner_a,
        title="Send the price list",
        due_on=timezone.localdate() + datetime.timedelta(days=2),
        assignee=owner,
    )


def test_any_channel_manager_adds_a_note_to_any_partner(client_as, world):
    client = client_as("manager_other")  # does not own partner A
    url = reverse("followup:note_create", args=[world.partner_a.pk])
    response = client.post(url, {"body": "Spoke to their CTO", "pinned": "on"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/manage/partners/{world.partner_a.pk}/#notes")
    note = Note.objects.get()
    assert note.pinned and note.author == world.users["manager_other"]
    page = client.get(reverse("partners:manager_partner", args=[world.partner_a.pk]))
    assert "Spoke to their CTO" in page.content.decode()


def test_an_empty_note_answers_400_with_the_error(client_as, world):
    client = client_as("manager_owner")
    response = client.post(
        reverse("followup:note_create", args=[world.partner_a.pk]), {"body": "  "}
    )
    assert response.status_code == 400
    assert not Note.objects.exists()


@pytest.mark.parametrize("persona", ["partner_a_admin", "partner_a_user", "partner_b_admin"])
def test_partners_get_404_on_every_followup_page(client_as, world, note, task, persona):
    client = client_as(persona)
    urls = [
        reverse("followup:my_tasks"),
        reverse("followup:note_create", args=[world.partner_a.pk]),
        reverse("followup:note_edit", args=[note.pk]),
        reverse("followup:note_delete", args=[note.pk]),
        reverse("followup:task_create", args=[world.partner_a.pk]),
        reverse("followup:task_edit", args=[task.pk]),
        reverse("followup:task_delete", args=[task.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("followup:task_complete", args=[task.pk])).status_code == 404
    assert client.post(reverse("followup:note_delete", args=[note.pk])).status_code == 404
    assert Note.objects.filter(pk=note.pk).exists()


def test_the_partner_home_never_mentions_notes(client_as, world, note, task):
    page = client_as("partner_a_admin").get(reverse("partners:home")).content.decode()
    assert "Owner's note" not in page and "Send the price list" not in page


def test_only_the_author_or_a_vendor_admin_changes_a_note(client_as, world, note):
    edit = reverse("followup:note_edit", args=[note.pk])
    other = client_as("manager_other")
    assert other.get(edit).status_code == 403
    assert other.post(edit, {"body": "hijacked"}).status_code == 403
    assert other.post(reverse("followup:note_delete", args=[note.pk])).status_code == 403
    note.refresh_from_db()
    assert note.body == "Owner's note"
    admin = client_as("vendor_admin")
    assert admin.post(edit, {"body": "Fixed by admin"}).status_code == 302
    note.refresh_from_db()
    assert note.body == "Fixed by admin" and note.author == world.users["manager_owner"]


def test_deleting_a_note_asks_first(client_as, world, note):
    client = client_as("manager_owner")
    url = reverse("followup:note_delete", args=[note.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.content.decode()
    assert Note.objects.filter(pk=note.pk).exists()
    assert client.post(url).status_code == 302
    assert not Note.objects.filter(pk=note.pk).exists()


def test_a_task_is_set_for_a_colleague_chosen_by_name(client_as, world):
    other = world.users["manager_other"]
    other.full_name = "Olga Other"
    other.save(update_fields=["full_name"])
    client = client_as("manager_owner")
    url = reverse("followup:task_create", args=[world.partner_a.pk])
    form = client.get(url).content.decode()
    assert "Olga Other" in form and other.email not in form
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(url, {"title": "Demo", "due_on": due, "assignee": other.pk})
    assert response.status_code == 302
    assert Task.objects.get().assignee == other


def test_a_bad_task_answers_400_and_keeps_the_input(client_as, world):
    client = client_as("manager_owner")
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("followup:task_create", args=[world.partner_a.pk]),
        {"title": "Keep me", "due_on": past, "assignee": world.users["manager_owner"].pk},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep me" in page and "Give a due date from today" in page
    assert not Task.objects.exists()


def test_a_partner_user_is_no_assignee(client_as, world):
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client_as("manager_owner").post(
        reverse("followup:task_create", args=[world.partner_a.pk]),
        {"title": "x", "due_on": due, "assignee": world.users["partner_a_user"].pk},
    )
    assert response.status_code == 400 and not Task.objects.exists()


def test_creator_assignee_or_admin_change_a_task_others_get_403(client_as, world, task):
    other = client_as("manager_other")
    complete = reverse("followup:task_complete", args=[task.pk])
    assert other.post(complete).status_code == 403
    assert other.get(reverse("followup:task_edit", args=[task.pk])).status_code == 403
    task.refresh_from_db()
    assert task.is_open
    assert client_as("vendor_admin").post(complete).status_code == 302
    task.refresh_from_db()
    assert not task.is_open
    reopen = reverse("followup:task_reopen", args=[task.pk])
    assert client_as("manager_owner").post(reopen).status_code == 302
    task.refresh_from_db()
    assert task.is_open


def test_deleting_a_task_asks_first(client_as, world, task):
    client = client_as("manager_owner")
    url = reverse("followup:task_delete", args=[task.pk])
    assert "This cannot be undone." in client.get(url).content.decode()
    assert Task.objects.filter(pk=task.pk).exists()
    client.post(url)
    assert not Task.objects.filter(pk=task.pk).exists()


def test_my_tasks_lists_mine_with_partner_links_in_fixed_queries(
    client_as, world, django_assert_max_num_queries
):
    owner = world.users["manager_owner"]
    for i in range(30):
        services.task_create(
            actor=owner,
            partner=world.partner_a if i % 2 else world.partner_b,
            title=f"Task {i}",
            due_on=timezone.localdate() + datetime.timedelta(days=i % 5),
            assignee=owner,
        )
    Task.objects.filter(title="Task 4").update(due_on=timezone.localdate() - datetime.timedelta(3))
    client = client_as("manager_owner")
    client.get(reverse("partners:manager_home"))  # warm the session
    with django_assert_max_num_queries(6):
        response = client.get(reverse("followup:my_tasks"))
    page = response.content.decode()
    assert page.index("Task 4") < page.index("Task 0")  # overdue first
    assert "Overdue" in page
    assert reverse("partners:manager_partner", args=[world.partner_b.pk]) in page
    assert (
        "Task 1"
        not in client_as("manager_other").get(reverse("followup:my_tasks")).content.decode()
    )


def test_done_from_my_tasks_comes_back_to_my_tasks(client_as, world, task):
    client = client_as("manager_owner")
    response = client.post(reverse("followup:task_complete", args=[task.pk]), {"next": "mine"})
    assert response["Location"] == reverse("followup:my_tasks")


def test_note_and_task_changes_show_on_the_audit_page(client_as, world, note, task):
    owner = world.users["manager_owner"]
    services.note_update(actor=owner, note=note, body="Owner's note, revised", pinned=True)
    services.task_delete(actor=owner, task=task)
    response = client_as("vendor_admin").get(reverse("audit:log"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Note on Alpha Systems edited" in page
    assert "Task on Alpha Systems deleted" in page
