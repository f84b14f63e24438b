import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from enablement.models import CertificateReminder
from enablement.tasks import send_certificate_reminders
from enablement.tests.factories import CertificateFactory, CertificationFactory
from events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(world):
    certification = CertificationFactory(validity_days=365, renewal_window_days=30)
    start = timezone.now()
    return CertificateFactory(
        certification=certification,
        user=world.users["partner_a_user"],
        earned_at=start,
        expires_at=start + timezone.timedelta(days=365),
    )


def run_at(when, django_capture_on_commit_callbacks):
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        return send_certificate_reminders.delay().get()


def test_no_reminder_before_the_renewal_window(certificate, django_capture_on_commit_callbacks):
    result = run_at(
        certificate.expires_at - timezone.timedelta(days=31), django_capture_on_commit_callbacks
    )
    assert result == {"reminded": 0, "expired": 0}
    assert mail.outbox == []


def test_a_renewal_reminder_is_sent_once_in_the_window(
    certificate, django_capture_on_commit_callbacks
):
    when = certificate.expires_at - timezone.timedelta(days=29)
    assert run_at(when, django_capture_on_commit_callbacks)["reminded"] == 1
    assert (
        run_at(when + timezone.timedelta(hours=1), django_capture_on_commit_callbacks)["reminded"]
        == 0
    )
    assert len(mail.outbox) == 1
    assert "Renew" in mail.outbox[0].subject
    assert mail.outbox[0].to == [certificate.user.email]
    assert CertificateReminder.objects.filter(certificate=certificate, kind="expiring").count() == 1


def test_expiry_is_recorded_and_told_once(certificate, django_capture_on_commit_callbacks):
    after = certificate.expires_at + timezone.timedelta(hours=2)
    result = run_at(after, django_capture_on_commit_callbacks)
    assert result["expired"] == 1
    assert (
        run_at(after + timezone.timedelta(days=1), django_capture_on_commit_callbacks)["expired"]
        == 0
    )
    expired = Event.objects.get(kind="certification.expired")
    assert expired.occurred_at == certificate.expires_at
    assert expired.partner_id == certificate.partner_id
    assert expired.properties["certification"] == certificate.certification_id
    assert [m.subject for m in mail.outbox if "expired" in m.subject.lower()] != []
    assert sum("expired" in m.subject.lower() for m in mail.outbox) == 1


def test_revoked_certificates_get_no_mail(certificate, django_capture_on_commit_callbacks):
    certificate.revoked_at = timezone.now()
    certificate.save()
    run_at(certificate.expires_at + timezone.timedelta(days=1), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not Event.objects.filter(kind="certification.expired").exists()


def test_the_task_is_scheduled_daily_with_an_expiry():
    from prm.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["enablement-certificate-reminders"]
    assert entry["task"] == "enablement.tasks.send_certificate_reminders"
    assert entry["options"]["expires"] < 24 * 3600
