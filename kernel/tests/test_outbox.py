"""The one email outbox (kernel/outbox.py): a durable row per email, sent after commit only,
retried with backoff up to a cap on mail server errors, swept when its task was lost, and never
queued twice for the same key."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kernel import outbox
from kernel.choices import EmailStatus
from kernel.models import OutboundEmail
from kernel.outbox import MAX_ATTEMPTS, Email, email_queue, emails_queue, emails_send
from kernel.tasks import send_due_emails, send_emails

pytestmark = pytest.mark.django_db


def queue(key="test.hello:1", to=("ann@example.com",), **extra):
    """Queue in the test's transaction (sent only when a test runs the commit callbacks)."""

    # a real template of the product: the webhook-disabled notice needs only an endpoint
    class Endpoint:
        url = "https://hooks.example.com/in"
        disabled_reason = "Disabled after 5 failed attempts in a row (last: HTTP 500)."

    return email_queue(
        key=key,
        to=list(to),
        subject="A webhook endpoint was disabled",
        template="webhooks_endpoint_disabled",
        context={"endpoint": Endpoint()},
        **extra,
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``queue`` and commit: its task runs (eager), as after a real commit."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return queue(**kwargs)

    return run


@pytest.fixture
def smtp_down(monkeypatch):
    """The mail server refuses every connection (the real backend call raises)."""
    calls = []

    def down(self, messages):
        calls.append(messages)
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    return calls


def test_queueing_writes_one_rendered_row_and_sends_it_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = queue(to=["bob@example.com", "ann@example.com", "", "ann@example.com"])
        assert OutboundEmail.objects.count() == 1
        assert email.status == EmailStatus.PENDING and mail.outbox == []  # not before commit
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.sent_at is not None and email.attempts == 1
    assert email.to == ["ann@example.com", "bob@example.com"]
    assert email.subject == "[PRM] A webhook endpoint was disabled"
    assert "https://hooks.example.com/in" in email.body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ann@example.com", "bob@example.com"]
    assert mail.outbox[0].body == email.body


def test_a_rolled_back_transaction_queues_and_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the change failed")
    assert callbacks == [] and mail.outbox == []
    assert not OutboundEmail.objects.exists()


def test_the_same_key_is_queued_once_and_the_duplicate_spoils_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert queue(key="deals.notice:7:approved:") is not None
        assert queue(key="deals.notice:7:approved:") is None  # a rerun of the same change
        OutboundEmail.objects.count()  # the transaction is still usable (savepoint)
    assert OutboundEmail.objects.count() == 1 and len(mail.outbox) == 1


def test_nobody_to_tell_queues_nothing():
    assert queue(to=["", None]) is None
    assert not OutboundEmail.objects.exists()


def test_a_redelivered_task_sends_nothing_twice(committed):
    email = committed()
    assert send_emails.delay([email.pk]).get() == 0
    assert send_emails.delay([0]).get() == 0  # a missing row is skipped
    assert len(mail.outbox) == 1


def test_a_mail_server_error_is_recorded_and_retried_after_a_backoff(smtp_down, committed):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        email = committed()  # its task runs after commit and fails
        email.refresh_from_db()
        assert (email.status, email.attempts, email.sent_at) == (EmailStatus.PENDING, 1, None)
        assert "SMTPServerDisconnected" in email.last_error
        assert email.next_attempt_at == start + timedelta(seconds=30)
        assert send_emails.delay([email.pk]).get() == 0  # not due yet: no second attempt
        assert len(smtp_down) == 1
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        outcome = emails_send(email_ids=[email.pk])
        assert outcome.retry_ids == [email.pk] and outcome.server_down
        assert outcome.retry_at == start + timedelta(seconds=31 + 60)  # doubled
    email.refresh_from_db()  # the failed attempt is committed, not rolled back with the error
    assert (email.attempts, email.status, len(smtp_down)) == (2, EmailStatus.PENDING, 2)


def test_the_task_sends_once_the_mail_server_is_back(smtp_down, monkeypatch, committed):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        email = committed()
    monkeypatch.undo()  # the mail server is back
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert send_emails.delay([email.pk]).get() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_email_fails_and_is_swept_no_more(smtp_down, committed):
    email = committed()
    at = timezone.now()
    for _ in range(MAX_ATTEMPTS - 1):
        at += timedelta(hours=2)
        with time_machine.travel(at, tick=False):
            send_due_emails.delay().get()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)
    assert len(smtp_down) == MAX_ATTEMPTS
    with time_machine.travel(at + timedelta(days=1), tick=False):
        assert outbox.emails_due() == [] and send_due_emails.delay().get() == 0
    assert len(smtp_down) == MAX_ATTEMPTS


def test_an_error_that_will_not_pass_fails_the_email_at_once(monkeypatch, committed):
    def broken(self, messages):
        raise ValueError("header contains a newline")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    email = committed()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 1)
    assert "ValueError" in email.last_error


def test_the_sweep_sends_emails_whose_task_was_lost_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the task is never queued
        email = queue()
    assert send_due_emails.delay().get() == 0  # too fresh: its own task may still come
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        assert outbox.emails_due() == [email.pk]
        assert send_due_emails.delay().get() == 1
        assert send_due_emails.delay().get() == 0
        assert send_emails.delay([email.pk]).get() == 0  # the late task sends nothing
    assert len(mail.outbox) == 1


def test_the_sweep_stops_at_a_mail_outage_without_spending_every_rows_attempts(
    smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first, second = queue(key="test:1"), queue(key="test:2")
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        assert send_due_emails.delay().get() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, second.attempts) == (1, 0)


def test_a_secret_body_is_blanked_once_sent(committed):
    email = committed(secret=True)
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.body == ""
    assert "https://hooks.example.com/in" in mail.outbox[0].body


def test_a_batch_is_queued_with_three_queries_and_sent_with_a_constant_number(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    def batch(n, tag):
        return [
            Email(
                key=f"test.batch:{tag}:{i}",
                to=[f"p{i}@example.com"],
                subject="Hello",
                template="webhooks_endpoint_disabled",
                context={"endpoint": {"url": f"https://h{i}.example.com"}},
            )
            for i in range(n)
        ]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        # three of the outbox's own, and the registered hooks' (notifications, issue 19: a
        # savepoint and its release, the recipients' accounts, their preferences, one insert)
        with django_assert_max_num_queries(8):
            many = emails_queue(batch(30, "a"))
        # +1: the recipients' languages (kernel.outbox.recipient_languages; issue 23)
        with django_assert_max_num_queries(2):
            assert emails_queue(batch(30, "a")) == []  # the same keys again: nothing
        few = emails_queue(batch(3, "b"))
    assert len(many) == 30 and len(callbacks) == 2  # one task message per batch
    with CaptureQueriesContext(connection) as sending_many:
        assert emails_send(email_ids=[e.pk for e in many]).sent == 30
    with CaptureQueriesContext(connection) as sending_few:
        assert emails_send(email_ids=[e.pk for e in few]).sent == 3
    assert len(sending_many) == len(sending_few)
    assert len(mail.outbox) == 33
    assert OutboundEmail.objects.filter(status=EmailStatus.SENT).count() == 33


def test_a_refused_address_does_not_hold_up_the_rest_of_the_batch(
    monkeypatch, django_capture_on_commit_callbacks
):
    real = EmailBackend.send_messages

    def refuse_bad(self, messages):
        if "bad@example.com" in messages[0].to:
            raise smtplib.SMTPRecipientsRefused({"bad@example.com": (550, b"no such user")})
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_bad)
    with django_capture_on_commit_callbacks(execute=False):
        bad, good = queue(key="t:1", to=["bad@example.com"]), queue(key="t:2")
    outcome = emails_send(email_ids=[bad.pk, good.pk])
    assert (outcome.sent, outcome.retry_ids, outcome.server_down) == (1, [bad.pk], False)
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]


def test_an_html_alternative_is_rendered_stored_and_sent_beside_the_text(committed):
    plain = committed()
    assert plain.html == "" and mail.outbox[0].alternatives == []
    with_html = email_queue(
        key="test.html:1",
        to=["ann@example.com"],
        subject="Digest",
        template="console_weekly_digest",  # any product email with an .html twin
        context={"digest": {"partners": 1}, "chart_png": "iVBORw0KGgo="},
        html=True,
    )
    assert "<html" in with_html.html and "data:image/png;base64,iVBORw0KGgo=" in with_html.html
    assert emails_send(email_ids=[with_html.pk]).sent == 1
    message = mail.outbox[1]
    assert message.body == with_html.body
    assert message.alternatives[0][0] == with_html.html
    assert message.alternatives[0][1] == "text/html"


def test_a_secret_html_alternative_is_blanked_once_sent(committed):
    email = email_queue(
        key="test.html:secret",
        to=["ann@example.com"],
        subject="Digest",
        template="console_weekly_digest",
        context={"digest": {"partners": 1}, "chart_png": ""},
        html=True,
        secret=True,
    )
    emails_send(email_ids=[email.pk])
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.body == "" and email.html == ""
