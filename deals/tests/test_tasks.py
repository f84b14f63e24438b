from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from deals import services, tasks
from deals.choices import DealStatus
from deals.models import RegistrationPolicy
from deals.tests.factories import make_deal
from events.models import Event
from kernel.models import OutboundEmail
from kernel.tasks import send_due_emails, send_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(world, django_capture_on_commit_callbacks):
    RegistrationPolicy.objects.create(
        program=world.partner_a.program, protection_days=30, warning_days=7
    )
    with django_capture_on_commit_callbacks(execute=True):
        deal = make_deal(user=world.users["partner_a_user"], submit=True)
        deal = services.deal_approve(deal=deal, actor=world.users["manager_owner"])
    mail.outbox.clear()
    return deal


def deal_emails(deal, kind):
    return OutboundEmail.objects.filter(key__startswith=f"deals.notice:{deal.pk}:{kind}:")


def run(task, capture):
    with capture(execute=True):
        return task.delay().get()


def test_a_warning_goes_out_once_inside_the_warning_period(
    approved, django_capture_on_commit_callbacks
):
    end = approved.protected_until
    with time_machine.travel(end - timedelta(days=8), tick=False):
        assert run(tasks.send_expiry_warnings, django_capture_on_commit_callbacks) == 0
    with time_machine.travel(end - timedelta(days=6), tick=False):
        assert run(tasks.send_expiry_warnings, django_capture_on_commit_callbacks) == 1
        assert run(tasks.send_expiry_warnings, django_capture_on_commit_callbacks) == 0
    with time_machine.travel(end - timedelta(days=1), tick=False):
        assert run(tasks.send_expiry_warnings, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["user@alpha.example"]
    assert "ends soon" in mail.outbox[0].subject and "6 days left" in mail.outbox[0].body


def test_an_extension_earns_a_new_warning_for_the_new_end(
    approved, world, django_capture_on_commit_callbacks
):
    end = approved.protected_until
    with time_machine.travel(end - timedelta(days=3), tick=False):
        run(tasks.send_expiry_warnings, django_capture_on_commit_callbacks)
        ext = services.deal_extension_request(
            deal=approved, actor=world.users["partner_a_user"], days=10, reason="Late board"
        )
        services.deal_extension_decide(
            extension=ext, actor=world.users["manager_owner"], grant=True
        )
    with time_machine.travel(end + timedelta(days=5), tick=False):
        assert run(tasks.expire_deals, django_capture_on_commit_callbacks) == 0
        assert run(tasks.send_expiry_warnings, django_capture_on_commit_callbacks) == 1
    assert deal_emails(approved, "expiring").count() == 2


def test_lapsed_protection_expires_once_with_an_event_and_an_email(
    approved, django_capture_on_commit_callbacks
):
    with time_machine.travel(approved.protected_until - timedelta(minutes=1), tick=False):
        assert run(tasks.expire_deals, django_capture_on_commit_callbacks) == 0
    with time_machine.travel(approved.protected_until + timedelta(hours=1), tick=False):
        assert run(tasks.expire_deals, django_capture_on_commit_callbacks) == 1
        assert run(tasks.expire_deals, django_capture_on_commit_callbacks) == 0
    approved.refresh_from_db()
    assert approved.status == DealStatus.EXPIRED
    assert approved.transitions.filter(to_status="expired", actor__isnull=True).count() == 1
    event = Event.objects.get(kind="deal.expired")
    assert event.properties["deal"] == approved.pk and event.properties["currency"] == "EUR"
    assert [m.subject for m in mail.outbox] == ["[PRM] Deal protection expired: Globex Corporation"]


def test_a_won_deal_never_expires(approved, world, django_capture_on_commit_callbacks):
    services.deal_mark_won(
        deal=approved, actor=world.users["partner_a_user"], final_amount=approved.amount
    )
    with time_machine.travel(timezone.now() + timedelta(days=365), tick=False):
        assert run(tasks.expire_deals, django_capture_on_commit_callbacks) == 0
        assert run(tasks.send_expiry_warnings, django_capture_on_commit_callbacks) == 0


def test_a_notice_is_delivered_once_however_often_its_task_runs(world):
    deal = make_deal(user=world.users["partner_a_user"], submit=True)  # on_commit never runs here
    notice = deal_emails(deal, "submitted").get()
    assert notice.sent_at is None and "Globex Corporation" in notice.body
    assert send_emails.delay([notice.pk]).get() == 1
    assert send_emails.delay([notice.pk]).get() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@vendor.example"]
    notice.refresh_from_db()
    assert notice.sent_at is not None


def test_the_sweep_sends_notices_whose_task_never_ran_and_survives_a_mail_outage(
    world, monkeypatch
):
    make_deal(user=world.users["partner_a_user"], submit=True)  # queued task lost: never ran
    assert send_due_emails.delay().get() == 0  # too fresh: its task may still come
    later = timezone.now() + timedelta(minutes=3)
    import smtplib

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server down")

    with time_machine.travel(later, tick=False):
        monkeypatch.setattr(EmailBackend, "send_messages", down)
        assert send_due_emails.delay().get() == 0
        assert OutboundEmail.objects.get().sent_at is None  # nothing lost: retried next run
        monkeypatch.undo()
    with time_machine.travel(later + timedelta(minutes=3), tick=False):  # after the backoff
        assert send_due_emails.delay().get() == 1
        assert send_due_emails.delay().get() == 0
    assert len(mail.outbox) == 1
