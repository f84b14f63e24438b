"""The partner page's one timeline merges the partner's own history with vendor staff's notes and
tasks, tier changes, deal decisions and the emails sent to its people: newest first, bounded, in
a number of queries that does not grow with the data."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console import partner_page
from followup import services as followup
from followup.models import Note, Task
from kernel.choices import EmailStatus
from kernel.models import OutboundEmail
from metrics.tests.domain import deal_submitted
from partners.models import Tier
from tiers.choices import TierChangeKind
from tiers.models import TierHistory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def test_the_timeline_merges_every_source_newest_first(world):
    a, manager = world.partner_a, world.users["manager_owner"]
    manager.full_name = "Maria Manager"
    manager.save(update_fields=["full_name"])
    a.joined_at = days_ago(60)
    a.save()
    a.memberships.update(created_at=days_ago(50))
    person = world.users["partner_a_user"]
    person.full_name = "Pat Partner"
    person.save(update_fields=["full_name"])

    deal_submitted(a, date(2026, 6, 20), customer_name="Initech")  # 10 days ago
    note = followup.note_add(actor=manager, partner=a, body="Wants a joint webinar")
    Note.objects.filter(pk=note.pk).update(created_at=days_ago(5))
    task = followup.task_create(
        actor=manager, partner=a, title="Plan the webinar", due_on=NOW.date(), assignee=manager
    )
    Task.objects.filter(pk=task.pk).update(created_at=days_ago(4))
    followup.task_complete(actor=manager, task=task)  # now
    silver = Tier.objects.get(program=a.program, name="Silver")
    TierHistory.objects.create(
        partner=a, kind=TierChangeKind.PROMOTION, to_tier=silver, reason="Met", at=days_ago(3)
    )
    OutboundEmail.objects.create(
        key="x:1", to=[person.email], subject="[PRM] Your deal", body="…",
        status=EmailStatus.SENT, sent_at=days_ago(2),
    )  # fmt: skip
    OutboundEmail.objects.create(  # to somebody else: not this partner's
        key="x:2", to=["someone@else.example"], subject="[PRM] Other", body="…",
        status=EmailStatus.SENT, sent_at=days_ago(1),
    )  # fmt: skip
    OutboundEmail.objects.create(  # not sent (yet): not in the timeline
        key="x:3", to=[person.email], subject="[PRM] Pending", body="…"
    )

    moments = partner_page.timeline(partner=a)
    titles = [m.title for m in moments]
    assert titles[:6] == [
        "Task done: Plan the webinar",
        "Email: [PRM] Your deal",
        "Tier: Promoted Silver",
        "Task set: Plan the webinar",
        "Note: Wants a joint webinar",
        "Deal submitted: Initech",
    ]
    assert titles[-1] == "Joined the program"
    assert [m.at for m in moments] == sorted((m.at for m in moments), reverse=True)
    by_title = {m.title: m for m in moments}
    assert by_title["Email: [PRM] Your deal"].detail == "Pat Partner"  # by name
    assert by_title["Note: Wants a joint webinar"].detail == "Maria Manager"
    assert by_title["Task set: Plan the webinar"].detail == "Maria Manager for Maria Manager"
    assert not [t for t in titles if "Other" in t or "Pending" in t]


def test_the_timeline_keeps_the_newest_fifty(world):
    a, manager = world.partner_a, world.users["manager_owner"]
    a.joined_at = a.activated_at = days_ago(400)
    a.save()
    a.memberships.update(created_at=days_ago(300))
    for i in range(60):
        note = followup.note_add(actor=manager, partner=a, body=f"note {i}")
        Note.objects.filter(pk=note.pk).update(created_at=days_ago(60 - i))
    moments = partner_page.timeline(partner=a)
    assert len(moments) == 50
    assert moments[0].title == "Note: note 59" and moments[-1].title == "Note: note 10"


def test_the_page_shows_notes_and_tasks_and_its_queries_do_not_grow(client_as, world):
    a, manager = world.partner_a, world.users["manager_owner"]
    client = client_as("manager_owner")

    def add(n):
        for i in range(n):
            followup.note_add(actor=manager, partner=a, body=f"Note {i}", pinned=i == 0)
            t = followup.task_create(
                actor=manager, partner=a, title=f"Task {i}", due_on=NOW.date(), assignee=manager
            )
            if i % 2:
                followup.task_complete(actor=manager, task=t)
            OutboundEmail.objects.create(
                key=f"e:{a.pk}:{Note.objects.count()}", to=[world.users["partner_a_admin"].email],
                subject="Hello", body="…", status=EmailStatus.SENT, sent_at=NOW,
            )  # fmt: skip

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("partners:manager_partner", args=[a.pk]))
        assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    add(2)
    page, few = queries()
    assert 'id="notes"' in page and 'id="tasks"' in page and "Note 1" in page
    add(10)
    page, many = queries()
    assert many == few
    assert page.index("Note 0") < page.index("Note 9")  # the pinned one first
