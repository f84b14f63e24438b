"""The one way events are recorded. Every app calls ``record_event`` (or ``record_events`` for a
batch); nothing else writes the Event table."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import django.dispatch
from django.db import models, transaction
from django.utils import timezone

from metrics.models import Event

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
MAX_PROPERTIES_BYTES = 4096
MAX_KEY_LENGTH = 200

# Sent inside the recording transaction with the events that were new (duplicates are left out).
# Receivers (e.g. onboarding completing a checklist step) must be idempotent: two writers racing on
# the same key may both see it as new before the database keeps only one.
event_recorded = django.dispatch.Signal()


class EventError(ValueError):
    """An event that cannot be stored as given; the message says why."""


@dataclass(frozen=True)
class NewEvent:
    kind: str
    key: str
    partner_id: int | None = None
    user_id: int | None = None
    occurred_at: datetime | None = None
    subject_type: str = ""
    subject_id: str = ""
    properties: dict[str, Any] = field(default_factory=dict)


def _subject_of(subject: models.Model | None) -> tuple[str, str]:
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(subject.pk)


def _partner_id_of(user) -> int | None:
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.partner_id if membership is not None else None


def _build(new: NewEvent, now: datetime) -> Event:
    if not KIND_PATTERN.match(new.kind) or len(new.kind) > 64:
        raise EventError(f"Event kind {new.kind!r} must look like 'area.verb' (lower case).")
    if not new.key or len(new.key) > MAX_KEY_LENGTH:
        raise EventError(f"An idempotency key of 1 to {MAX_KEY_LENGTH} characters is required.")
    occurred_at = new.occurred_at or now
    if timezone.is_naive(occurred_at):
        raise EventError("occurred_at must be timezone-aware.")
    try:
        encoded = json.dumps(new.properties, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise EventError(f"Event properties must be JSON: {exc}") from exc
    if len(encoded) > MAX_PROPERTIES_BYTES or not isinstance(new.properties, dict):
        raise EventError(
            f"Event properties must be a JSON object under {MAX_PROPERTIES_BYTES} bytes."
        )
    return Event(
        occurred_at=occurred_at,
        day=occurred_at.astimezone(UTC).date(),
        partner_id=new.partner_id,
        user_id=new.user_id,
        kind=new.kind,
        subject_type=new.subject_type,
        subject_id=new.subject_id,
        properties=new.properties,
        idempotency_key=new.key,
    )


@transaction.atomic
def record_events(events: Iterable[NewEvent], *, batch_size: int = 1000) -> int:
    """Store a batch of events once each; returns how many were new.

    A key already stored (or repeated inside the batch) is skipped, never updated: the first
    write wins. Validation happens before anything is written, so a bad item stores nothing.
    """
    now = timezone.now()
    built: dict[str, Event] = {}
    for new in events:
        event = _build(new, now)
        built.setdefault(event.idempotency_key, event)
    if not built:
        return 0
    new_total = 0
    items = list(built.values())
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        keys = [e.idempotency_key for e in chunk]
        existing = set(
            Event.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
        )
        fresh = [e for e in chunk if e.idempotency_key not in existing]
        # ON CONFLICT DO NOTHING: a concurrent writer of the same key cannot make this fail.
        Event.objects.bulk_create(fresh, ignore_conflicts=True)
        if fresh:
            event_recorded.send(sender=Event, events=fresh)
        new_total += len(fresh)
    return new_total


def record_event(
    *,
    kind: str,
    key: str,
    partner=None,
    user=None,
    subject: models.Model | None = None,
    occurred_at: datetime | None = None,
    properties: dict[str, Any] | None = None,
) -> bool:
    """Record one event; returns False when an event with this key was already stored.

    ``key`` identifies the occurrence (e.g. ``f"course.completed:{user.pk}:{course.pk}"``) so a
    retried action is counted once. The partner defaults to the user's partner.
    """
    subject_type, subject_id = _subject_of(subject)
    partner_id = partner.pk if partner is not None else _partner_id_of(user)
    new = NewEvent(
        kind=kind,
        key=key,
        partner_id=partner_id,
        user_id=user.pk if user is not None else None,
        occurred_at=occurred_at,
        subject_type=subject_type,
        subject_id=subject_id,
        properties=properties or {},
    )
    return record_events([new]) == 1
