"""The one outbox for every email the product sends (allauth's own account emails aside: allauth
sends those through ``accounts.adapter``).

1. :func:`email_queue` renders ``templates/emails/<template>.txt`` into an ``OutboundEmail`` row
   inside the caller's transaction (a savepoint: a duplicate ``key`` queues nothing and does not
   spoil the caller's work) and queues ``kernel.tasks.send_email`` after commit, so a rolled-back
   change tells nobody anything.
2. :func:`email_send` locks the row and sends it once. A mail server error (``SMTPException``,
   ``OSError``) is recorded and the next attempt planned with exponential backoff, up to
   ``MAX_ATTEMPTS``; then the row is ``failed``. Any other error fails the row at once.
3. :func:`emails_due` lists pending rows whose attempt is overdue (the task was lost: broker down
   at commit time, worker killed); ``kernel.tasks.send_due_emails`` sends them (prm/schedule.py).

Conventions: the subject gets the ``[SITE_NAME] `` prefix and is one line of at most 255
characters; templates get ``site_name`` and ``site_url`` besides the caller's context; keys read
``<app>.<what>:<ids…>`` (``deals.notice:12:approved:``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from kernel import enqueue
from kernel.choices import EmailStatus
from kernel.models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
SWEEP_GRACE = timedelta(minutes=2)  # the task's own chance before the sweep steps in
RETRYABLE = (SMTPException, OSError)  # may pass next time; anything else will not


class EmailNotSent(Exception):
    """An attempt failed; ``retry_at`` is when the next one is due (None: given up)."""

    def __init__(self, email_id: int, retry_at: datetime | None, error: str):
        super().__init__(f"email {email_id} not sent: {error}")
        self.email_id = email_id
        self.retry_at = retry_at


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min, … capped at an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def email_queue(
    *,
    key: str,
    to: Iterable[str],
    subject: str,
    template: str,
    context: dict | None = None,
    secret: bool = False,
) -> OutboundEmail | None:
    """Render and record one email, sent once the current transaction commits (at once outside a
    transaction). None when ``key`` was queued before or there is nobody to send it to.
    ``secret``: the body carries a one-time link; it is blanked once sent or given up."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    full_context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        **(context or {}),
    }
    subject = " ".join(f"[{settings.SITE_NAME}] {subject}".split())[:255]
    body = render_to_string(f"emails/{template}.txt", full_context)
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller's work
            email = OutboundEmail.objects.create(
                key=key[:200],
                template=template,
                to=recipients,
                subject=subject,
                body=body,
                secret=secret,
            )
    except IntegrityError:
        return None

    from kernel.tasks import send_email

    # the row is the durable record: if the broker is down, send_due_emails sends it
    enqueue.send_on_commit(send_email, email.pk)
    return email


def email_send(*, email_id: int) -> bool:
    """Send one pending, due email; False when it is sent, failed, not due or gone. The row lock
    makes two workers (a redelivered task, the sweep) send it once. Raises :class:`EmailNotSent`
    after recording a failed attempt."""
    now = timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != EmailStatus.PENDING or email.next_attempt_at > now:
            return False
        email.attempts += 1
        try:
            EmailMessage(subject=email.subject, body=email.body, to=email.to).send()
        except Exception as exc:
            retryable = isinstance(exc, RETRYABLE) and email.attempts < MAX_ATTEMPTS
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if retryable:
                email.next_attempt_at = now + backoff(email.attempts)
            else:
                email.status = EmailStatus.FAILED
                email.body = "" if email.secret else email.body
            email.save(
                update_fields=["attempts", "last_error", "next_attempt_at", "status", "body"]
            )
            failure = EmailNotSent(email.pk, email.next_attempt_at if retryable else None, str(exc))
        else:
            email.status = EmailStatus.SENT
            email.sent_at = now
            email.last_error = ""
            email.body = "" if email.secret else email.body
            email.save(update_fields=["attempts", "last_error", "status", "sent_at", "body"])
            return True
    # the failed attempt is committed above: the count and the plan survive whatever happens next
    if failure.retry_at is None:
        logger.error("email %s failed for good after %s attempts", email_id, email.attempts)
    raise failure


def emails_due(*, grace: timedelta = SWEEP_GRACE, limit: int = 200) -> list[int]:
    """Ids of pending emails whose attempt is overdue by ``grace``, oldest first."""
    return list(
        OutboundEmail.objects.filter(
            status=EmailStatus.PENDING, next_attempt_at__lte=timezone.now() - grace
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
