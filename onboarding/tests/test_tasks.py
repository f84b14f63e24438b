"""The reminder, check-in, stall and activation jobs under a frozen clock; reruns send nothing twice."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.tests.factories import ChannelManagerFactory
from events.models import Event
from events.services import record_event
from events.tests.payloads import payload
from onboarding import services, tasks
from onboarding.choices import StepKind
from onboarding.models import SentReminder
from onboarding.tests.factories import TemplateStepFactory
from partners.choices import MemberRole, PartnerStatus
from partners.tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit emails really go out

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def onboarding_partner():
    with time_machine.travel(START, tick=False):
        owner = ChannelManagerFactory(email="owner@vendor.example")
        partner = PartnerFactory(status=PartnerStatus.ONBOARDING, owner=owner)
        MembershipFactory(partner=partner, role=MemberRole.ADMIN, user__email="admin@p.example")
        template = TemplateStepFactory(
            key="course", kind=StepKind.COURSE, subject_id="3", due_days=7, title="Sales basics"
        ).template
        TemplateStepFactory(template=template, key="kickoff", due_days=40, title="Kick-off call")
        services.checklist_start(partner=partner)
    return partner


def run_reminders_at(moment):
    with time_machine.travel(moment, tick=False):
        return tasks.send_onboarding_reminders()


def test_due_soon_then_overdue_reminders_go_out_once_each(onboarding_partner):
    assert run_reminders_at(START + timedelta(days=2))["due_soon"] == 0
    sent = run_reminders_at(START + timedelta(days=5))
    assert sent["due_soon"] == 1
    assert [m.subject for m in mail.outbox] == ["[PRM] Due soon: Sales basics"]
    assert mail.outbox[0].to == ["admin@p.example"]
    assert run_reminders_at(START + timedelta(days=5, hours=1))["due_soon"] == 0
    sent = run_reminders_at(START + timedelta(days=8))
    assert sent == {"due_soon": 0, "overdue": 1, "checkin": 0}
    assert "owner@vendor.example" in mail.outbox[-1].to
    assert run_reminders_at(START + timedelta(days=9))["overdue"] == 0
    assert len(mail.outbox) == 2
    assert Event.objects.filter(kind="onboarding.reminder_sent").count() == 2


def test_check_ins_go_out_at_30_60_and_90_days_once(onboarding_partner):
    for day in (29, 30, 31, 45, 60, 61, 90, 95):
        run_reminders_at(START + timedelta(days=day, hours=1))
    kinds = sorted(
        SentReminder.objects.filter(kind__startswith="checkin").values_list("kind", flat=True)
    )
    assert kinds == ["checkin_30", "checkin_60", "checkin_90"]
    assert sum("Day 30 with" in m.subject for m in mail.outbox) == 1


def test_a_partner_without_progress_for_14_days_is_flagged_once_with_the_reason(onboarding_partner):
    checklist = onboarding_partner.checklist
    with time_machine.travel(START + timedelta(days=6), tick=False):
        assert tasks.flag_stalled_partners() == {"flagged": 0, "cleared": 0}
    with time_machine.travel(START + timedelta(days=15), tick=False):
        assert tasks.flag_stalled_partners()["flagged"] == 1
        assert tasks.flag_stalled_partners()["flagged"] == 0  # rerun: no second alert
    checklist.refresh_from_db()
    assert checklist.stalled_reason == (
        "1 required step overdue: Sales basics; no progress for 15 days"
    )
    alerts = [m for m in mail.outbox if m.subject.startswith("[PRM] Onboarding stalled")]
    assert len(alerts) == 1 and alerts[0].to == ["owner@vendor.example"]

    with time_machine.travel(START + timedelta(days=16), tick=False):
        record_event(
            kind="course.completed",
            key="c3",
            partner=onboarding_partner,
            properties=payload("course.completed", {"course": 3}),
        )
    checklist.refresh_from_db()
    assert checklist.stalled_since is None  # progress clears the flag at once
    with time_machine.travel(START + timedelta(days=17), tick=False):
        assert tasks.flag_stalled_partners() == {"flagged": 0, "cleared": 0}


def test_activation_happens_at_the_moment_of_the_last_required_step(onboarding_partner):
    moment = START + timedelta(days=9, hours=3)
    with time_machine.travel(moment, tick=False):
        record_event(
            kind="course.completed",
            key="c3",
            partner=onboarding_partner,
            properties=payload("course.completed", {"course": 3}),
        )
        kickoff = onboarding_partner.checklist.steps.get(key="kickoff")
        services.step_verify(step=kickoff, actor=onboarding_partner.owner)
    onboarding_partner.refresh_from_db()
    assert onboarding_partner.status == PartnerStatus.ACTIVE
    assert onboarding_partner.activated_at == moment
    activated = Event.objects.get(kind="partner.activated", partner=onboarding_partner)
    assert (
        activated.properties["days_to_activation"] == (moment - onboarding_partner.joined_at).days
    )
    # Active partners get no more reminders or stall flags.
    assert run_reminders_at(moment + timedelta(days=40))["overdue"] == 0
    with time_machine.travel(moment + timedelta(days=40), tick=False):
        assert tasks.flag_stalled_partners()["flagged"] == 0
