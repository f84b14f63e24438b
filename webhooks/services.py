"""Webhook endpoints (vendor admins) and deliveries: created from recorded events in the
recording transaction, sent after commit by Celery, retried with exponential backoff up to a cap,
each attempt logged; an endpoint failing too many times in a row is disabled and admins are told."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import enqueue
from kernel.outbox import email_queue
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change, snapshot
from webhooks import conf, signing, transport
from webhooks.choices import TEST_TYPE, DeliveryStatus, WebhookEventType
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

# Enqueued by name: webhooks.tasks imports this module, so this one does not import it.
DELIVER = "webhooks.tasks.deliver_webhook"


class WebhookError(ValueError):
    """A refused change; the message says why."""


# What the setup log keeps of an endpoint before and after a change (never its secret).
ENDPOINT_LOG = ("url", "description", "event_types", "is_active", "disabled_reason")


def _log(by, endpoint: WebhookEndpoint, action: str, summary: str, *, before=None) -> None:
    """Audit an admin's change (who, each field before and after) in its transaction. A change
    made by code without a person (tests, drills) has nobody to name and is not logged."""
    if by is None:
        return
    after = None if action == DELETED else snapshot(endpoint, ENDPOINT_LOG)
    log_setup_change(
        actor=by, obj=endpoint, action=action, before=before, after=after,
        summary=summary % {"url": endpoint.url},
    )  # fmt: skip


@dataclass
class IssuedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def _clean_types(event_types) -> list[str]:
    types = sorted(set(event_types or []))
    unknown = [t for t in types if t not in WebhookEventType.values]
    if unknown:
        raise WebhookError(f"Unknown event types: {', '.join(unknown)}.")
    if not types:
        raise WebhookError("Choose at least one event type.")
    return types


def _check(url: str) -> str:
    try:
        transport.check_url(url)
    except transport.UnsafeURL as exc:
        raise WebhookError(str(exc)) from exc
    return url


@transaction.atomic
def endpoint_create(*, url: str, event_types, description: str = "", by=None) -> IssuedEndpoint:
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        url=_check(url),
        event_types=_clean_types(event_types),
        description=(description or "")[:200],
        secret=secret,
        created_by=by,
    )
    _log(by, endpoint, ADDED, _("Webhook endpoint %(url)s registered"))
    return IssuedEndpoint(endpoint=endpoint, secret=secret)


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url=None,
    event_types=None,
    description=None,
    is_active=None,
    by=None,
) -> WebhookEndpoint:
    """Change what is given (None: unchanged); ``by`` is the admin, for the audit log."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = snapshot(endpoint, ENDPOINT_LOG)
    if url is not None:
        endpoint.url = _check(url)
    if event_types is not None:
        endpoint.event_types = _clean_types(event_types)
    if description is not None:
        endpoint.description = description[:200]
    if is_active is True and not endpoint.is_active:
        endpoint.is_active = True
        endpoint.consecutive_failures = 0
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
    elif is_active is False and endpoint.is_active:
        endpoint.is_active = False
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = "Disabled by an admin."
    endpoint.save()
    _log(by, endpoint, CHANGED, _("Webhook endpoint %(url)s changed"), before=before)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, by=None) -> None:
    """Delete an endpoint with its deliveries; ``by`` is the admin, for the audit log."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if endpoint is None:
        return  # already gone (a second click)
    _log(
        by, endpoint, DELETED, _("Webhook endpoint %(url)s deleted"),
        before=snapshot(endpoint, ENDPOINT_LOG),
    )  # fmt: skip
    endpoint.delete()


# --- Deliveries ---------------------------------------------------------------------------------


def event_payload(*, event, event_type: str) -> dict:
    """The JSON body of a delivery. ``id`` is stable for an event, so a receiver can drop a
    repeat (a delivery is retried until it gets a 2xx)."""
    return {
        "id": "evt_" + hashlib.sha256(event.idempotency_key.encode()).hexdigest()[:24],
        "type": event_type,
        "created_at": event.occurred_at.isoformat(),
        "data": {
            "kind": event.kind,
            "partner_id": event.partner_id,
            "user_id": event.user_id,
            "subject": {"type": event.subject_type, "id": event.subject_id},
            "properties": event.properties,
        },
    }


def deliveries_create(*, items: list[tuple[str, object]]) -> None:
    """Create one pending delivery per (event type, event) and subscribed active endpoint, in the
    caller's transaction; enqueue them once it commits. An event processed twice makes no second
    delivery (unique endpoint + event key)."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event_type=event_type,
            event_key=event.idempotency_key,
            payload=event_payload(event=event, event_type=event_type),
        )
        for event_type, event in items
        for endpoint in endpoints
        if event_type in endpoint.event_types
    ]
    if not rows:
        return
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    keys = sorted({r.event_key for r in rows})
    transaction.on_commit(lambda: _enqueue_new(keys))  # a broker outage is logged (kernel.enqueue)


def _enqueue_new(keys: list[str]) -> None:
    ids = WebhookDelivery.objects.filter(
        event_key__in=keys, status=DeliveryStatus.PENDING, attempts=0
    ).values_list("pk", flat=True)
    for pk in ids:
        if not enqueue.send(DELIVER, pk):
            break  # broker down: the rows stay pending; webhooks.tasks.send_due_deliveries sends them


@transaction.atomic
def delivery_send_test(*, endpoint: WebhookEndpoint, by=None) -> WebhookDelivery:
    """A test delivery of type ``webhook.test`` (sent even to a disabled endpoint, so an admin
    can check a fix before enabling it)."""
    now = timezone.now()
    key = f"webhook.test:{endpoint.pk}:{now.isoformat()}"
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=TEST_TYPE,
        event_key=key,
        payload={
            "id": "evt_" + hashlib.sha256(key.encode()).hexdigest()[:24],
            "type": TEST_TYPE,
            "created_at": now.isoformat(),
            "data": {"message": "A test delivery from PRM.", "by": getattr(by, "email", None)},
        },
    )
    enqueue.send_on_commit(DELIVER, delivery.pk)
    return delivery


@dataclass
class Outcome:
    sent: bool  # False: not due, already claimed, or finished
    ok: bool = False
    retry_in: int | None = None  # seconds until the next attempt, when one is due


def _claim(delivery_id: int, now) -> WebhookDelivery | None:
    """Take the delivery for one attempt: a conditional UPDATE whose row count says whether this
    worker won (a redelivered task, the sweeper and a Celery retry cannot send it twice)."""
    lease = now + timedelta(seconds=conf.timeout_seconds() + 30)
    won = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
    ).update(claimed_until=lease, attempts=F("attempts") + 1)
    if not won:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int) -> Outcome:
    """Send a pending, due delivery once and record the attempt. The HTTP request runs outside
    any transaction; the outcome is written in one."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Outcome(sent=False)
    endpoint = delivery.endpoint
    if not endpoint.is_active and delivery.event_type != TEST_TYPE:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, claimed_until=None, next_attempt_at=None
        )
        return Outcome(sent=False)
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "PRM-Webhooks/1",
        signing.HEADER: signing.sign(secret=endpoint.secret, body=body),
        "PRM-Event-Type": delivery.event_type,
        "PRM-Delivery": str(delivery.pk),
    }
    answer = transport.post(endpoint.url, body=body, headers=headers)
    return _record(delivery, answer, started=now)


@transaction.atomic
def _record(delivery: WebhookDelivery, answer, *, started) -> Outcome:
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=started,
        duration_ms=answer.duration_ms,
        status_code=answer.status_code,
        error=answer.error,
        response_excerpt=answer.excerpt,
    )
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    now = timezone.now()
    fields = {"claimed_until": None}
    retry_in = None
    if answer.ok:
        fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None)
        if endpoint.consecutive_failures:
            endpoint.consecutive_failures = 0
            endpoint.save(update_fields=["consecutive_failures"])
    else:
        if delivery.attempts >= conf.max_attempts() or delivery.event_type == TEST_TYPE:
            fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        else:
            retry_in = conf.backoff_seconds(delivery.attempts)
            fields["next_attempt_at"] = now + timedelta(seconds=retry_in)
        _count_failure(endpoint, answer)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return Outcome(sent=True, ok=answer.ok, retry_in=retry_in)


def _count_failure(endpoint: WebhookEndpoint, answer) -> None:
    endpoint.consecutive_failures += 1
    update = ["consecutive_failures"]
    if endpoint.is_active and endpoint.consecutive_failures >= conf.disable_after():
        endpoint.is_active = False
        endpoint.disabled_at = timezone.now()
        reason = answer.error or f"HTTP {answer.status_code}"
        endpoint.disabled_reason = (
            f"Disabled after {endpoint.consecutive_failures} failed attempts in a row "
            f"(last: {reason})."
        )[:300]
        update += ["is_active", "disabled_at", "disabled_reason"]
        _notify_disabled(endpoint)
    endpoint.save(update_fields=update)


def _notify_disabled(endpoint: WebhookEndpoint) -> None:
    """Tell the vendor admins, through the outbox (sent once the disabling commits)."""
    from accounts.choices import VendorRole
    from accounts.models import User

    admins = User.objects.filter(vendor_role=VendorRole.ADMIN, is_active=True).values_list(
        "email", flat=True
    )
    email_queue(
        key=f"webhooks.endpoint_disabled:{endpoint.pk}:{endpoint.disabled_at.isoformat()}",
        to=list(admins),
        subject=lambda: _("A webhook endpoint was disabled"),
        template="webhooks_endpoint_disabled",
        context={"endpoint": endpoint},
    )


def deliveries_due(*, limit: int = 500) -> list[int]:
    """Pending deliveries whose attempt is due and nobody holds (the sweeper's list): those whose
    task was lost (a broker outage at commit time, a worker killed mid-attempt)."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status=DeliveryStatus.PENDING,
            created_at__lt=now - timedelta(seconds=30),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
