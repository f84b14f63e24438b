"""The one outbox for every email the product sends (allauth's own account emails aside: allauth
sends those itself, through ``accounts.adapters``).

1. :func:`email_queue` (one email) and :func:`emails_queue` (a batch, constant queries) render
   ``templates/emails/<template>.txt`` into ``OutboundEmail`` rows inside the caller's
   transaction and queue ``kernel.tasks.send_emails`` after commit, so a rolled-back change
   tells nobody anything. ``key`` is unique: a key queued before is skipped.
2. :func:`emails_send` locks the rows and sends each pending, due one once. A mail server error
   is recorded on the row and its next attempt planned with exponential backoff, up to
   ``MAX_ATTEMPTS``; then the row is ``failed``. An error that will not pass fails it at once.
3. :func:`emails_due` lists pending rows whose attempt is overdue (the task was lost: broker down
   at commit time, worker killed); ``kernel.tasks.send_due_emails`` sends them (prm/schedule.py).

Hooks (issue 19): a higher floor may register an :class:`OutboxHook` in :data:`hooks` from its
``AppConfig.ready`` (notifications does: every email also lands in the recipient's in-app list,
and a recipient who chose "in-app only", "digest" or "none" for that kind is left off the email).
The hook runs inside the caller's transaction, in its own savepoint, on the new emails only; if it
fails, the email goes to everyone and the writer's change is kept. Secret emails (one-time links)
are never handed to a hook: they always go out and never show in-app.

Languages (issue 23): every email is rendered in its recipient's language. The function a higher
floor registers in :data:`recipient_languages` (partners does: the person's profile language, else
their program's default) names it per address, in one query per batch; an address it does not
know gets ``LANGUAGE_CODE``. Recipients of one email who read different languages get one row per
language (key ``<key>|<language>``). The body templates are rendered under
``translation.override``; so is the subject when the caller passes a callable (``subject=lambda:
_("…") % {…}``), which is how a subject follows the recipient rather than the person whose action
queued it.

Conventions: the subject gets the ``[SITE_NAME] `` prefix and is one line of at most 255
characters; templates get ``site_name`` and ``site_url`` besides the caller's context; keys read
``<app>.<what>:<ids…>`` (``deals.notice:12:approved:``). ``html=True`` also renders
``templates/emails/<template>.html`` (same context) into an HTML alternative part; the text body
stays the complete message for clients that show plain text.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, TextField, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kernel import enqueue
from kernel.choices import EmailStatus
from kernel.models import OutboundEmail
from kernel.registry import Registry

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
SWEEP_GRACE = timedelta(minutes=2)  # the task's own chance before the sweep steps in
BATCH = 100  # emails per task message (and per SMTP connection)
SEND = "kernel.tasks.send_emails"  # by name: kernel.tasks imports this module
RETRYABLE = (smtplib.SMTPException, OSError)  # may pass next time; anything else will not
# Refused for this one message (a bad address, content): the server is up, the batch goes on.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass(frozen=True)
class Email:
    """One email to queue; see :func:`email_queue` for the fields."""

    key: str
    to: Iterable[str]
    subject: str | Callable[[], str]
    template: str
    context: dict = field(default_factory=dict)
    secret: bool = False
    html: bool = False


class OutboxHook:
    """What a higher floor registers in :data:`hooks`. ``emails_queued`` gets the new, non-secret
    emails of one :func:`emails_queue` call, rendered but not yet saved (inside the caller's
    transaction), and returns, per email key, the addresses that must not get that email. It must
    hold a constant number of queries however many emails it gets."""

    def emails_queued(self, emails: list[OutboundEmail]) -> dict[str, set[str]]:  # pragma: no cover
        raise NotImplementedError


#: name → hook, registered from an app's ``AppConfig.ready`` (the kernel imports no app).
hooks: Registry[OutboxHook] = Registry("outbox hook")


#: name → ``languages(addresses) -> {address: language code}`` (one query for the whole batch).
recipient_languages: Registry[Callable[[list[str]], dict[str, str]]] = Registry(
    "recipient languages"
)


def languages_of(addresses: Iterable[str]) -> dict[str, str]:
    """Each address's language: what a registered resolver says, else ``LANGUAGE_CODE``."""
    addresses = sorted({a for a in addresses if a})
    found: dict[str, str] = {}
    for _name, resolve in recipient_languages.items():
        for address, language in (resolve(addresses) or {}).items():
            if language:
                found.setdefault(address, language)
    return {a: found.get(a) or settings.LANGUAGE_CODE for a in addresses}


def _ask_hooks(emails: list[OutboundEmail]) -> dict[str, set[str]]:
    """Run every hook in its own savepoint; a failing hook is logged and skipped (fail open)."""
    skip: dict[str, set[str]] = {}
    if not emails:
        return skip
    for name, hook in hooks.items():
        try:
            with transaction.atomic():
                for key, addresses in (hook.emails_queued(emails) or {}).items():
                    skip.setdefault(key, set()).update(addresses)
        except Exception:
            logger.exception("outbox hook %s failed on %d emails; sent to all", name, len(emails))
    return skip


@dataclass
class Outcome:
    """What one :func:`emails_send` call did: ``retry_ids`` are due again at ``retry_at``."""

    sent: int = 0
    failed: int = 0
    retry_ids: list[int] = field(default_factory=list)
    retry_at: datetime | None = None
    server_down: bool = False  # a connection-level error stopped the batch


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min, … capped at an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _render(email: Email, languages: dict[str, str]) -> list[OutboundEmail]:
    """One row per language among the recipients (one row, the plain key, when they share it)."""
    by_language: dict[str, list[str]] = {}
    for address in sorted({address for address in email.to if address}):
        by_language.setdefault(languages.get(address, settings.LANGUAGE_CODE), []).append(address)
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        **email.context,
    }
    rows = []
    for language, recipients in sorted(by_language.items()):
        key = email.key if len(by_language) == 1 else f"{email.key[:190]}|{language}"
        with translation.override(language):
            subject = email.subject() if callable(email.subject) else email.subject
            rows.append(
                OutboundEmail(
                    key=key[:200],
                    template=email.template,
                    to=recipients,
                    subject=" ".join(f"[{settings.SITE_NAME}] {subject}".split())[:255],
                    body=render_to_string(f"emails/{email.template}.txt", context),
                    html=render_to_string(f"emails/{email.template}.html", context)
                    if email.html
                    else "",
                    secret=email.secret,
                )
            )
    return rows


def emails_queue(emails: Iterable[Email]) -> list[OutboundEmail]:
    """Render and record a batch of emails (four queries however many: one names the recipients'
    languages), sent once the current transaction commits (at once outside one). Returns the rows
    written: an email whose key was queued before, or with nobody to send it to, is skipped."""
    emails = list(emails)
    languages = languages_of(address for email in emails for address in email.to)
    rows: dict[str, OutboundEmail] = {}
    for email in emails:
        for row in _render(email, languages):
            rows.setdefault(row.key, row)
    if not rows:
        return []
    known = set(OutboundEmail.objects.filter(key__in=rows).values_list("key", flat=True))
    new = [row for key, row in rows.items() if key not in known]
    if not new:
        return []
    if hooks:
        skip = _ask_hooks([row for row in new if not row.secret])
        for row in new:
            row.to = [address for address in row.to if address not in skip.get(row.key, ())]
        new = [row for row in new if row.to]
        if not new:
            return []
    # ignore_conflicts: a concurrent writer of the same key wins, and nothing raises here
    OutboundEmail.objects.bulk_create(new, ignore_conflicts=True)
    created = list(OutboundEmail.objects.filter(key__in=[row.key for row in new]).order_by("pk"))
    ids = [row.pk for row in created]

    # the rows are the durable record: if the broker is down, send_due_emails sends them
    for start in range(0, len(ids), BATCH):
        enqueue.send_on_commit(SEND, ids[start : start + BATCH])
    return created


def email_queue(
    *,
    key: str,
    to: Iterable[str],
    subject: str | Callable[[], str],
    template: str,
    context: dict | None = None,
    secret: bool = False,
    html: bool = False,
) -> OutboundEmail | None:
    """Render and record one email, sent once the current transaction commits. None when ``key``
    was queued before or there is nobody to send it to. ``secret``: the body carries a one-time
    link; it is blanked once sent or given up, and hidden in the admin. ``html``: add the HTML
    alternative rendered from ``emails/<template>.html``."""
    created = emails_queue(
        [
            Email(
                key=key,
                to=to,
                subject=subject,
                template=template,
                context=context or {},
                secret=secret,
                html=html,
            )
        ]
    )
    return created[0] if created else None


def _record_failure(email: OutboundEmail, exc: Exception, now: datetime) -> bool:
    """Count the failed attempt on the row; True when another attempt is planned."""
    email.attempts += 1
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    retry = isinstance(exc, RETRYABLE) and email.attempts < MAX_ATTEMPTS
    if retry:
        email.next_attempt_at = now + backoff(email.attempts)
    else:
        email.status = EmailStatus.FAILED
        email.body = "" if email.secret else email.body
        email.html = "" if email.secret else email.html
        logger.error("email %s (%s) failed for good: %s", email.pk, email.key, email.last_error)
    email.save(
        update_fields=["attempts", "last_error", "next_attempt_at", "status", "body", "html"]
    )
    return retry


def emails_send(*, email_ids: Iterable[int]) -> Outcome:
    """Send the pending, due emails among ``email_ids`` over one connection. The row locks make
    two workers (a redelivered task, the sweep, a retry) send each once; a sent, failed, not yet
    due or missing row is skipped. At a mail server error the rest of the batch is left for the
    retry (their attempts are not spent); the outcome says which ids are due again and when."""
    now = timezone.now()
    outcome = Outcome()
    with transaction.atomic():
        rows = list(
            OutboundEmail.objects.select_for_update()
            .filter(pk__in=list(email_ids), status=EmailStatus.PENDING, next_attempt_at__lte=now)
            .order_by("pk")
        )
        if not rows:
            return outcome
        sent: list[int] = []
        connection = get_connection()
        try:
            for index, email in enumerate(rows):
                # without an alternative it sends exactly what a plain EmailMessage does
                message = EmailMultiAlternatives(
                    subject=email.subject, body=email.body, to=email.to, connection=connection
                )
                if email.html:
                    message.attach_alternative(email.html, "text/html")
                try:
                    if index == 0:
                        connection.open()  # one connection for the batch (SMTP backend)
                    message.send()
                except Exception as exc:
                    if _record_failure(email, exc, now):
                        outcome.retry_ids.append(email.pk)
                        outcome.retry_at = email.next_attempt_at
                    else:
                        outcome.failed += 1
                    if isinstance(exc, RETRYABLE) and not isinstance(exc, MESSAGE_ERRORS):
                        # the server is down: the rest wait for the retry, attempts unspent
                        outcome.server_down = True
                        outcome.retry_ids += [later.pk for later in rows[index + 1 :]]
                        break
                else:
                    sent.append(email.pk)
        finally:
            connection.close()
        OutboundEmail.objects.filter(pk__in=sent).update(
            status=EmailStatus.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            body=Case(
                When(secret=True, then=Value("")), default=F("body"), output_field=TextField()
            ),
            html=Case(
                When(secret=True, then=Value("")), default=F("html"), output_field=TextField()
            ),
        )
        outcome.sent = len(sent)
    # a failed attempt is committed above: the count and the plan survive whatever comes next
    return outcome


def emails_due(*, grace: timedelta = SWEEP_GRACE, limit: int = 500) -> list[int]:
    """Ids of pending emails whose attempt is overdue by ``grace``, oldest first."""
    return list(
        OutboundEmail.objects.filter(
            status=EmailStatus.PENDING, next_attempt_at__lte=timezone.now() - grace
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
