"""The partner page as a workspace (issue 19): at a 390 px phone the partner page with notes and
tasks, My tasks and the note and task forms and confirmations fit the screen; a note written on the
partner page shows pinned at the top."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followup import services
from followup.models import Note
from tests.e2e.test_narrow_and_confirm import PHONE, _context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_workspace_fits_a_phone_and_a_pinned_note_comes_first(browser, live_server, world):
    manager = world.users["manager_owner"]
    manager.full_name = "Maria Manager"
    manager.save(update_fields=["full_name"])
    partner = world.partner_a
    services.note_add(actor=manager, partner=partner, body="An older note " + "long" * 60)
    task = services.task_create(
        actor=manager,
        partner=partner,
        title="Follow up on the webinar with a rather long title to wrap",
        description="Ask about dates",
        due_on=timezone.localdate() + datetime.timedelta(days=1),
        assignee=manager,
    )
    note = Note.objects.get()
    context = _context(browser, live_server, manager, PHONE)
    page = context.new_page()
    partner_url = live_server.url + reverse("partners:manager_partner", args=[partner.pk])
    page.goto(partner_url)
    page.fill("#id_note_body", "Pinned: their CTO is the champion")
    page.check("#id_note_pinned")
    page.click("text=Add note")
    page.wait_for_url("**#notes")
    first = page.locator("#notes article").first
    assert "their CTO is the champion" in first.inner_text()
    too_wide = {}
    for path in [
        reverse("partners:manager_partner", args=[partner.pk]),
        reverse("followup:my_tasks"),
        reverse("followup:task_create", args=[partner.pk]),
        reverse("followup:task_edit", args=[task.pk]),
        reverse("followup:task_delete", args=[task.pk]),
        reverse("followup:note_edit", args=[note.pk]),
        reverse("followup:note_delete", args=[note.pk]),
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert too_wide == {}
