"""A business review's action item made a vendor staff task: console composes plans and followup;
the task is made once, by the owning manager or a vendor admin only."""

import pytest
from django.urls import reverse

from followup.models import Task
from plans import services
from plans.choices import ActionConversion, Side
from plans.tests.test_reviews import _review

pytestmark = pytest.mark.django_db


def test_an_action_item_becomes_a_staff_task_once_through_the_console(client_as, world):
    review = _review(world)
    manager = world.users["manager_owner"]
    item = services.action_item_add(actor=manager, review=review, text="Send the MDF form",
                                    owner_side=Side.VENDOR, owner=manager)  # fmt: skip
    url = reverse("console:review_action_task", args=[item.pk])
    assert client_as("manager_other").post(url).status_code == 403
    assert client_as("partner_a_admin").post(url).status_code == 404
    client = client_as("manager_owner")
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 409
    task = Task.objects.get()
    item.refresh_from_db()
    assert item.converted_to == ActionConversion.TASK and item.task_id == task.pk
    assert task.partner == world.partner_a and task.assignee == manager
    assert task.title == "Send the MDF form"
